"""The audit log's hash chain on a real DuckDB file: any UPDATE or DELETE of an audit row makes
`kepu review verify-audit` fail (DuckDB has no triggers to stop one; the chain shows it)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from common.settings import PROJECT_ROOT
from store import Database
from store.audit import verify_audit
from store.audit_chain import parse_anchor


def _write(db: Database, n: int = 6) -> None:
    for i in range(n):
        with db.transaction():
            db.audit("tester", "review_task", f"t{i}", "created", f"detail {i} 中文")


def test_an_untouched_log_verifies_and_names_its_head(db):
    _write(db)
    report = verify_audit(db)
    assert report.ok and report.rows == 6
    assert (report.head_id, report.head_hash) == db.rows(
        "SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    assert verify_audit(db, (report.head_id, report.head_hash)).ok


@pytest.mark.parametrize("tamper", [
    "UPDATE audit_log SET detail = 'nothing happened' WHERE entity_id = 't2'",
    "UPDATE audit_log SET actor = 'someone else' WHERE entity_id = 't0'",
    "UPDATE audit_log SET logged_at = logged_at + INTERVAL 1 HOUR WHERE entity_id = 't3'",
    "DELETE FROM audit_log WHERE entity_id = 't2'",
    "DELETE FROM audit_log WHERE entity_id = 't0'",
    "DELETE FROM audit_log WHERE entity_id = 't5'",  # the newest row
    "UPDATE audit_log SET prev_hash = NULL, row_hash = NULL WHERE entity_id = 't4'",
])
def test_any_update_or_delete_of_an_audit_row_is_detected(db, tamper):
    _write(db)
    db.execute(tamper)
    report = verify_audit(db)
    assert not report.ok and report.broken_at is not None and report.reason


def test_a_row_rehashed_after_its_change_still_breaks_the_next_link(db):
    from store.audit_chain import chain_hash

    _write(db)
    row_id, logged, prev = db.rows("SELECT id, epoch_us(logged_at), prev_hash FROM audit_log "
                                   "WHERE entity_id = 't2'")[0]
    forged = chain_hash(prev, row_id, logged, "tester", "review_task", "t2", "created", "x")
    db.execute("UPDATE audit_log SET detail = 'x', row_hash = ? WHERE id = ?", [forged, row_id])
    report = verify_audit(db)
    assert not report.ok and report.broken_at == row_id + 1


def test_a_rewritten_chain_is_caught_by_a_head_written_down_before(db):
    from store.audit_chain import GENESIS, chain_hash

    _write(db)
    anchor = (verify_audit(db).head_id, verify_audit(db).head_hash)
    db.execute("UPDATE audit_log SET detail = 'rewritten' WHERE entity_id = 't1'")
    prev = GENESIS
    for row in db.rows("SELECT id, epoch_us(logged_at), actor, entity, entity_id, action, detail "
                       "FROM audit_log ORDER BY id"):
        digest = chain_hash(prev, *row)
        db.execute("UPDATE audit_log SET prev_hash = ?, row_hash = ? WHERE id = ?",
                   [prev, digest, row[0]])
        prev = digest
    db.execute("UPDATE audit_head SET row_hash = ?", [prev])
    assert verify_audit(db).ok  # a full rewrite is consistent on its own...
    assert not verify_audit(db, anchor).ok  # ...but not with the head kept elsewhere


def test_rows_written_before_the_chain_are_hashed_by_the_migration(tmp_path):
    path = tmp_path / "old.duckdb"
    with Database(path) as db:
        _write(db, 3)
        # As a database from before migration 007 had them: no hashes, no head.
        db.execute("UPDATE audit_log SET prev_hash = NULL, row_hash = NULL")
        db.execute("DELETE FROM audit_head")
        db.execute("DELETE FROM schema_migrations WHERE version = 7")
        assert not verify_audit(db).ok
    with Database(path) as db:  # migrates again
        _write(db, 1)
        report = verify_audit(db)
        assert report.ok and report.rows == 4


def test_anchor_text_is_checked():
    assert parse_anchor("12:" + "a" * 64) == (12, "a" * 64)
    with pytest.raises(ValueError, match="ID:HASH"):
        parse_anchor("12:abc")


def test_verify_audit_command_exit_status(tmp_path):
    home = tmp_path / "home"
    with Database(home / "kepu.duckdb") as db:
        _write(db, 3)
    env = {**os.environ, "KEPU_HOME": str(home)}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "kepu", "review", "verify-audit", *args],
                              cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                              timeout=120)

    ok = run()
    assert ok.returncode == 0 and "audit log intact: 3 rows" in ok.stdout
    head = ok.stdout.split("head ", 1)[1].split()[0]
    assert run("--expect", head).returncode == 0
    with Database(home / "kepu.duckdb") as db:
        db.execute("DELETE FROM audit_log WHERE entity_id = 't1'")
    broken = run()
    assert broken.returncode == 2 and "audit_log row" in broken.stdout
