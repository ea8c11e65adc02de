"""Rounds as sent, remote tasks kepu stopped trusting, and reopening a round, in DuckDB.

A reopened round keeps its id; its decision and the task's final outcome (if any) move to
review_superseded, the feedback taken from that outcome is withdrawn, and the round goes back to
the outbox. An arbitration that settled a review taken back is withdrawn with it. Every step writes its audit row in the caller's transaction.
"""

from __future__ import annotations

import json
from typing import Any

from store.db import Database
from store.review import rounds_with_payload


def sent_rounds(db: Database) -> list[dict[str, Any]]:
    """Rounds living in the review UI (sent), each with its current remote task and the decision
    taken from it, if any."""
    return rounds_with_payload(
        db, "SELECT o.round_id, o.project_id, o.remote_task_id, o.data_hash, r.payload, r.task_id, "
        "coalesce(r.assigned_to, '') AS assigned_to, r.role, d.annotation_id, d.result_hash, d.verdict, "
        "d.harm FROM review_outbox o JOIN review_rounds r ON r.id = o.round_id "
        "LEFT JOIN decisions d ON d.round_id = o.round_id "
        "WHERE o.sent_at IS NOT NULL AND o.remote_task_id IS NOT NULL "
        "ORDER BY r.created_at, o.round_id")


def mapped_task_ids(db: Database) -> set[int]:
    """Remote tasks already known as some round's (a cut-off push must not reuse them)."""
    return {r[0] for r in db.rows("SELECT remote_task_id FROM review_outbox "
                                  "WHERE remote_task_id IS NOT NULL")}


def is_known(db: Database, key: str) -> bool:
    return bool(db.scalar("SELECT count(*) FROM review_rejections WHERE annotation_key = ?",
                          [key]))


def void_task(db: Database, remote_task_id: int, round_id: str, reason: str,
              deleted: bool) -> int:
    """Stop trusting a remote task (call inside a transaction); returns how many times the round
    has been reopened so far."""
    db.conn.execute("INSERT INTO review_void_tasks (remote_task_id, round_id, reason, voided_at) "
                    "VALUES (?, ?, ?, now())", [remote_task_id, round_id, reason[:500]])
    db.audit("review", "review_round", round_id, "remote_task_voided",
             f"task={remote_task_id} deleted_in_ui={deleted}")
    return int(db.scalar("SELECT count(*) FROM review_void_tasks WHERE round_id = ?", [round_id]))


def requeue_round(db: Database, round_id: str, payload: str, reason: str) -> None:
    """Send the round again with this payload (call inside a transaction)."""
    db.conn.execute("UPDATE review_rounds SET payload = ? WHERE id = ?", [payload, round_id])
    db.conn.execute(
        "UPDATE review_outbox SET sent_at = NULL, project_id = NULL, remote_task_id = NULL, "
        "data_hash = NULL, last_error = ? WHERE round_id = ?", [reason[:500], round_id])
    db.audit("review", "review_round", round_id, "reopened", reason[:500])


def supersede_decision(db: Database, round_id: str, reason: str) -> str | None:
    """Take back the round's decision and whatever final outcome and feedback followed from its
    task (call inside a transaction); returns the task id, None when there was no decision."""
    rows = db.dicts("SELECT * FROM decisions WHERE round_id = ?", [round_id])
    if not rows:
        return None
    decision = rows[0]
    _keep(db, "decision", decision["task_id"], round_id, decision, reason)
    db.conn.execute("DELETE FROM decisions WHERE id = ?", [decision["id"]])
    db.audit("review", "decision", decision["id"], "superseded",
             f"verdict={decision['verdict']} harm={decision['harm']} reviewer="
             f"{decision['reviewer']}: {reason}"[:500])
    _supersede_outcome(db, decision["task_id"], reason)
    return str(decision["task_id"])


def withdrawn_arbitrations(db: Database, task_id: str) -> int:
    """How many arbitration rounds of the task were withdrawn so far."""
    return int(db.scalar("SELECT count(*) FROM review_superseded WHERE kind = 'round' "
                         "AND task_id = ?", [task_id]))


