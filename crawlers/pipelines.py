"""Item pipelines, one job each: validate, then store in DuckDB (idempotently) with run stats."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawlers.items import CrawlFailure, PostItem, UnchangedPage
from crawlers.storage import PostSink
from kepu.records import Post
from kepu.store.crawls import end_crawl_run, record_crawl_error, start_crawl_run
from kepu.store.posts import StoredPost

log = logging.getLogger(__name__)

COUNTS = ("pages", "new", "changed", "unchanged", "duplicate", "near_duplicate", "errors",
          "refused")


class ValidatePostPipeline:
    """Drops posts without text, with a reason."""

    def process_item(self, item: object, spider: Spider | None = None) -> object:
        if isinstance(item, PostItem) and not (item.get("text") or "").strip():
            raise DropItem(f"no main text at {item.get('url')}")
        return item


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _to_post(item: PostItem) -> Post:
    return Post(id="", text=item["text"], title=item["title"], lang=item["lang"],
                url=item["url"], author=item.get("author") or "",
                platform=item.get("platform") or "", source_id=item.get("source_id") or "",
                published=_parse_date(item.get("published")))


class DuckDBStorePipeline:
    """Stores each post once (canonical URL, content hash, MinHash) and records failures and
    the run's statistics (pages, new, changed, unchanged, duplicates, errors, refused).

    The end of a run is one transaction: the last batch, the run's counts and outcome, and, when
    the crawl ran to the end, its sources marked crawled. A run killed before that keeps
    finished_at NULL; the next run marks it 'died' and counts it (earlier_runs_died).
    """

    BATCH = 100  # posts per transaction: one commit per batch, not per page

    def __init__(self, db_path: str, stats_path: str, near_threshold: float) -> None:
        self.posts: list[tuple[Post, str]] = []
        self.digests: dict[str, str] = {}
        self.db_path = db_path
        self.stats_path = stats_path
        self.near_threshold = near_threshold
        self.counts: Counter[str] = Counter(dict.fromkeys(COUNTS, 0))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DuckDBStorePipeline:
        s = crawler.settings
        pipeline = cls(s.get("KEPU_DB_PATH"), s.get("KEPU_STATS_PATH", ""),
                       s.getfloat("KEPU_NEAR_DUPLICATE_THRESHOLD", 0.8))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider: Spider | None = None) -> None:
        self.started = time.monotonic()
        self.sink = PostSink(self.db_path, self.near_threshold)
        self.run_id, died = start_crawl_run(self.sink.db)
        self.counts["earlier_runs_died"] = len(died)
        if died:
            log.warning("crawl runs %s died before finishing; what they stored is kept", died)

    def process_item(self, item: object, spider: Spider | None = None) -> object:
        if isinstance(item, CrawlFailure):
            kind = item.get("kind") or "error"
            self.counts["refused" if kind == "refused" else "errors"] += 1
            record_crawl_error(self.sink.db, self.run_id, item["url"], item["reason"], kind)
        elif isinstance(item, UnchangedPage):
            self.counts.update(("pages", "unchanged"))
        elif isinstance(item, PostItem):
            self.posts.append((_to_post(item), item["canonical_url"]))
            if item.get("page_digest"):
                self.digests[item["canonical_url"]] = item["page_digest"]
        if len(self.posts) >= self.BATCH:
            self._save(then=None)
        return item

    def _count(self, results: list[StoredPost]) -> None:
        for stored in results:
            self.counts.update(("pages", stored.outcome))
            self.counts["near_duplicate"] += stored.near

    def _save(self, then: Callable[[Any], None] | None) -> None:
        def after(conn: Any, results: list[StoredPost]) -> None:
            self._count(results)
            if then is not None:
                then(conn)

        self.sink.save_batch(self.posts, self.digests, after)
        self.posts, self.digests = [], {}

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if not hasattr(self, "sink"):
            return
        finished = reason == "finished"
        crawled = [s.id for s in getattr(spider, "sources", [])] if finished else []
        self._save(then=lambda conn: end_crawl_run(
            conn, self.run_id, self.counts, "finished" if finished else "stopped", crawled))
        self.sink.close()
        elapsed = time.monotonic() - self.started
        log.info("crawl run %s (%s): %s in %.1fs", self.run_id, reason, dict(self.counts),
                 elapsed)
        if self.stats_path:
            with open(self.stats_path, "w", encoding="utf-8") as out:
                json.dump({"run_id": self.run_id, **self.counts,
                           "elapsed_ms": int(elapsed * 1000)}, out)
