"""Flags and claim matches: one row per post (re-scoring replaces, never duplicates)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from common.records import Flag
from store.db import Database, insert_rows

_FLAG_COLUMNS = ("post_id, flagged, score, stance, topic, reason, classifier_score, "
                 "model_version, basis, detector_score")
_UPSERT_FLAGS = (
    f"INSERT INTO flags ({_FLAG_COLUMNS}, scored_at) SELECT *, now() FROM (VALUES {{rows}}) "
    "ON CONFLICT (post_id) DO UPDATE SET flagged = excluded.flagged, "
    "score = excluded.score, stance = excluded.stance, topic = excluded.topic, "
    "reason = excluded.reason, classifier_score = excluded.classifier_score, "
    "model_version = excluded.model_version, basis = excluded.basis, "
    "detector_score = excluded.detector_score, scored_at = excluded.scored_at")
_INSERT_MATCHES = (
    "INSERT INTO post_claims (post_id, claim_id, claim_version, sentence, similarity, stance) "
    "VALUES {rows}")


def save_flags(db: Database, flags: Sequence[Flag], claim_versions: dict[str, int],
               model_version: str) -> None:
    """Write flags and their matches in one transaction, with an audit row when a flag changes.

    A batch is a handful of statements whatever its size (the flags, their matches, the audit
    rows), so the one writer keeps up with many scoring workers."""
    latest = list({flag.post_id: flag for flag in flags}.values())  # a post twice: the last wins
    if not latest:
        return
    ids = [flag.post_id for flag in latest]
    with db.transaction() as conn:
        before = dict(conn.execute("SELECT post_id, flagged FROM flags WHERE post_id IN "
                                   "(SELECT unnest(?))", [ids]).fetchall())
        insert_rows(conn, _UPSERT_FLAGS, [
            (f.post_id, f.flagged, f.score, f.stance, f.topic, f.reason, f.classifier_score,
             model_version, f.basis, f.detector_score) for f in latest])
        conn.execute("DELETE FROM post_claims WHERE post_id IN (SELECT unnest(?))", [ids])
        insert_rows(conn, _INSERT_MATCHES, _match_rows(latest, claim_versions))
        db.audit_many([("pipeline", "flag", f.post_id, "flagged" if f.flagged else "cleared",
                        f"score={f.score}") for f in latest
                       if f.post_id not in before or bool(before[f.post_id]) != f.flagged])


def _match_rows(flags: Sequence[Flag], claim_versions: dict[str, int]) -> list[tuple[Any, ...]]:
    """One row per (post, claim): its first sentence and stance, the highest similarity."""
    rows: dict[tuple[str, str], list[Any]] = {}
    for flag in flags:
        for m in flag.matches:
            row = rows.setdefault((flag.post_id, m.claim_id), [
                flag.post_id, m.claim_id, claim_versions.get(m.claim_id, 1), m.sentence,
                m.similarity, m.stance])
            row[4] = max(row[4], m.similarity)
    return [tuple(row) for row in rows.values()]


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
