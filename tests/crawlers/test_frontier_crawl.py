"""Crawls on a shared frontier (scrapy-redis on a real Redis server): two real crawl processes,
one store writer, a 400-page site on 127.0.0.1. Each page is fetched and stored once; robots.txt
and the per-domain concurrency hold across the processes; a process killed mid-run loses no
URL (the other one takes its unfinished requests back)."""

from __future__ import annotations

import json
import threading
import time

import psutil
import pytest
from redis import Redis

from common.errors import CrawlError
from common.settings import load_settings
from kepu.screening.crawling import crawl
from store import Database
from tests.crawlers.frontier_site import PRIVATE, SiteLog, serve_frontier_site

pytestmark = pytest.mark.e2e


def _settings(tmp_path, redis_url, **extra):
    s = load_settings(**{"home": tmp_path / "home", "allow_private_addresses": True,
                         "crawl_http_cache": False, "crawl_frontier_url": redis_url,
                         "crawl_processes": 2, **extra})
    s.export_runtime_env()
    return s


def _sources(tmp_path, base):
    path = tmp_path / "sources.jsonl"
    path.write_text(json.dumps({"id": "site", "url": f"{base}/sitemap.xml", "kind": "sitemap"})
                    + "\n", encoding="utf-8")
    return path


def _stored(settings) -> tuple[int, int]:
    with Database(settings.database) as db:
        return db.rows("SELECT count(*), count(DISTINCT canonical_url) FROM posts")[0]


def test_two_processes_fetch_and_store_each_of_400_pages_once(tmp_path, redis_url):
    settings = _settings(tmp_path, redis_url)
    with serve_frontier_site(400) as (base, site):
        counts = crawl(settings, _sources(tmp_path, base))
    articles = {p: n for p, n in site.hits.items() if p.startswith("/a/")}
    assert len(articles) == 400 and set(articles.values()) == {1}  # one shared dedup set
    assert _stored(settings) == (400, 400)
    assert counts["new"] == 400 and counts["processes"] == 2 and counts["processes_lost"] == 0
    assert counts["fetched_by_1"] > 0 and counts["fetched_by_2"] > 0  # both did work
    assert site.hits[PRIVATE] == 0 and counts["refused"] == 1  # robots.txt in each process
    with Database(settings.database) as db:
        assert db.scalar("SELECT outcome FROM crawl_runs") == "finished"
        assert db.scalar("SELECT count(*) FROM source_crawls") == 1
    assert Redis.from_url(redis_url).keys("kepu:frontier:*") == []  # cleared for the next run


def test_per_domain_concurrency_holds_across_processes(tmp_path, redis_url):
    settings = _settings(tmp_path, redis_url, crawl_concurrency_per_domain=2)
    with serve_frontier_site(60, latency_s=0.15) as (base, site):
        counts = crawl(settings, _sources(tmp_path, base))
    assert counts["new"] == 60
    # each process gets one of the two slots; two processes each using two would show 3 or 4
    assert site.most_at_once <= 2


def _kill_one_crawler(site: SiteLog, after_articles: int, killed: list[int]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        crawlers = [p for p in psutil.Process().children()
                    if "crawlers.run" in " ".join(p.cmdline())]
        if len(crawlers) == 2 and site.articles() >= after_articles:
            crawlers[0].kill()
            killed.append(crawlers[0].pid)
            return
        time.sleep(0.01)


def test_a_crawler_killed_mid_run_loses_no_url(tmp_path, redis_url):
    settings = _settings(tmp_path, redis_url, crawl_frontier_heartbeat_s=2.0)
    killed: list[int] = []
    with serve_frontier_site(400, latency_s=0.02) as (base, site):
        killer = threading.Thread(target=_kill_one_crawler, args=(site, 100, killed))
        killer.start()
        counts = crawl(settings, _sources(tmp_path, base))
        killer.join()
    assert killed and counts["processes_lost"] == 1
    assert counts["reclaimed"] >= 1  # the survivor took the dead one's requests back
    assert _stored(settings) == (400, 400)  # none lost, none stored twice
    fetched = {p for p in site.hits if p.startswith("/a/")}
    assert len(fetched) == 400
    with Database(settings.database) as db:
        assert db.scalar("SELECT outcome FROM crawl_runs") == "finished"


def test_every_process_gone_leaves_the_frontier_for_the_next_run(tmp_path, redis_url):
    settings = _settings(tmp_path, redis_url, crawl_processes=1,
                         crawl_frontier_heartbeat_s=1.0)
    killed: list[int] = []
    with serve_frontier_site(200, latency_s=0.02) as (base, site):
        sources = _sources(tmp_path, base)

        def kill_when_busy() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not killed:
                for p in psutil.Process().children():
                    if "crawlers.run" in " ".join(p.cmdline()) and site.articles() >= 50:
                        p.kill()
                        killed.append(p.pid)
                time.sleep(0.01)

        killer = threading.Thread(target=kill_when_busy)
        killer.start()
        with pytest.raises(CrawlError, match="requests left in the frontier"):
            crawl(settings, sources)
        killer.join()
        first = _stored(settings)
        time.sleep(1.2)  # the dead process's heartbeat expires
        counts = crawl(settings, sources)  # the same sources: resumed
    assert 0 < first[0] < 200
    assert _stored(settings) == (200, 200)
    assert counts["new"] == 200 - first[0]
    resumed_fetches = {p: n for p, n in site.hits.items() if p.startswith("/a/") and n > 1}
    # only what the killed process had in flight is fetched again, not the whole site
    assert len(resumed_fetches) <= 10
