"""Incremental re-crawls: which sources are due, given when each was last crawled."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from crawlers.sources import Source


def due_sources(sources: list[Source], last_crawled: Mapping[str, datetime],
                now: datetime) -> list[Source]:
    """Sources never crawled, or whose crawl interval has passed since their last crawl."""
    return [s for s in sources
            if s.id not in last_crawled
            or now - last_crawled[s.id] >= timedelta(minutes=s.interval_minutes)]
