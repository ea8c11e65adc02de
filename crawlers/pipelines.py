"""Item pipelines, one job each: validate, then store in DuckDB (idempotently)."""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import datetime

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawlers.items import CrawlFailure, PostItem
from kepu.records import Post
from kepu.store import Database
from kepu.store.posts import (
    finish_crawl_run,
    post_id_for,
    record_crawl_error,
    save_post,
    start_crawl_run,
)

log = logging.getLogger(__name__)


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
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class DuckDBStorePipeline:
    """Stores each post once (canonical URL, content hash) and records failures and run stats."""

    def __init__(self, db_path: str, stats_path: str) -> None:
        self.db_path = db_path
        self.stats_path = stats_path
        self.counts: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DuckDBStorePipeline:
        return cls(crawler.settings.get("KEPU_DB_PATH"), crawler.settings.get("KEPU_STATS_PATH", ""))

    def open_spider(self, spider: Spider | None = None) -> None:
        self.db = Database(self.db_path)
        self.run_id = start_crawl_run(self.db)

    def process_item(self, item: object, spider: Spider | None = None) -> object:
        if isinstance(item, CrawlFailure):
            self.counts["errors"] += 1
            record_crawl_error(self.db, self.run_id, item["url"], item["reason"])
            return item
        assert isinstance(item, PostItem)
        self.counts["pages"] += 1
        post = Post(id=post_id_for(item["canonical_url"]), text=item["text"], title=item["title"],
                    lang=item["lang"], url=item["url"], author=item.get("author") or "",
                    platform=item.get("platform") or "", source_id=item.get("source_id") or "",
                    published=_parse_date(item.get("published")))
        stored = save_post(self.db, post, item["canonical_url"])
        self.counts[stored.outcome] += 1
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        finish_crawl_run(self.db, self.run_id, dict(self.counts))
        self.db.close()
        if self.stats_path:
            with open(self.stats_path, "w", encoding="utf-8") as out:
                json.dump({"run_id": self.run_id, **self.counts}, out)
