"""Flags and claim matches: one row per post (re-scoring replaces, never duplicates)."""

from __future__ import annotations

from collections.abc import Sequence

from common.records import Flag
from store.db import Database


def save_flags(db: Database, flags: Sequence[Flag], claim_versions: dict[str, int],
               model_version: str) -> None:
    """Write flags and their matches in one transaction, with an audit row when a flag changes."""
    with db.transaction() as conn:
        for flag in flags:
            before = conn.execute("SELECT flagged FROM flags WHERE post_id = ?",
                                  [flag.post_id]).fetchone()
            conn.execute(
                "INSERT INTO flags (post_id, flagged, score, stance, topic, reason, "
                "classifier_score, model_version, basis, detector_score, scored_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()) "
                "ON CONFLICT (post_id) DO UPDATE SET flagged = excluded.flagged, "
                "score = excluded.score, stance = excluded.stance, topic = excluded.topic, "
                "reason = excluded.reason, classifier_score = excluded.classifier_score, "
                "model_version = excluded.model_version, basis = excluded.basis, "
                "detector_score = excluded.detector_score, scored_at = excluded.scored_at",
                [flag.post_id, flag.flagged, flag.score, flag.stance, flag.topic, flag.reason,
                 flag.classifier_score, model_version, flag.basis, flag.detector_score],
            )
            conn.execute("DELETE FROM post_claims WHERE post_id = ?", [flag.post_id])
            for m in flag.matches:
                conn.execute(
                    "INSERT INTO post_claims (post_id, claim_id, claim_version, sentence, "
                    "similarity, stance) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                    "similarity = greatest(post_claims.similarity, excluded.similarity)",
                    [flag.post_id, m.claim_id, claim_versions.get(m.claim_id, 1), m.sentence,
                     m.similarity, m.stance],
                )
            if before is None or bool(before[0]) != flag.flagged:
                db.audit("pipeline", "flag", flag.post_id,
                         "flagged" if flag.flagged else "cleared", f"score={flag.score}")


def flagged_posts(db: Database) -> list[dict[str, object]]:
    """Flagged posts with what the review queue needs to route and prioritise them."""
    return db.dicts(
        "SELECT f.post_id, f.score, f.topic, f.reason, f.stance, f.model_version, f.basis, "
        "f.detector_score, p.title, "
        "p.url, p.published, p.lang, coalesce(s.audience, 1000) AS audience, "
        "(SELECT count(*) FROM posts d WHERE d.duplicate_of = p.id) AS reposts "
        "FROM flags f JOIN posts p ON p.id = f.post_id LEFT JOIN sources s ON s.id = p.source_id "
        "WHERE f.flagged ORDER BY f.post_id"
    )
