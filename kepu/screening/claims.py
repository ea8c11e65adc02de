"""The claims base: importing a user's file (all or nothing) and the bundled base on first use."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
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


def scratch_settings(settings: Settings, claims: Sequence[dict[str, object]], tag: str
                     ) -> Settings:
    """Settings whose home is a scratch folder under HOME/eval holding exactly `claims` (imported
    once, its claim vectors cached there): a base to measure or fit against, apart from the
    user's own."""
    text = "".join(json.dumps(c, ensure_ascii=False, sort_keys=True) + "\n" for c in claims)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    home = settings.home / "eval" / f"{tag}-{digest}"
    scratch = settings.model_copy(update={"home": home, "db_path": None, "model_dir": None})
    if not (home / "imported").exists():
        home.mkdir(parents=True, exist_ok=True)
        path = home / "claims.jsonl"
        path.write_text(text, encoding="utf-8")
        import_claims(scratch, path)
        (home / "imported").write_text(digest, encoding="utf-8")
    return scratch
