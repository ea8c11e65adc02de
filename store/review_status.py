"""What the review lead must look at, read from DuckDB: per panel, with assignee and due time."""

from __future__ import annotations

from typing import Any

from store.db import Database

_OPEN_ROUNDS = (
    "SELECT r.id AS round_id, r.task_id, r.panel, r.role, coalesce(r.assigned_to, '') AS "
    "assigned_to, t.due_at, t.status, t.priority, o.sent_at IS NOT NULL AS sent "
    "FROM review_rounds r JOIN review_tasks t ON t.id = r.task_id "
    "JOIN review_outbox o ON o.round_id = r.id "
    "WHERE t.status <> 'decided' AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.round_id = r.id)")


def queue_summary(db: Database) -> list[dict[str, Any]]:
    """Per panel: open tasks, overdue tasks, answers not accepted and waiting, arbitrations."""
    return db.dicts(
        "SELECT t.panel, count(*) FILTER (WHERE t.status <> 'decided') AS open, "
        "count(*) FILTER (WHERE t.status <> 'decided' AND t.due_at < now()) AS overdue, "
        "count(*) FILTER (WHERE t.status = 'arbitration') AS arbitration, "
        "(SELECT count(*) FROM review_rejections j JOIN review_rounds r ON r.id = j.round_id "
        " WHERE r.panel = t.panel AND NOT EXISTS (SELECT 1 FROM decisions d "
        " WHERE d.round_id = r.id) AND j.kind NOT LIKE '%after_decision') AS waiting "
        "FROM review_tasks t GROUP BY t.panel ORDER BY t.panel")


def overdue_rounds(db: Database) -> list[dict[str, Any]]:
    """Rounds of undecided tasks past their SLA, most overdue first."""
    return db.dicts(f"SELECT * FROM ({_OPEN_ROUNDS}) WHERE due_at < now() "
                    "ORDER BY due_at, panel, round_id")


def waiting_rejections(db: Database) -> list[dict[str, Any]]:
    """Answers or remote tasks kepu did not accept whose round still has no decision."""
    return db.dicts(
        "SELECT j.kind, j.round_id, r.panel, coalesce(r.assigned_to, '') AS assigned_to, "
        "j.reviewer AS by_account, j.reason, j.seen_at, t.due_at FROM review_rejections j "
        "JOIN review_rounds r ON r.id = j.round_id JOIN review_tasks t ON t.id = r.task_id "
        "WHERE j.kind NOT LIKE '%after_decision' AND NOT EXISTS "
        "(SELECT 1 FROM decisions d WHERE d.round_id = j.round_id) "
        "ORDER BY r.panel, j.seen_at, j.round_id")


def arbitration_pending(db: Database) -> list[dict[str, Any]]:
    """Tasks waiting for a senior's arbitration."""
    return db.dicts(f"SELECT * FROM ({_OPEN_ROUNDS}) WHERE role = 'arbiter' "
                    "ORDER BY panel, due_at, round_id")


def changes_after_decision(db: Database, days: int = 30) -> list[dict[str, Any]]:
    """Edits, extra answers and task changes seen after a decision (the last `days` days)."""
    return db.dicts(
        "SELECT j.kind, j.round_id, r.panel, j.reviewer AS by_account, j.reason, j.seen_at "
        "FROM review_rejections j JOIN review_rounds r ON r.id = j.round_id "
        "WHERE (j.kind LIKE '%after_decision') AND j.seen_at >= now() - to_days(?) "
        "ORDER BY j.seen_at DESC, j.round_id", [days])


def status(db: Database) -> dict[str, Any]:
    return {"panels": queue_summary(db), "overdue": overdue_rounds(db),
            "waiting": waiting_rejections(db), "arbitration": arbitration_pending(db),
            "after_decision": changes_after_decision(db),
            "outbox": int(db.scalar("SELECT count(*) FROM review_outbox WHERE sent_at IS NULL"))}
