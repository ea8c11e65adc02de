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
