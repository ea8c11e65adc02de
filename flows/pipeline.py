"""Prefect flows: crawl -> score -> enqueue -> weekly report. Tasks are thin wrappers on services.

Flows only orchestrate; each task calls one use case in `kepu.services` / `kepu.scoring_service`.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NONE

from kepu import services
from kepu.scoring_service import score_posts
from kepu.settings import Settings
from kepu.store import Database
from pipeline.embedders import load_embedder


@task(retries=2, retry_delay_seconds=5, cache_policy=NONE)
def crawl_task(settings: Settings, sources: Path) -> dict[str, int]:
    return services.crawl(settings, sources)


@task(cache_policy=NONE)
def import_claims_task(settings: Settings, path: Path) -> dict[str, int]:
    return services.import_claims(settings, path)


@task(cache_policy=NONE)
def score_task(settings: Settings, rescore: bool = False) -> dict[str, int]:
    embedder = load_embedder(settings)
    with Database(settings.database) as db:
        flags = score_posts(settings, db, embedder, rescore=rescore)
    return {"scored": len(flags), "flagged": sum(f.flagged for f in flags)}


@task(cache_policy=NONE)
def enqueue_task(settings: Settings) -> int:
    return services.enqueue_flagged(settings)


@task(cache_policy=NONE)
def report_task(settings: Settings, week: str, lang: str) -> Path:
    return services.weekly_report(settings, week, lang)


@flow(name="crawl")
def crawl_flow(settings: Settings, sources: Path) -> dict[str, int]:
    return crawl_task(settings, sources)


@flow(name="score")
def score_flow(settings: Settings, rescore: bool = False) -> dict[str, int]:
    scored = score_task(settings, rescore)
    return {**scored, "enqueued": enqueue_task(settings)}


@flow(name="weekly-report")
def weekly_report_flow(settings: Settings, week: str, lang: str = "zh") -> Path:
    return report_task(settings, week, lang)


@flow(name="pipeline")
def pipeline_flow(settings: Settings, sources: Path, claims: Path, week: str | None = None,
                  lang: str = "zh") -> dict[str, object]:
    """The whole chain once: claims base, crawl, score, enqueue, weekly report (of `week`, or
    of the newest post's week)."""
    claims_counts = import_claims_task(settings, claims)
    crawl_counts = crawl_task(settings, sources)
    scored = score_flow(settings)
    week = week or services.latest_week(settings) or "2026-W47"
    report = report_task(settings, week, lang)
    return {"claims": claims_counts, "crawl": crawl_counts, "score": scored, "report": report}
