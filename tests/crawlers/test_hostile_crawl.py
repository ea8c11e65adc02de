"""Real Scrapy crawls (subprocess, real DuckDB file) of a hostile site on 127.0.0.1.

Malformed HTML, undeclared GBK/Big5, a 50 MB page (with and without Content-Length), a gzip
bomb, redirect loops, 500s then success, a time-out, <script> payloads, a robots.txt-forbidden
path, a 404; then a re-crawl with a changed page, a 304 and a repost. Nothing crashes, the good
pages are stored once, every failure is recorded with its URL and reason.
"""

from __future__ import annotations

import json

import pytest

from common.settings import load_settings
from kepu.screening.crawling import crawl
from store import Database
from tests.crawlers.hostile_site import BIG, FAILING, FORBIDDEN, GOOD, serve_hostile


def _write_sources(home, base):
    home.mkdir(parents=True, exist_ok=True)
    path = home / "sources.jsonl"
    rows = [{"id": "h-sitemap", "url": f"{base}/sitemap.xml", "kind": "sitemap"},
            {"id": "h-home", "url": f"{base}/index.html", "kind": "page", "depth": 1}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    home = tmp_path_factory.mktemp("hostile")
    settings = load_settings(home=home, allow_private_addresses=True, crawl_max_bytes=1_000_000,
                             crawl_timeout_s=1, crawl_retry_backoff_s=0.1)
    with serve_hostile() as (base, state):
        sources = _write_sources(home, base)
        first = crawl(settings, sources)
        hits_after_first = dict(state.hits)
        big_sent = state.big_bytes_sent
        state.phase = 2
        second = crawl(settings, sources)
        yield {"settings": settings, "base": base, "state": state, "first": first,
               "second": second, "hits": hits_after_first, "big_sent": big_sent}


def _posts(settings):
    with Database(settings.database) as db:
        return {url.split("/", 3)[3]: (pid, dup, title, text) for pid, url, dup, title, text
                in db.rows("SELECT id, url, duplicate_of, title, text FROM posts")}


def test_good_pages_all_stored_once(hostile):
    posts = _posts(hostile["settings"])
    assert sorted(posts) == sorted([p.lstrip("/") for p in GOOD] + ["repost.html"])
    first = hostile["first"]
    assert (first["pages"], first["new"], first["duplicate"]) == (len(GOOD), len(GOOD) - 1, 1)
    copies = {posts["good-en.html"][1], posts["copy.html"][1]}
    assert len(copies - {None}) == 1  # whichever came first, the other links to it


def test_chinese_pages_without_charset_are_decoded(hostile):
    posts = _posts(hostile["settings"])
    assert posts["gbk.html"][2] == "隔夜菜会致癌吗" and "亚硝酸盐" in posts["gbk.html"][3]
    assert posts["big5.html"][2] == "隔夜菜會致癌嗎" and "亞硝酸鹽" in posts["big5.html"][3]


def test_script_payloads_are_not_stored_as_markup(hostile):
    _, _, _, text = _posts(hostile["settings"])["script.html"]
    assert "microwaves do not make food radioactive" in text
    assert "document.cookie" not in text and "onerror" not in text
    assert "<script>alert('quoted')</script>" in text  # quoted text stays (escaped on display)


def test_every_failure_recorded_with_url_and_reason(hostile):
    with Database(hostile["settings"].database) as db:
        rows = db.rows("SELECT url, kind, reason FROM crawl_errors WHERE run_id = 1")
    by_path = {url.split("/", 3)[3]: (kind, reason) for url, kind, reason in rows}
    assert by_path["big.html"][0] == "error" and "max size" in by_path["big.html"][1]
    assert "DOWNLOAD_MAXSIZE" in by_path["big-stream.html"][1]
    assert "decompression" in by_path["bomb.html"][1]
    assert "redirect loop" in by_path["loop/b"][1]
    assert "max redirections" in by_path["loop/step?n=6"][1]
    assert "took longer than" in by_path["slow.html"][1]
    assert "non-200" in by_path["missing.html"][1]
    assert by_path["forbidden/secret.html"] == ("refused", "IgnoreRequest: Forbidden by robots.txt")
    assert hostile["first"]["errors"] == len(FAILING)
    assert hostile["first"]["refused"] == len(FORBIDDEN)


def test_limits_hold(hostile):
    hits = hostile["hits"]
    assert "/forbidden/secret.html" not in hits  # robots.txt obeyed: never requested
    assert hits["/flaky.html"] == 3  # 500, 500, 200: stored thanks to retries
    assert hits["/slow.html"] == 3  # time-out, retried twice, then given up
    assert hostile["big_sent"] < BIG // 2  # the 50 MB page was cut off, not downloaded
    assert hits["/loop/a"] == 1 and hits["/loop/b"] == 1


def test_recrawl_counts_unchanged_changed_and_links_the_repost(hostile):
    second, state = hostile["second"], hostile["state"]
    assert second["changed"] == 1  # changing.html
    assert second["new"] == 0 and second["near_duplicate"] == 1  # repost.html
    assert second["unchanged"] == len(GOOD) - 1
    assert state.not_modified >= 1  # etag.html revalidated with If-None-Match -> 304
    posts = _posts(hostile["settings"])
    original = posts["good-en.html"][1] or posts["good-en.html"][0]
    assert posts["repost.html"][1] == original
    assert "edition 2" in posts["changing.html"][3]
    with Database(hostile["settings"].database) as db:
        runs = db.rows("SELECT pages, new_posts, changed, unchanged, duplicates, errors "
                       "FROM crawl_runs ORDER BY id")
    assert runs[1] == (second["pages"], 0, 1, len(GOOD) - 1, 1, len(FAILING))


def test_loopback_refused_unless_allowed(tmp_path):
    settings = load_settings(home=tmp_path, allow_private_addresses=False, crawl_http_cache=False)
    with serve_hostile() as (base, state):
        counts = crawl(settings, _write_sources(tmp_path, base))
    assert sum(state.hits.values()) == 0
    assert counts["pages"] == 0 and counts["refused"] == 2
    with Database(settings.database) as db:
        reasons = [r[0] for r in db.rows("SELECT reason FROM crawl_errors WHERE kind='refused'")]
    assert all("non-public address 127.0.0.1" in r for r in reasons) and len(reasons) == 2


def test_only_due_sources_are_recrawled(tmp_path):
    settings = load_settings(home=tmp_path, allow_private_addresses=True, crawl_only_due=True,
                             crawl_timeout_s=1, crawl_retries=0)
    with serve_hostile() as (base, state):
        sources = tmp_path / "one.jsonl"
        sources.write_text(json.dumps({"id": "one", "url": f"{base}/good-en.html", "kind": "page",
                                       "depth": 0, "interval_minutes": 60}) + "\n")
        first = crawl(settings, sources)
        second = crawl(settings, sources)
    assert first["new"] == 1 and second["pages"] == 0
    assert state.hits["/good-en.html"] == 1
