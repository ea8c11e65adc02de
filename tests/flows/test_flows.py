"""The Prefect flows, run for real under prefect_test_harness (one temporary server per module)."""

from __future__ import annotations

import asyncio
import sys
import types

import pytest

from common.errors import InputError, ModelError
from flows import pipeline
from flows.schedules import build_deployments
from store import Database
from tests.flows.conftest import WEEK, fill_week


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    import os

    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect"))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def filled(db, tiny_claims, settings):
    fill_week(db, tiny_claims)
    db.close()
    return settings.model_copy(update={"db_path": db.path})


def test_weekly_report_flow_caches_until_the_data_change(harness, filled):
    first = pipeline.weekly_report_flow(filled, WEEK, "en")
    assert first.exists() and first.with_suffix(".pdf").exists()
    again = pipeline.weekly_report_flow(filled, WEEK, "en")  # files exist now: cached after this
    stamp = again.stat().st_mtime_ns
    assert pipeline.weekly_report_flow(filled, WEEK, "en") == again
    assert again.stat().st_mtime_ns == stamp  # served from the cache, not re-rendered
    with Database(filled.database) as db:
        db.execute("INSERT INTO decisions (id, task_id, reviewer, role, verdict, harm, "
                   "decided_at) VALUES ('new', 'rt-n3', 'e9', 'first', 'accurate', 'none', now())")
    pipeline.weekly_report_flow(filled, WEEK, "en")
    assert again.stat().st_mtime_ns != stamp  # new data: a new report


def test_crawl_flow_scores_after_crawling(harness, settings, tiny_claims):
    from crawlers.sample_server import serve_site
    from kepu.demo import write_sample_sources
    from store.claims import save_claims

    with Database(settings.database) as db:
        save_claims(db, tiny_claims)
    with serve_site(settings.data_dir / "site") as base:
        sources = write_sample_sources(base, settings.home / "sources.jsonl")
        result = pipeline.crawl_flow(settings, sources, score_after=True)
    assert result["crawl"]["new"] >= 50
    assert result["score"]["scored"] == result["crawl"]["new"]
    with Database(settings.database) as db:
        assert db.scalar("SELECT count(*) FROM flags") == result["score"]["scored"]
        assert db.scalar("SELECT count(*) FROM review_tasks") == result["score"]["enqueued"]
    with pytest.raises(InputError, match="no sources file"):
        pipeline.crawl_flow(settings, settings.home / "absent.jsonl")


def test_review_sync_retries_and_retrain_call_the_other_areas(harness, settings, monkeypatch):
    import kepu.research.classifier

    monkeypatch.delattr(kepu.research.classifier, "retrain", raising=False)
    with pytest.raises(ModelError, match="kepu.research.classifier.retrain is not available"):
        pipeline.retrain_flow(settings)
    calls: list[str] = []

    def sync_reviews(s):
        calls.append("sync")
        if len(calls) == 1:
            raise ConnectionError("review UI down")  # the first try fails: retried
        return {"pushed": 2, "pulled": 1, "home": str(s.home)}

    monkeypatch.setitem(sys.modules, "kepu.reviewing.sync",
                        types.SimpleNamespace(sync_reviews=sync_reviews))
    monkeypatch.setattr(pipeline, "review_sync_task",
                        pipeline.review_sync_task.with_options(retry_delay_seconds=0))
    assert pipeline.review_sync_flow(settings) == {"pushed": 2, "pulled": 1,
                                                   "home": str(settings.home)}
    assert calls == ["sync", "sync"]
    # Stand-ins for the real review push/pull and training (tested in their own areas).
    monkeypatch.setattr(kepu.research.classifier, "retrain", lambda s: {"candidate": "v2"}, raising=False)
    assert pipeline.retrain_flow(settings) == {"candidate": "v2"}
    with pytest.raises(InputError, match="unknown flow"):
        pipeline.run_named("nope", settings)


def test_deployments_carry_the_schedules(settings):
    deployments = {d.name: d for d in build_deployments(settings)}
    expected = {"crawl-hourly": ("crawl", "0 * * * *"), "review-sync": ("review-sync",
                "*/10 * * * *"), "weekly-report": ("weekly-report", "0 8 * * 1"),
                "retrain-weekly": ("retrain", "0 3 * * 0")}
    assert set(deployments) == set(expected)
    for name, (flow_name, cron) in expected.items():
        d = deployments[name]
        assert d.flow_name == flow_name and d.entrypoint.startswith("flows/pipeline.py:")
        (schedule,) = d.schedules
        assert (schedule.schedule.cron, schedule.schedule.timezone) == (cron, "Asia/Shanghai")
        assert "settings" not in d.parameters  # runs build their own settings
    assert deployments["crawl-hourly"].parameters == {"score_after": True}


def test_serve_registers_scheduled_deployments(harness, settings):
    from prefect import aserve
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import DeploymentSort

    deployments = build_deployments(settings)  # built outside the event loop

    async def serve_briefly():
        try:
            await asyncio.wait_for(aserve(*deployments, print_starting_message=False),
                                   timeout=8)
        except TimeoutError:
            pass
        async with get_client() as client:
            found = await client.read_deployments(limit=50, sort=DeploymentSort.NAME_ASC)
            return {d.name: d for d in found}

    found = asyncio.run(serve_briefly())
    report = found["weekly-report"]
    assert report.schedules[0].schedule.cron == "0 8 * * 1"
    assert report.schedules[0].schedule.timezone == "Asia/Shanghai"
    assert {"crawl-hourly", "review-sync", "retrain-weekly"} <= set(found)
