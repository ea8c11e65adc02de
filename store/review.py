"""Review tasks, rounds, outbox, decisions and outcomes in DuckDB.

Created once per post / round / annotation (re-running adds nothing); every state change is
written together with an audit-log row in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from common.records import Decision, ReviewTask
from store.db import Database


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
                "due_at, created_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, now(), ?)",
                [t.id, t.post_id, t.panel, t.priority, t.status, t.required_reviews, t.due_at,
                 t.origin],
            )
            db.audit(actor, "review_task", t.id, "created",
                     f"panel={t.panel} priority={t.priority} reviews={t.required_reviews} "
                     f"origin={t.origin}")
            created += 1
    return created


def active_learning_count(db: Database) -> int:
    """How many review tasks active learning has added so far (its share is counted on them)."""
    return int(db.scalar("SELECT count(*) FROM review_tasks WHERE origin = 'active_learning'"))


def uncertain_candidates(db: Database, post_ids: Sequence[str]) -> list[dict[str, Any]]:
    """What routing needs for unflagged posts picked by active learning: the classifier score and
    a topic (the flag's, else the topic of the claim the post matched best, else none)."""
    if not post_ids:
        return []
    rows = db.dicts(
        "SELECT f.post_id, f.classifier_score, coalesce(f.topic, (SELECT c.topic FROM post_claims "
        "pc JOIN claims c ON c.id = pc.claim_id AND c.version = pc.claim_version "
        "WHERE pc.post_id = f.post_id ORDER BY pc.similarity DESC, pc.claim_id LIMIT 1)) AS topic "
        "FROM flags f WHERE list_contains(?, f.post_id)", [list(post_ids)])
    order = {post_id: i for i, post_id in enumerate(post_ids)}
    return sorted(rows, key=lambda r: order[r["post_id"]])


def tasks_without_rounds(db: Database) -> list[dict[str, Any]]:
    """Open tasks not yet turned into review rounds, highest priority first."""
    return db.dicts(
        "SELECT t.id, t.post_id, t.panel, t.priority, t.status, t.due_at, t.required_reviews, "
        "coalesce(t.origin, 'flagged') AS origin FROM review_tasks t WHERE t.status = 'open' AND NOT EXISTS "
        "(SELECT 1 FROM review_rounds r WHERE r.task_id = t.id) ORDER BY t.priority DESC, t.id")


def post_evidence(db: Database, post_id: str) -> dict[str, Any]:
    """The post, its flag and its matched claims (at the version that was matched)."""
    rows = db.dicts(
        "SELECT p.id AS post_id, coalesce(p.title, '') AS title, p.text, p.url, "
        "coalesce(p.lang, '') AS lang, coalesce(f.score, 0) AS score, "
        "coalesce(f.stance, '') AS stance, coalesce(f.reason, '') AS reason, "
        "coalesce(f.model_version, 'unknown') AS model_version "
        "FROM posts p LEFT JOIN flags f ON f.post_id = p.id WHERE p.id = ?", [post_id])
    if not rows:
        return {}
    evidence = rows[0]
    evidence["claims"] = db.dicts(
        "SELECT pc.claim_id, pc.claim_version AS version, c.text, c.verdict, c.explanation, "
        "pc.similarity, pc.stance, pc.sentence FROM post_claims pc JOIN claims c "
        "ON c.id = pc.claim_id AND c.version = pc.claim_version WHERE pc.post_id = ? "
        "ORDER BY pc.similarity DESC, pc.claim_id", [post_id])
    return evidence


def add_round(db: Database, round_id: str, task_id: str, panel: str, role: str,
              assigned_to: str, evidence: str, payload: str, actor: str) -> bool:
    """Record a round and queue it in the outbox (call inside a transaction); False if known."""
    if db.conn.execute("SELECT 1 FROM review_rounds WHERE id = ?", [round_id]).fetchone():
        return False
    db.conn.execute(
        "INSERT INTO review_rounds (id, task_id, panel, role, assigned_to, evidence, payload, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, now())",
        [round_id, task_id, panel, role, assigned_to, evidence, payload])
    db.conn.execute("INSERT INTO review_outbox (round_id, panel, queued_at) VALUES (?, ?, now())",
                    [round_id, panel])
    db.audit(actor, "review_round", round_id, "queued", f"role={role} assigned_to={assigned_to}")
    return True


def set_task_status(db: Database, task_id: str, status: str, actor: str, detail: str = "") -> None:
    """Change a task's status with its audit row (call inside a transaction); no-op if same."""
    row = db.conn.execute("SELECT status FROM review_tasks WHERE id = ?", [task_id]).fetchone()
    if row is None or row[0] == status:
        return
    db.conn.execute("UPDATE review_tasks SET status = ? WHERE id = ?", [status, task_id])
    db.audit(actor, "review_task", task_id, f"status:{row[0]}->{status}", detail)


def pending_outbox(db: Database) -> list[dict[str, Any]]:
    """Rounds not yet sent to the review UI, highest priority first (the order reviewers get
    them in: Label Studio shows a project's tasks in import order)."""
    return rounds_with_payload(
        db, "SELECT o.round_id, o.panel, o.attempts, r.payload, coalesce(r.assigned_to, '') AS "
        "assigned_to FROM review_outbox o JOIN review_rounds r ON r.id = o.round_id "
        "JOIN review_tasks t ON t.id = r.task_id WHERE o.sent_at IS NULL "
        "ORDER BY t.priority DESC, o.queued_at, o.round_id")


def rounds_with_payload(db: Database, sql: str) -> list[dict[str, Any]]:
    """`db.dicts(sql)` with each round's payload read back from the JSON it is stored as."""
    rows = db.dicts(sql)
    for row in rows:
        row["payload"] = json.loads(row["payload"])
    return rows


def mark_sent(db: Database, backend: str, project_id: int, sent: dict[str, tuple[int, str]]
              ) -> None:
    """Record where each round now lives in the review UI and the hash of the data sent."""
    with db.transaction() as conn:
        for round_id, (remote_id, data_hash) in sent.items():
            conn.execute(
                "UPDATE review_outbox SET sent_at = now(), attempts = attempts + 1, backend = ?, "
                "project_id = ?, remote_task_id = ?, data_hash = ?, last_error = NULL "
                "WHERE round_id = ? AND sent_at IS NULL",
                [backend, project_id, remote_id, data_hash, round_id])
            db.audit(backend, "review_round", round_id, "sent",
                     f"project={project_id} task={remote_id}")


def mark_failed(db: Database, round_ids: Sequence[str], error: str, actor: str) -> None:
    """Keep rounds in the outbox with the failure noted (retried by the next push)."""
    with db.transaction() as conn:
        for round_id in round_ids:
            conn.execute("UPDATE review_outbox SET attempts = attempts + 1, last_error = ? "
                         "WHERE round_id = ?", [error[:500], round_id])
            db.audit(actor, "review_round", round_id, "send_failed", error[:500])


def round_info(db: Database, round_id: str) -> dict[str, Any] | None:
    """A round with its task's panel, required reviews and status, or None if unknown."""
    rows = db.dicts(
        "SELECT r.id, r.task_id, r.panel, r.role, coalesce(r.assigned_to, '') AS assigned_to, "
        "r.evidence, t.post_id, t.required_reviews, "
        "t.status, EXISTS (SELECT 1 FROM decisions d WHERE d.round_id = r.id) AS decided "
        "FROM review_rounds r JOIN review_tasks t ON t.id = r.task_id WHERE r.id = ?", [round_id])
    return rows[0] if rows else None


def task_decisions(db: Database, task_id: str) -> list[Decision]:
    """Accepted decisions of a task in the order they were accepted."""
    rows = db.rows("SELECT task_id, reviewer, verdict, harm, coalesce(rationale, ''), "
                   "coalesce(refs, []), role FROM decisions WHERE task_id = ? "
                   "ORDER BY decided_at, id", [task_id])
    return [Decision(r[0], r[1], r[2], r[3], r[4], tuple(r[5]), r[6]) for r in rows]


def is_rejected(db: Database, annotation_key: str) -> bool:
    return bool(db.scalar("SELECT count(*) FROM review_rejections WHERE annotation_key = ?",
                          [annotation_key]))


def save_rejection(db: Database, annotation_key: str, round_id: str, reviewer: str,
                   reason: str, kind: str = "invalid", remote_task_id: int | None = None) -> None:
    """An annotation or remote task kepu did not accept, kept once with its reason and kind
    (migration 007 lists the kinds); call inside a transaction."""
    db.conn.execute(
        "INSERT INTO review_rejections (annotation_key, round_id, reviewer, reason, seen_at, "
        "kind, remote_task_id) VALUES (?, ?, ?, ?, now(), ?, ?) ON CONFLICT DO NOTHING",
        [annotation_key, round_id, reviewer, reason, kind, remote_task_id])
    db.audit(reviewer or "review-ui", "review_round", round_id,
             "annotation_rejected" if kind == "invalid" else kind, reason)


def add_decision(db: Database, decision: Decision, round_id: str, annotation_id: str,
                 model_version: str, evidence: str, claim_text: str, result_hash: str) -> None:
    """Keep one review (call inside a transaction): its id is the round's; `result_hash` is the
    answer it came from, to see later edits."""
    db.conn.execute(
        "INSERT INTO decisions (id, task_id, reviewer, role, verdict, harm, rationale, refs, "
        "model_version, decided_at, round_id, annotation_id, evidence, claim_text, result_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?, ?)",
        ["d-" + round_id, decision.task_id, decision.reviewer, decision.role, decision.verdict,
         decision.harm, decision.rationale, list(decision.references), model_version, round_id,
         annotation_id, evidence, claim_text, result_hash])
    db.audit(decision.reviewer, "decision", "d-" + round_id, "recorded",
             f"task={decision.task_id} role={decision.role} verdict={decision.verdict} "
             f"harm={decision.harm}")


def add_outcome(db: Database, task_id: str, verdict: str, harm: str, method: str,
                decided_by: Sequence[str]) -> None:
    """The final verdict of a task (call inside a transaction)."""
    db.conn.execute(
        "INSERT INTO review_outcomes (task_id, verdict, harm, method, decided_by, decided_at) "
        "VALUES (?, ?, ?, ?, ?, now()) ON CONFLICT DO NOTHING",
        [task_id, verdict, harm, method, list(decided_by)])
    db.audit("review", "review_task", task_id, "final_verdict",
             f"verdict={verdict} harm={harm} method={method} by={','.join(decided_by)}")


def outcomes_to_feed_back(db: Database) -> list[dict[str, Any]]:
    """Final outcomes not yet fed back, with the post and the deciding reviews' texts."""
    return db.dicts(
        "SELECT o.task_id, o.verdict, o.harm, o.decided_by, o.decided_at, t.post_id, t.panel, "
        "coalesce(t.origin, 'flagged') AS origin, coalesce(fl.basis, 'claim') AS basis, "
        "p.title, p.text, p.lang, "
        "(SELECT string_agg(d.rationale, '\n' ORDER BY d.decided_at) FROM decisions d "
        " WHERE d.task_id = o.task_id AND list_contains(o.decided_by, d.reviewer) "
        " AND d.verdict = o.verdict) AS rationale, "
        "(SELECT flatten(list(d.refs ORDER BY d.decided_at)) FROM decisions d "
        " WHERE d.task_id = o.task_id AND d.verdict = o.verdict) AS refs, "
        "(SELECT max(d.claim_text) FROM decisions d WHERE d.task_id = o.task_id "
        " AND d.verdict = o.verdict AND d.claim_text <> '') AS claim_text "
        "FROM review_outcomes o JOIN review_tasks t ON t.id = o.task_id "
        "JOIN posts p ON p.id = t.post_id LEFT JOIN flags fl ON fl.post_id = t.post_id "
        "WHERE NOT EXISTS "
        "(SELECT 1 FROM review_feedback f WHERE f.task_id = o.task_id) ORDER BY o.decided_at")


def asserted_claim(db: Database, post_id: str) -> dict[str, Any] | None:
    """The latest version of the claim the post asserts most closely, if any, with the post's
    sentence that asserts it (`asserted_sentence`)."""
    rows = db.dicts(
        "SELECT c.*, pc.sentence AS asserted_sentence "
        "FROM post_claims pc JOIN claims c ON c.id = pc.claim_id "
        "WHERE pc.post_id = ? AND pc.stance = 'asserts' "
        "QUALIFY row_number() OVER (PARTITION BY c.id ORDER BY c.version DESC) = 1 "
        "ORDER BY pc.similarity DESC LIMIT 1", [post_id])
    return rows[0] if rows else None


def save_feedback(db: Database, task_id: str, claim: tuple[str, int] | None,
                  example: dict[str, Any] | None) -> None:
    """Record a labelled example and that the outcome was fed back, once."""
    with db.transaction() as conn:
        if example:
            conn.execute(
                "INSERT INTO training_examples (post_id, text, lang, label, verdict, kind, source, "
                "task_id, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [example["post_id"], example["text"], example["lang"], example["label"],
                 example["verdict"], example["kind"], example.get("source", "review"), task_id,
                 example["decided_at"]])
        conn.execute(
            "INSERT INTO review_feedback (task_id, claim_id, claim_version, example_label, fed_at) "
            "VALUES (?, ?, ?, ?, now()) ON CONFLICT DO NOTHING",
            [task_id, claim[0] if claim else None, claim[1] if claim else None,
             example["label"] if example else None])
        db.audit("review", "review_task", task_id, "fed_back",
                 f"claim={claim[0] + ' v' + str(claim[1]) if claim else '-'} "
                 f"example={example['kind'] if example else '-'}")
