"""The audit log's hash chain (pure): each row stores the hash of its own content plus the previous
row's hash, so changing, removing or inserting a row breaks the chain from that row on.

DuckDB has no triggers, so nothing stops an UPDATE or DELETE on `audit_log`; the chain only makes
one visible to `kepu review verify-audit`. It is not signed: someone who rewrites every row after
the one they changed goes unnoticed unless the head hash was kept elsewhere (verify-audit prints
it; `--expect ID:HASH` checks that a head written down earlier is still in the chain).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64  # the "previous hash" of the first row


@dataclass(frozen=True)
class AuditRow:
    """One audit-log row as stored, with its place in the chain."""

    id: int
    logged_us: int  # microseconds since the epoch (exact in DuckDB's TIMESTAMPTZ)
    actor: str
    entity: str
    entity_id: str
    action: str
    detail: str | None
    prev_hash: str | None
    row_hash: str | None


def chain_hash(prev_hash: str, row_id: int, logged_us: int, actor: str, entity: str,
               entity_id: str, action: str, detail: str | None) -> str:
    """sha256 over the previous hash and the row's content (canonical JSON, so no field can
    bleed into the next)."""
    content = json.dumps([row_id, logged_us, actor, entity, entity_id, action, detail],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def expected_hash(row: AuditRow, prev_hash: str) -> str:
    return chain_hash(prev_hash, row.id, row.logged_us, row.actor, row.entity, row.entity_id,
                      row.action, row.detail)


@dataclass(frozen=True)
class ChainReport:
    """What verification found: rows checked, the head, and the first break (None: intact)."""

    rows: int
    head_id: int | None
    head_hash: str
    broken_at: int | None = None
    reason: str = ""
    anchor_found: bool | None = None  # None: no anchor asked for

    @property
    def ok(self) -> bool:
        return self.broken_at is None and self.anchor_found is not False


def verify_chain(rows: Iterable[AuditRow], anchor: tuple[int, str] | None = None) -> ChainReport:
    """Walk the rows in id order; stop at the first row whose links or content do not match."""
    prev, count, head_id = GENESIS, 0, None
    anchor_found = None if anchor is None else False
    for row in rows:
        if row.prev_hash != prev:
            why = ("the row before it was changed or removed" if count else
                   "the first row does not start the chain (rows before it were removed)")
            return ChainReport(count, head_id, prev, row.id, f"previous-hash link broken: {why}")
        if row.row_hash != expected_hash(row, prev):
            return ChainReport(count, head_id, prev, row.id,
                               "content does not match its hash: the row was changed")
        if anchor is not None and row.id == anchor[0]:
            anchor_found = row.row_hash == anchor[1]
            if not anchor_found:
                return ChainReport(count, head_id, prev, row.id,
                                   "the chain was rewritten: the expected head hash differs",
                                   anchor_found=False)
        prev, count, head_id = row.row_hash, count + 1, row.id
    reason = "" if anchor_found is not False else (
        f"row {anchor[0]} of the expected head is gone (rows at the end removed)"  # type: ignore[index]
    )
    return ChainReport(count, head_id, prev, None, reason, anchor_found)


def parse_anchor(text: str) -> tuple[int, str]:
    """`ID:HASH` as printed by verify-audit -> (id, hash); ValueError when malformed."""
    row_id, _, digest = text.partition(":")
    if not row_id.strip().isdigit() or len(digest.strip()) != 64:
        raise ValueError(f"expected ID:HASH (a row id and a 64-hex-digit hash), got {text!r}")
    return int(row_id), digest.strip().lower()
