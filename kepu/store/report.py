"""The weekly trend figures, computed in DuckDB SQL over one week's posts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kepu.store.db import Database

_WEEK_POSTS = ("SELECT p.*, f.flagged, f.score, f.topic AS flag_topic FROM posts p "
               "LEFT JOIN flags f ON f.post_id = p.id WHERE p.duplicate_of IS NULL AND "
               "coalesce(p.published, p.fetched_at) >= ? AND coalesce(p.published, p.fetched_at) < ?")


def weekly_figures(db: Database, start: datetime, end: datetime) -> dict[str, Any]:
    """Totals, by topic and platform, top matched myths and the review queue, for [start, end)."""
    week = [start, end]
    totals = db.dicts(f"SELECT count(*) AS posts, count(*) FILTER (WHERE flagged) AS flagged "
                      f"FROM ({_WEEK_POSTS})", week)[0]
    by_topic = db.dicts(
        f"SELECT coalesce(flag_topic, 'unknown') AS topic, count(*) AS posts, "
        f"count(*) FILTER (WHERE flagged) AS flagged FROM ({_WEEK_POSTS}) "
        "GROUP BY 1 ORDER BY flagged DESC, posts DESC, topic", week)
    by_platform = db.dicts(
        f"SELECT coalesce(nullif(platform, ''), 'unknown') AS platform, count(*) AS posts, "
        f"count(*) FILTER (WHERE flagged) AS flagged FROM ({_WEEK_POSTS}) GROUP BY 1 ORDER BY 2 DESC",
        week)
    top_myths = db.dicts(
        "SELECT pc.claim_id, c.text, c.verdict, c.topic, count(DISTINCT pc.post_id) AS posts "
        f"FROM post_claims pc JOIN ({_WEEK_POSTS}) w ON w.id = pc.post_id "
        "JOIN (SELECT * FROM claims QUALIFY row_number() OVER (PARTITION BY id ORDER BY version "
        "DESC) = 1) c ON c.id = pc.claim_id WHERE pc.stance = 'asserts' AND w.flagged "
        "GROUP BY ALL ORDER BY posts DESC, pc.claim_id LIMIT 10", week)
    queue = db.dicts(
        "SELECT panel, count(*) AS open, count(*) FILTER (WHERE due_at < now()) AS overdue "
        "FROM review_tasks WHERE status = 'open' GROUP BY panel ORDER BY open DESC, panel")
    return {"totals": totals, "by_topic": by_topic, "by_platform": by_platform,
            "top_myths": top_myths, "queue": queue}
