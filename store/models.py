"""Model versions: registered once, promoted explicitly, with an audit row."""

from __future__ import annotations

import json

from store.db import Database


def register_model(db: Database, version: str, kind: str, path: str, parent: str | None,
                   metrics: dict[str, object]) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO model_versions (id, kind, path, parent, metrics, created_at) "
            "VALUES (?, ?, ?, ?, ?, now()) ON CONFLICT DO NOTHING",
            [version, kind, path, parent, json.dumps(metrics)],
        )
        db.audit("models", "model", version, "registered", kind)


def promote_model(db: Database, version: str, kind: str, actor: str = "models") -> None:
    with db.transaction() as conn:
        conn.execute("UPDATE model_versions SET promoted = FALSE WHERE kind = ?", [kind])
        conn.execute("UPDATE model_versions SET promoted = TRUE WHERE id = ?", [version])
        db.audit(actor, "model", version, "promoted", kind)


def current_model(db: Database, kind: str) -> tuple[str, str] | None:
    """(version, path) of the promoted model of this kind, if any."""
    row = db.execute(
        "SELECT id, path FROM model_versions WHERE kind = ? AND promoted "
        "ORDER BY created_at DESC LIMIT 1", [kind]
    ).fetchone()
    return (row[0], row[1]) if row else None


def list_models(db: Database, kind: str | None = None) -> list[dict[str, object]]:
    """Every registered version (newest first), with its metrics decoded."""
    rows = db.dicts(
        "SELECT id, kind, path, parent, metrics, created_at, promoted FROM model_versions "
        "WHERE ? IS NULL OR kind = ? ORDER BY created_at DESC", [kind, kind]
    )
    for row in rows:
        row["metrics"] = json.loads(row["metrics"] or "{}")
    return rows


def get_model(db: Database, version: str) -> dict[str, object] | None:
    found = [m for m in list_models(db) if m["id"] == version]
    return found[0] if found else None


def _has_table(db: Database, name: str) -> bool:
    return bool(db.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]))


def expert_examples(db: Database) -> list[tuple[str, str, object, str, object]]:
    """(post_id, text, label, source, decided_at) rows of the review area's `training_examples`
    table, oldest first; empty while that table does not exist yet."""
    if not _has_table(db, "training_examples"):
        return []
    return db.rows(
        "SELECT post_id, text, label, source, decided_at FROM training_examples "
        "ORDER BY decided_at, post_id"
    )


def unflagged_scores(db: Database, limit: int = 10_000) -> list[tuple[str, float]]:
    """(post_id, classifier_score) of scored, unflagged posts that have no review task yet:
    the pool active learning draws from."""
    return [(r[0], float(r[1])) for r in db.rows(
        "SELECT f.post_id, f.classifier_score FROM flags f "
        "WHERE NOT f.flagged AND f.classifier_score IS NOT NULL "
        "AND f.post_id NOT IN (SELECT post_id FROM review_tasks) "
        "ORDER BY f.scored_at DESC, f.post_id LIMIT ?", [limit])]
