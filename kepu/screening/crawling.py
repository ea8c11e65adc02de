"""Crawling the declared sources: in a subprocess, or on the shared frontier with several."""

from __future__ import annotations

import json
import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from common.errors import CrawlError
from common.settings import Settings
from crawlers.sources import read_sources
from store import Database
from store.posts import upsert_sources

log = logging.getLogger(__name__)


def crawl(settings: Settings, sources_path: Path) -> dict[str, int]:
    """Crawl the declared sources (only the due ones when settings.crawl_only_due) in a
    subprocess and return the run's statistics; the subprocess ends the run, marking its
    sources crawled, in one transaction (nothing is written here afterwards). With a shared
    frontier (crawl_frontier_url), crawl_processes subprocesses crawl and this process stores."""
    from crawlers.launch import run_crawl
    from crawlers.schedule import due_sources
    from store.posts import last_crawled

    sources = read_sources(sources_path)
    if settings.crawl_processes > 1 and not settings.crawl_frontier_url:
        raise CrawlError(f"{settings.crawl_processes} crawl processes need a shared frontier: "
                         "set KEPU_CRAWL_FRONTIER_URL (redis://host:port/db)")
    with Database(settings.database) as db:
        upsert_sources(db, [s.as_dict() for s in sources])
        due = (due_sources(sources, last_crawled(db), datetime.now(UTC))
               if settings.crawl_only_due else sources)
    if not due:
        return {"pages": 0, "new": 0, "changed": 0, "unchanged": 0, "duplicate": 0, "errors": 0}
    with tempfile.TemporaryDirectory() as tmp:
        todo = sources_path
        if len(due) < len(sources):
            todo = Path(tmp) / "due-sources.jsonl"
            todo.write_text("".join(json.dumps(s.as_dict()) + "\n" for s in due), encoding="utf-8")
        if settings.crawl_frontier_url:
            from crawlers.frontier_crawl import run_frontier_crawl

            counts = run_frontier_crawl(settings, todo)  # several processes, one writer
        else:
            counts = run_crawl(settings, todo)  # marks the sources crawled when it ends
    log.info("crawl %s", counts)
    return counts
