"""Item pipelines, one job each: validate, then store in DuckDB (idempotently) with run stats."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from datetime import UTC, datetime

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawlers.items import CrawlFailure, PostItem, UnchangedPage
from crawlers.storage import PostSink
from kepu.records import Post
from kepu.store.posts import finish_crawl_run, record_crawl_error, start_crawl_run, stored_urls

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
    the run's statistics (pages, new, changed, unchanged, duplicates, errors, refused)."""

    BATCH = 100  # posts per transaction: one commit per batch, not per page

    def __init__(self, db_path: str, stats_path: str, near_threshold: float) -> None:
        self.posts: list[tuple[Post, str]] = []
        self.unchanged: list[str] = []
        self.db_path = db_path
        self.stats_path = stats_path
        self.near_threshold = near_threshold
        self.counts: Counter[str] = Counter(dict.fromkeys(COUNTS, 0))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DuckDBStorePipeline:
        s = crawler.settings
        return cls(s.get("KEPU_DB_PATH"), s.get("KEPU_STATS_PATH", ""),
                   s.getfloat("KEPU_NEAR_DUPLICATE_THRESHOLD", 0.8))

    def open_spider(self, spider: Spider | None = None) -> None:
        self.started = time.monotonic()
        self.sink = PostSink(self.db_path, self.near_threshold)
        self.run_id = start_crawl_run(self.sink.db)

    def process_item(self, item: object, spider: Spider | None = None) -> object:
        if isinstance(item, CrawlFailure):
            kind = item.get("kind") or "error"
            self.counts["refused" if kind == "refused" else "errors"] += 1
            record_crawl_error(self.sink.db, self.run_id, item["url"], item["reason"], kind)
        elif isinstance(item, UnchangedPage):
            self.unchanged.append(item["canonical_url"])
        elif isinstance(item, PostItem):
            self.posts.append((_to_post(item), item["canonical_url"]))
        if len(self.posts) + len(self.unchanged) >= self.BATCH:
            self._flush()
        return item

    def _flush(self) -> None:
        # A cached page counts as an unchanged post only when it was stored as one (index pages
        # and other pages without an article are cached too).
        for stored in self.sink.save_batch(self.posts):
            self.counts.update(("pages", stored.outcome))
            self.counts["near_duplicate"] += stored.near
        known = stored_urls(self.sink.db, self.unchanged)
        self.counts["pages"] += len(known)
        self.counts["unchanged"] += len(known)
        self.posts, self.unchanged = [], []

    def close_spider(self, spider: Spider | None = None) -> None:
        self._flush()
        finish_crawl_run(self.sink.db, self.run_id, dict(self.counts))
        self.sink.close()
        elapsed = time.monotonic() - self.started
        log.info("crawl run %s: %s in %.1fs", self.run_id, dict(self.counts), elapsed)
        if self.stats_path:
            with open(self.stats_path, "w", encoding="utf-8") as out:
                json.dump({"run_id": self.run_id, **self.counts,
                           "elapsed_ms": int(elapsed * 1000)}, out)
