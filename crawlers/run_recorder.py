"""One crawl run's writes to DuckDB: posts in batches, failures, counts, and the run's end.

Used in the crawl process itself (one process, `DuckDBStorePipeline`) and by the one store
writer of a shared Redis frontier (`crawlers.frontier_crawl`), so both store exactly alike.
The end of a run is one transaction: the last batch, the run's counts and outcome, and, when the
crawl ran to the end, its sources marked crawled. A run killed before that keeps finished_at
NULL; the next run marks it 'died' and counts it (earlier_runs_died).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from common.records import Post
from crawlers.items import CrawlFailure, PostItem, UnchangedPage
from crawlers.storage import PostSink
from store.crawls import RunOutcome, end_crawl_run, record_crawl_error, start_crawl_run
from store.posts import StoredPost

log = logging.getLogger(__name__)

COUNTS = ("pages", "new", "changed", "unchanged", "duplicate", "near_duplicate", "errors",
          "refused")


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _to_post(item: Mapping[str, Any]) -> Post:
    return Post(id="", text=item["text"], title=item["title"], lang=item["lang"],
                url=item["url"], author=item.get("author") or "",
                platform=item.get("platform") or "", source_id=item.get("source_id") or "",
                published=_parse_date(item.get("published")))


class RunRecorder:
    """Opens the database (its one writer), starts a run, stores what the crawl yields."""

    BATCH = 100  # posts per transaction: one commit per batch, not per page

    def __init__(self, db_path: str, near_threshold: float) -> None:
        self.posts: list[tuple[Post, str]] = []
        self.digests: dict[str, str] = {}
        self.counts: Counter[str] = Counter(dict.fromkeys(COUNTS, 0))
        self.sink = PostSink(db_path, near_threshold)
        self.run_id, died = start_crawl_run(self.sink.db)
        self.counts["earlier_runs_died"] = len(died)
        if died:
            log.warning("crawl runs %s died before finishing; what they stored is kept", died)

    def add(self, item: object) -> None:
        """One scraped item: a failure is recorded now, a post joins the batch."""
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
            self.flush()

    def flush(self, then: Callable[[Any], None] | None = None) -> None:
        """Commit the batch (`then(conn)` runs inside the same transaction)."""
        def after(conn: Any, results: list[StoredPost]) -> None:
            for stored in results:
                self.counts.update(("pages", stored.outcome))
                self.counts["near_duplicate"] += stored.near
            if then is not None:
                then(conn)

        self.sink.save_batch(self.posts, self.digests, after)
        self.posts, self.digests = [], {}

    def finish(self, outcome: RunOutcome, crawled_sources: Iterable[str]) -> Counter[str]:
        """The last batch, the counts and the outcome in one transaction; closes the file."""
        crawled = list(crawled_sources)
        self.flush(then=lambda conn: end_crawl_run(conn, self.run_id, self.counts, outcome,
                                                   crawled))
        self.sink.close()
        return self.counts
