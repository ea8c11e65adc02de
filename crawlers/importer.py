"""Import a platform data dump (JSON lines or CSV) through the same write path as the crawler."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from crawlers.dumps import read_dump
from crawlers.storage import PostSink


def import_posts(db_path: Path, path: Path, source_id: str, platform: str,
                 near_threshold: float = 0.8, max_chars: int = 100_000) -> dict[str, int]:
    """Validate the whole dump first (errors name file:line), then store it in one
    transaction: all rows or none.

    Idempotent: importing the same file again reports every row as unchanged.
    """
    rows = read_dump(path, source_id, platform, max_chars)
    counts: Counter[str] = Counter({"rows": len(rows), "new": 0, "changed": 0, "unchanged": 0,
                                    "duplicate": 0})
    sink = PostSink(db_path, near_threshold)
    try:
        for stored in sink.save_batch([(row.post, row.canonical_url) for row in rows]):
            counts[stored.outcome] += 1
            counts["near_duplicate"] += stored.near
    finally:
        sink.close()
    return dict(counts)