def is_recorded(db: Database, annotation_id: str) -> bool:
    """Whether an answer is the source of a decision on record."""
    return bool(db.scalar("SELECT count(*) FROM decisions WHERE annotation_id = ?",
                          [annotation_id]))


def arbitration_remote_task(db: Database, task_id: str) -> tuple[str, int] | None:
    """The task's arbitration round and its review-UI task, if one was sent."""
    rows = db.rows("SELECT r.id, o.remote_task_id FROM review_rounds r JOIN review_outbox o "
                   "ON o.round_id = r.id WHERE r.task_id = ? AND r.role = 'arbiter' "
                   "AND o.remote_task_id IS NOT NULL", [task_id])
    return (str(rows[0][0]), int(rows[0][1])) if rows else None


def withdraw_arbitration(db: Database, task_id: str, reason: str, deleted: bool) -> str | None:
    """Take back the task's arbitration round, and the arbiter's decision if one was taken, when a
    review it arbitrated is taken back (call inside a transaction): the disagreement it settled
    is no longer the one on record. The round, its decision and its remote task are kept in
    review_superseded / review_void_tasks; if the new answers disagree again, a fresh arbitration
    round is opened with them. Returns the withdrawn round's id, None without one."""
    rounds = db.dicts("SELECT * FROM review_rounds WHERE task_id = ? AND role = 'arbiter'",
                      [task_id])
    if not rounds:
        return None
    arbitration = rounds[0]
    round_id = str(arbitration["id"])
    supersede_decision(db, round_id, reason)
    remote = db.scalar("SELECT remote_task_id FROM review_outbox WHERE round_id = ?", [round_id])
    if remote is not None:
        void_task(db, int(remote), round_id, reason, deleted)
    _keep(db, "round", task_id, round_id, arbitration, reason)
    db.conn.execute("DELETE FROM review_outbox WHERE round_id = ?", [round_id])
    db.conn.execute("DELETE FROM review_rounds WHERE id = ?", [round_id])
    db.audit("review", "review_round", round_id, "withdrawn", reason[:500])
    status = db.scalar("SELECT status FROM review_tasks WHERE id = ?", [task_id])
    if status == "arbitration":
        db.conn.execute("UPDATE review_tasks SET status = 'in_review' WHERE id = ?", [task_id])
        db.audit("review", "review_task", task_id, "status:arbitration->in_review", reason[:500])
    return round_id


def _supersede_outcome(db: Database, task_id: str, reason: str) -> None:
    rows = db.dicts("SELECT * FROM review_outcomes WHERE task_id = ?", [task_id])
    if rows:
        _keep(db, "outcome", task_id, None, rows[0], reason)
        db.conn.execute("DELETE FROM review_outcomes WHERE task_id = ?", [task_id])
        db.audit("review", "review_task", task_id, "outcome_superseded",
                 f"verdict={rows[0]['verdict']} method={rows[0]['method']}: {reason}"[:500])
    fed = db.dicts("SELECT * FROM review_feedback WHERE task_id = ?", [task_id])
    if fed:
        db.conn.execute("DELETE FROM training_examples WHERE task_id = ?", [task_id])
        db.conn.execute("DELETE FROM review_feedback WHERE task_id = ?", [task_id])
        claim = fed[0]["claim_id"]
        db.audit("review", "review_task", task_id, "feedback_withdrawn",
                 "training example removed"
                 + (f"; claim {claim} v{fed[0]['claim_version']} stays in the claims base"
                    if claim else ""))
    status = db.scalar("SELECT status FROM review_tasks WHERE id = ?", [task_id])
    if status == "decided":
        db.conn.execute("UPDATE review_tasks SET status = 'in_review' WHERE id = ?", [task_id])
        db.audit("review", "review_task", task_id, "status:decided->in_review", reason[:500])


def _keep(db: Database, kind: str, task_id: str, round_id: str | None, row: dict[str, Any],
          reason: str) -> None:
    db.conn.execute(
        "INSERT INTO review_superseded (kind, task_id, round_id, row_json, reason, superseded_at) "
        "VALUES (?, ?, ?, ?, ?, now())",
        [kind, task_id, round_id, json.dumps(row, default=str, ensure_ascii=False), reason])
