"""Model versions: registered once, promoted explicitly, with an audit row."""

from __future__ import annotations

import json

from kepu.store.db import Database


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
