"""The end of a crawl run on a real DuckDB file: one transaction for the last batch, the run's
counts and outcome and the sources marked crawled; unfinished runs found and marked 'died'."""

from __future__ import annotations

import random
from types import SimpleNamespace

from crawlers.items import PostItem, UnchangedPage
from crawlers.pipelines import DuckDBStorePipeline
from crawlers.sources import Source
from store import Database
from store.crawls import died_runs, page_digests, start_crawl_run, write_page_digests
from tests.crawlers.hostile_site import EN_SENTENCES

SPIDER = SimpleNamespace(sources=[Source("feed-a", "http://a.test/feed.xml", "feed"),
                                  Source("page-b", "http://b.test/", "page")])


def _item(n: int) -> PostItem:
    words = " ".join(EN_SENTENCES).split()
    random.Random(n).shuffle(words)
    text = " ".join(words)
    return PostItem(url=f"http://a.test/{n}", canonical_url=f"http://a.test/{n}", title=f"T{n}",
                    text=text, lang="en", platform="blog", source_id="feed-a",
                    page_digest=f"digest-{n}")


def _run(path, reason: str, items) -> DuckDBStorePipeline:
    pipeline = DuckDBStorePipeline(str(path), "", 0.8)
    pipeline.open_spider()
    for item in items:
        pipeline.process_item(item)
    pipeline.spider_closed(SPIDER, reason)
    return pipeline


def test_finished_run_stores_last_batch_counts_and_marks_sources_together(tmp_path):
    path = tmp_path / "k.duckdb"
    _run(path, "finished", [_item(0), _item(1)])
    with Database(path) as db:
        run = db.dicts("SELECT outcome, pages, new_posts, finished_at FROM crawl_runs")[0]
        marked = {r[0] for r in db.rows("SELECT source_id FROM source_crawls")}
        assert page_digests(db, ["a.test"]) == {"http://a.test/0": "digest-0",
                                                "http://a.test/1": "digest-1"}
    assert (run["outcome"], run["pages"], run["new_posts"]) == ("finished", 2, 2)
    assert run["finished_at"] is not None and marked == {"feed-a", "page-b"}


def test_stopped_run_keeps_what_it_stored_but_marks_no_source(tmp_path):
    path = tmp_path / "k.duckdb"
    _run(path, "shutdown", [_item(0)])
    with Database(path) as db:
        assert db.scalar("SELECT outcome FROM crawl_runs") == "stopped"
        assert db.scalar("SELECT count(*) FROM posts") == 1
        assert db.scalar("SELECT count(*) FROM source_crawls") == 0


def test_unchanged_pages_are_counted_without_a_store_lookup(tmp_path):
    pipeline = _run(tmp_path / "k.duckdb", "finished",
                    [UnchangedPage(url="http://a.test/9", canonical_url="http://a.test/9")])
    assert (pipeline.counts["pages"], pipeline.counts["unchanged"]) == (1, 1)


def test_run_that_never_ended_is_marked_died_by_the_next(tmp_path):
    path = tmp_path / "k.duckdb"
    killed = DuckDBStorePipeline(str(path), "", 0.8)
    killed.open_spider()
    killed.process_item(_item(0))  # in the batch, never committed: the process "dies" here
    killed.sink.close()
    later = _run(path, "finished", [_item(1)])
    assert later.counts["earlier_runs_died"] == 1
    with Database(path) as db:
        assert died_runs(db) == [killed.run_id]
        assert db.rows("SELECT id, outcome FROM crawl_runs ORDER BY id") == [
            (killed.run_id, "died"), (later.run_id, "finished")]
        assert db.scalar("SELECT count(*) FROM posts") == 1  # only the later run's
        assert start_crawl_run(db)[1] == []  # reported once


def test_page_digests_cover_the_hosts_asked_for_and_their_subdomains(tmp_path):
    with Database(tmp_path / "k.duckdb") as db:
        with db.transaction() as conn:
            write_page_digests(conn, [("http://a.test/1", "x"), ("http://news.a.test/2", "y"),
                                      ("http://b.test/3", "z"), ("http://aa.test/4", "w")])
            write_page_digests(conn, [("http://a.test/1", "x2")])
        assert page_digests(db, ["A.test"]) == {"http://a.test/1": "x2",
                                                "http://news.a.test/2": "y"}
        assert page_digests(db, []) == {}
