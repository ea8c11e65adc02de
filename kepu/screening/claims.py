"""The claims base: importing a user's file (all or nothing) and the bundled base on first use."""

from __future__ import annotations

from pathlib import Path

from common.settings import Settings
from pipeline.claim_groups import group_repeated_texts
from pipeline.claims_file import read_claims
from store import Database
from store.claims import current_claims, save_claims


def import_claims(settings: Settings, path: Path, topic: str | None = None) -> dict[str, int]:
    """Validate the whole file first, then store it in one transaction (all or nothing).

    JSON lines / CSV in the claims-base format, or ClaimReview JSON-LD (`topic` is the default
    field for reviews that do not say theirs). Claims whose texts repeat another's (same
    language, up to case, quotes and punctuation) are grouped as one myth, stored ones included
    (`grouped`: how many claims of the file, and stored claims, take a group that way)."""
    from pipeline.claimreview import looks_like_claimreview, read_claimreviews

    limit = settings.max_claim_chars
    claims = (read_claimreviews(path, topic, limit) if looks_like_claimreview(path)
              else read_claims(path, limit))
    with Database(settings.database) as db:
        given = sum(1 for c in claims if c.group)
        claims, regrouped = group_repeated_texts(claims, current_claims(db))
        counts = save_claims(db, [*claims, *regrouped])
    return {**counts, "grouped": sum(1 for c in claims if c.group) - given + len(regrouped)}


def ensure_claims(settings: Settings) -> None:
    """Load the bundled claims base when the database has none yet."""
    with Database(settings.database) as db:
        count = db.scalar("SELECT count(*) FROM claims")
    if not count:
        import_claims(settings, settings.data_dir / "claims" / "claims.jsonl")
