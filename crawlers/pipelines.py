"""Item pipelines, one job each: validate, then store in DuckDB (idempotently) with run stats,
or, in a crawl on a shared Redis frontier, hand items to the frontier's one store writer."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawlers.frontier_codec import encode_item
from crawlers.items import CrawlFailure, PostItem, UnchangedPage
from crawlers.run_recorder import RunRecorder
from crawlers.storage import PostSink

log = logging.getLogger(__name__)

class ValidatePostPipeline:
    """Drops posts without text, with a reason."""

    def process_item(self, item: object, spider: Spider | None = None) -> object:
        if isinstance(item, PostItem) and not (item.get("text") or "").strip():
            raise DropItem(f"no main text at {item.get('url')}")
        return item


class DuckDBStorePipeline:
    """Stores each post once (canonical URL, content hash, MinHash) and records failures and
    the run's statistics (pages, new, changed, unchanged, duplicates, errors, refused), through
    one `RunRecorder` (its end is one transaction; see crawlers.run_recorder)."""

    def __init__(self, db_path: str, stats_path: str, near_threshold: float) -> None:
        self.db_path = db_path
        self.stats_path = stats_path
        self.near_threshold = near_threshold

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DuckDBStorePipeline:
        s = crawler.settings
        pipeline = cls(s.get("KEPU_DB_PATH"), s.get("KEPU_STATS_PATH", ""),
                       s.getfloat("KEPU_NEAR_DUPLICATE_THRESHOLD", 0.8))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    @property
    def counts(self) -> Counter[str]:
        return self.recorder.counts

    @property
    def sink(self) -> PostSink:
        return self.recorder.sink

    @property
    def run_id(self) -> int:
        return self.recorder.run_id

    def open_spider(self, spider: Spider | None = None) -> None:
        self.started = time.monotonic()
        self.recorder = RunRecorder(self.db_path, self.near_threshold)

    def process_item(self, item: object, spider: Spider | None = None) -> object:
        self.recorder.add(item)
        return item

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if not hasattr(self, "recorder"):
            return
        finished = reason == "finished"
        crawled = [s.id for s in getattr(spider, "sources", [])] if finished else []
        counts = self.recorder.finish("finished" if finished else "stopped", crawled)
        elapsed = time.monotonic() - self.started
        log.info("crawl run %s (%s): %s in %.1fs", self.run_id, reason, dict(counts), elapsed)
        if self.stats_path:
            with open(self.stats_path, "w", encoding="utf-8") as out:
                json.dump({"run_id": self.run_id, **counts,
                           "elapsed_ms": int(elapsed * 1000)}, out)


_KINDS: dict[type, str] = {PostItem: "post", UnchangedPage: "unchanged", CrawlFailure: "failure"}


class RedisItemsPipeline:
    """Crawl processes on a shared frontier never open the DuckDB file (one writer per file):
    each item goes, as JSON, onto the frontier's Redis list that the store writer drains.

    The push is synchronous, so an item is in Redis before the request that produced it
    leaves the crawl engine and is acknowledged in the frontier (crawlers.frontier)."""

    def __init__(self, server: Any, key: str, stats_path: str) -> None:
        self.server, self.key, self.stats_path = server, key, stats_path
        self.pushed = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisItemsPipeline:
        from scrapy_redis.connection import get_redis_from_settings

        from crawlers.frontier import FrontierKeys

        s = crawler.settings
        keys = FrontierKeys(s.get("KEPU_FRONTIER_NAME"))
        pipeline = cls(get_redis_from_settings(s), keys.items, s.get("KEPU_STATS_PATH", ""))
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: object, spider: Spider | None = None) -> object:
        kind = _KINDS.get(type(item))
        if kind is not None:
            self.server.rpush(self.key, encode_item(kind, dict(item)))  # type: ignore[call-overload]
            self.pushed += 1
        return item

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if not self.stats_path:
            return
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        figures = {"reason": reason, "items": self.pushed,
                   "responses": stats.get("downloader/response_count", 0),
                   **{k.split("/", 1)[1]: v for k, v in stats.items()
                      if k.startswith("frontier/")}}
        with open(self.stats_path, "w", encoding="utf-8") as out:
            json.dump(figures, out)
