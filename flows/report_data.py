"""Collect one week's figures: the store's SQL, then the pure derivations and the clustering.

Owns the pseudonym key file (HOME/pseudonym.key) when no key is configured.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from common.settings import Settings
from flows.narratives import cluster_narratives
from flows.pseudonyms import pseudonymiser
from flows.report_figures import (
    Count,
    WeeklyFigures,
    counts_from_rows,
    myths_from_rows,
    reviews_from_row,
)
from flows.weeks import week_bounds
from store.db import Database
from store.report import myth_rows, review_rows, unmatched_flagged, volume_rows


def pseudonym_key(settings: Settings) -> bytes:
    """The configured key, else a random one created once in HOME (so pseudonyms stay stable)."""
    if settings.report_pseudonym_key is not None:
        return settings.report_pseudonym_key.get_secret_value().encode("utf-8")
    path = Path(settings.home) / "pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip().encode("ascii")


def collect_figures(db: Database, week: str, settings: Settings,
                    pseudonymise: Callable[[str], str] | None = None) -> WeeklyFigures:
    """Every figure of the weekly summary for `week` (ISO week, Asia/Shanghai)."""
    start, end = week_bounds(week)
    prev_start = start - timedelta(days=7)
    weeks = settings.report_history_weeks
    counts = counts_from_rows(volume_rows(db, start, end))
    total = counts["total"][0] if counts["total"] else None
    since = start - timedelta(days=7 * settings.report_narrative_lookback_weeks)
    limit = settings.report_narrative_max_posts
    current = unmatched_flagged(db, start, end, limit)
    rows = current + unmatched_flagged(db, since, start, limit)
    narratives = cluster_narratives(
        rows, start, prev_start, pseudonymise or pseudonymiser(pseudonym_key(settings)),
        similarity=settings.report_narrative_similarity,
        min_size=settings.report_narrative_min_size)
    return WeeklyFigures(
        week=week, start=start, end=end, totals=total or Count("total", 0, 0),
        by_topic=counts["topic"], by_platform=counts["platform"], by_source=counts["source"],
        myths=myths_from_rows(myth_rows(db, start, end, weeks), weeks), narratives=narratives,
        reviews=reviews_from_row(review_rows(db, start, end)), history_weeks=weeks,
        narrative_cap=limit if len(current) >= limit else 0)
