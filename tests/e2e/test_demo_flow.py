"""The Prefect pipeline flow end to end (prefect_test_harness), run twice: nothing duplicates."""

from __future__ import annotations

import pytest

from common.settings import load_settings
from store import Database

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_demo_runs_twice_without_duplicates(tmp_path, harness):
    import socket

    from kepu.demo import run_demo

    with socket.socket() as probe:  # one port for both runs, as the demo's default port does
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = load_settings(home=tmp_path / "home", demo_port=port)
    settings.export_runtime_env()
    first = run_demo(settings, "en")
    with Database(settings.database) as db:
        counts = [db.scalar(f"SELECT count(*) FROM {t}")
                  for t in ("posts", "flags", "review_tasks", "claims")]
    assert counts[0] >= 52 and counts[1] == counts[0] and counts[2] > 0
    report = first["report"].read_text(encoding="utf-8")
    assert "weekly trends" in report and "<script" not in report
    second = run_demo(settings, "en")
    assert second["crawl"].get("new", 0) == 0
    assert second["crawl"].get("unchanged", 0) == first["crawl"]["new"]
    with Database(settings.database) as db:
        again = [db.scalar(f"SELECT count(*) FROM {t}")
                 for t in ("flags", "review_tasks", "claims")]
        posts = db.scalar("SELECT count(*) FROM posts")
    assert again == counts[1:]
    assert posts == counts[0]
