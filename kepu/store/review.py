"""Review tasks in DuckDB: created once per post, every state change with an audit row."""

from __future__ import annotations

from collections.abc import Sequence

from kepu.records import ReviewTask
from kepu.store.db import Database


def save_tasks(db: Database, tasks: Sequence[ReviewTask], actor: str = "queue") -> int:
    """Insert tasks not yet queued; returns how many are new (re-running adds none)."""
    created = 0
    with db.transaction() as conn:
        for t in tasks:
            exists = conn.execute("SELECT 1 FROM review_tasks WHERE post_id = ?",
                                  [t.post_id]).fetchone()
            if exists:
                continue
            conn.execute(
                "INSERT INTO review_tasks (id, post_id, panel, priority, status, required_reviews, "
                "due_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, now())",
                [t.id, t.post_id, t.panel, t.priority, t.status, t.required_reviews, t.due_at],
            )
            db.audit(actor, "review_task", t.id, "created",
                     f"panel={t.panel} priority={t.priority} reviews={t.required_reviews}")
            created += 1
    return created


def queue_summary(db: Database) -> list[tuple[str, int, int]]:
    """(panel, open tasks, overdue tasks) per panel."""
    return [tuple(r) for r in db.rows(  # type: ignore[misc]
        "SELECT panel, count(*) FILTER (WHERE status = 'open'), "
        "count(*) FILTER (WHERE status = 'open' AND due_at < now()) "
        "FROM review_tasks GROUP BY panel ORDER BY panel")]
