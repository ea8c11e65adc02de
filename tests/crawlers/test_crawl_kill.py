"""A real `kepu crawl` whose crawl child is killed with SIGKILL mid-run, twice, then run to the
end: every page is stored exactly once and the dead runs are reported (the small version of
`kepu bench crawl-kill`, which prints the 400-page, five-kill figure)."""

from __future__ import annotations

import pytest

from kepu.evaluation.bench_crawl_kill import bench_crawl_kill


@pytest.mark.e2e
def test_killed_crawls_lose_no_page_and_store_none_twice():
    result = bench_crawl_kill(pages=60, kills=2, seed=5)
    assert len(result.kill_points) == 2
    assert all(0 < k < 60 for k in result.kill_points)  # each kill came mid-run
    assert (result.distinct_urls, result.missing, result.stored_twice) == (60, 0, 0)
    assert result.linked_as_copies == 0
    assert result.died_runs == 2  # each killed run reported by the run after it
    assert result.clean_run["pages"] == 60 and result.clean_run["errors"] == 0
