"""What the database holds: posts, flags by topic and the open queue (`kepu status`, the demo's
closing screen)."""

from __future__ import annotations

from common.settings import Settings
from store import Database


def summary(settings: Settings) -> dict[str, object]:
    """Posts, flags by topic and queue size: the demo's closing screen."""
    with Database(settings.database) as db:
        return {
            "posts": db.scalar("SELECT count(*) FROM posts WHERE duplicate_of IS NULL"),
            "duplicates": db.scalar("SELECT count(*) FROM posts WHERE duplicate_of IS NOT NULL"),
            "claims": db.scalar("SELECT count(DISTINCT id) FROM claims"),
            "flagged": db.scalar("SELECT count(*) FROM flags WHERE flagged"),
            "by_topic": db.rows("SELECT coalesce(topic, 'unknown'), count(*) FROM flags "
                                "WHERE flagged GROUP BY 1 ORDER BY 2 DESC, 1"),
            "queue": db.scalar("SELECT count(*) FROM review_tasks WHERE status <> 'decided'"),
        }
