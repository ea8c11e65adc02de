"""robots.txt holds for a disallowed page declared as its own source while the same run also
crawls that host's sitemap and feed (both listing it): the requests waiting for robots.txt all
get its verdict (Scrapy 2.19 let the third and later waiters through)."""

from __future__ import annotations

import json

from common.settings import load_settings
from kepu.screening.crawling import crawl
from store import Database
from tests.crawlers.counting_site import PRIVATE, PUBLIC, serve_counting


def test_disallowed_page_source_is_refused_next_to_sitemap_and_feed(tmp_path):
    settings = load_settings(home=tmp_path / "home", allow_private_addresses=True,
                             crawl_http_cache=False)
    with serve_counting() as (base, hits):
        sources = tmp_path / "sources.jsonl"
        rows = [{"id": "sitemap", "url": f"{base}/sitemap.xml", "kind": "sitemap"},
                {"id": "feed", "url": f"{base}/feed.xml", "kind": "feed"},
                {"id": "private", "url": f"{base}{PRIVATE}", "kind": "page", "depth": 0}]
        sources.write_text("".join(json.dumps(r) + "\n" for r in rows))
        counts = crawl(settings, sources)
    assert hits[PRIVATE] == 0 and hits["/robots.txt"] == 1
    assert counts["new"] == len(PUBLIC) and counts["refused"] >= 1
    with Database(settings.database) as db:
        stored = {r[0] for r in db.rows("SELECT url FROM posts")}
        refused = db.rows("SELECT url, reason FROM crawl_errors WHERE kind = 'refused'")
    assert stored == {f"{base}{p}" for p in PUBLIC}
    assert (f"{base}{PRIVATE}", "IgnoreRequest: Forbidden by robots.txt") in refused


def _crawl_sitemap(tmp_path, robots_status: int):
    settings = load_settings(home=tmp_path / "home", allow_private_addresses=True,
                             crawl_http_cache=False)
    with serve_counting(robots_status) as (base, hits):
        sources = tmp_path / "sources.jsonl"
        sources.write_text(json.dumps({"id": "sitemap", "url": f"{base}/sitemap.xml",
                                       "kind": "sitemap"}) + "\n")
        counts = crawl(settings, sources)
    with Database(settings.database) as db:
        stored = db.scalar("SELECT count(*) FROM posts")
    return counts, hits, stored


def test_a_robots_txt_answered_with_a_server_error_disallows_the_whole_host(tmp_path):
    counts, hits, stored = _crawl_sitemap(tmp_path, 503)  # RFC 9309 2.3.1.4: complete disallow
    assert hits["/robots.txt"] >= 1
    assert hits["/sitemap.xml"] == 0 and not any(hits[p] for p in [*PUBLIC, PRIVATE])
    assert stored == 0 and counts["refused"] >= 1


def test_a_robots_txt_not_found_allows_the_whole_host(tmp_path):
    counts, hits, stored = _crawl_sitemap(tmp_path, 404)  # 4xx: no rules, everything allowed
    assert hits[PRIVATE] == 1 and stored == len(PUBLIC) + 1 and counts["new"] == stored
