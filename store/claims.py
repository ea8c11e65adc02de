"""The claims base in DuckDB: edits are new versions, never overwrites; embeddings cached by hash."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from common.records import Claim
from store.db import Database


def claim_hash(claim: Claim) -> str:
    """Content hash of a claim; claims without variants (or group) keep the hash they had before
    those existed, so re-importing them makes no new version."""
    parts = [claim.text, claim.lang, claim.verdict, claim.topic, claim.explanation, claim.source]
    if claim.variants:
        parts.append("\x1e".join(claim.variants))
    if claim.group:
        parts.append("group\x1d" + claim.group)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def save_claims(db: Database, claims: Sequence[Claim], actor: str = "import") -> dict[str, int]:
    """Store claims in one transaction: unchanged ones are skipped, changed ones get a new version."""
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    with db.transaction() as conn:
        for claim in claims:
            digest = claim_hash(claim)
            row = conn.execute(
                "SELECT version, content_hash FROM claims WHERE id = ? "
                "ORDER BY version DESC LIMIT 1", [claim.id]
            ).fetchone()
            if row and row[1] == digest:
                counts["unchanged"] += 1
                continue
            version = row[0] + 1 if row else 1
            conn.execute(
                "INSERT INTO claims (id, version, text, lang, verdict, topic, explanation, source, "
                "variants, claim_group, content_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
                [claim.id, version, claim.text, claim.lang, claim.verdict, claim.topic,
                 claim.explanation, claim.source, list(claim.variants), claim.group or None,
                 digest],
            )
            db.audit(actor, "claim", claim.id, "updated" if row else "created", f"v{version}")
            counts["updated" if row else "new"] += 1
    return counts


def current_claims(db: Database) -> list[Claim]:
    """The latest version of every claim."""
    rows = db.rows(
        "SELECT id, text, lang, verdict, topic, explanation, source, version, variants, "
        "coalesce(claim_group, '') FROM claims "
        "QUALIFY row_number() OVER (PARTITION BY id ORDER BY version DESC) = 1 ORDER BY id"
    )
    return [Claim(*row[:8], variants=tuple(row[8] or ()), group=row[9]) for row in rows]


def cached_vectors(db: Database, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
    if not hashes:
        return {}
    rows = db.rows(
        "SELECT content_hash, vector FROM embeddings WHERE model = ? AND content_hash IN "
        "(SELECT unnest(?))", [model, list(hashes)]
    )
    return {h: np.asarray(v, dtype=np.float32) for h, v in rows}


def cache_vectors(db: Database, model: str, vectors: dict[str, np.ndarray]) -> None:
    with db.transaction() as conn:
        for digest, vector in vectors.items():
            conn.execute(
                "INSERT INTO embeddings (model, content_hash, vector) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING", [model, digest, vector.astype(float).tolist()]
            )


def copy_vectors_from(db: Database, other: Path) -> int:
    """Seed this database's vector cache from another kepu database file (a scratch evaluation
    base that differs by a few claims need not embed the rest again); returns rows added."""
    before = db.scalar("SELECT count(*) FROM embeddings")
    quoted = str(other).replace("'", "''")
    db.execute(f"ATTACH '{quoted}' AS seed (READ_ONLY)")
    try:
        with db.transaction() as conn:
            conn.execute("INSERT INTO embeddings SELECT * FROM seed.embeddings "
                         "ON CONFLICT DO NOTHING")
    finally:
        db.execute("DETACH seed")
    return int(db.scalar("SELECT count(*) FROM embeddings")) - int(before)
