"""Reading the audit log back to verify its hash chain (rows are written by Database.audit only)."""

from __future__ import annotations

from collections.abc import Iterator

from store.audit_chain import AuditRow, ChainReport, verify_chain
from store.db import Database

BATCH = 10_000


def audit_rows(db: Database) -> Iterator[AuditRow]:
    """Every audit row in id order, read in batches."""
    cursor = db.execute(
        "SELECT id, epoch_us(logged_at), actor, entity, entity_id, action, detail, prev_hash, "
        "row_hash FROM audit_log ORDER BY id")
    while batch := cursor.fetchmany(BATCH):
        for row in batch:
            yield AuditRow(*row)


def verify_audit(db: Database, anchor: tuple[int, str] | None = None) -> ChainReport:
    """Check the chain; also that the newest row is the one the chain head says (a cut-off end
    shows there unless audit_head was rewritten too)."""
    report = verify_chain(audit_rows(db), anchor)
    if not report.ok:
        return report
    head = db.rows("SELECT id, row_hash FROM audit_head")
    if head and (head[0][0], head[0][1]) != (report.head_id, report.head_hash):
        return ChainReport(report.rows, report.head_id, report.head_hash, head[0][0],
                           f"the newest row should be {head[0][0]}: rows at the end removed",
                           report.anchor_found)
    if not head and report.rows:
        return ChainReport(report.rows, report.head_id, report.head_hash, report.head_id,
                           "the chain head record is missing", report.anchor_found)
    return report
