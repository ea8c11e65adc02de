"""The DuckDB adapter: owns the connection, the numbered migrations and error wrapping.

One writer process per database file; every other module goes through a repository here.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import duckdb

from common.errors import StoreError
from store.audit_chain import GENESIS, chain_hash

log = logging.getLogger(__name__)
AUDIT_CHAIN_MIGRATION = 7  # the migration that adds the hash chain; earlier rows are hashed then


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("store").joinpath("migrations").iterdir():
        if entry.name.endswith(".sql"):
            number = int(entry.name.split("_", 1)[0])
            found.append((number, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


def _lock_holder(message: str) -> str | None:
    """'PID 123 (python -m kepu score)' from DuckDB's lock error; None for other errors."""
    found = _LOCK_HOLDER.search(message)
    if not found:
        return "another process" if "Could not set lock" in message else None
    program, pid = found[1], int(found[2])
    try:
        import psutil

        program = " ".join(" ".join(psutil.Process(pid).cmdline()).split()) or program
    except Exception:  # the process may be gone, or not ours to inspect
        pass
    return f"PID {pid} ({program[:200]})"


class Database:
    """A DuckDB file with the kepu schema applied; `?` parameters only.

    DuckDB lets one process write a file. Opening one another process holds waits for it up to
    `lock_wait_s` (the db_lock_wait_s setting: entry points set the class default once), saying
    which process holds it, then gives up with a StoreError naming that process.
    """

    lock_wait_s: ClassVar[float] = 60.0

    def __init__(self, path: Path | str, read_only: bool = False,
                 lock_wait_s: float | None = None) -> None:
        self.path = Path(path)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = self._connect(read_only, self.lock_wait_s if lock_wait_s is None
                                  else lock_wait_s)
        if not read_only:
            self.migrate()

    def _connect(self, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
        deadline, told = time.monotonic() + wait_s, False
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.Error as exc:
                holder = _lock_holder(str(exc))
                if holder is None:
                    raise StoreError(f"{self.path}: cannot open database: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"{self.path}: in use by {holder} for more than {wait_s:g} s (DuckDB "
                        "lets one process write a file): let it finish, or wait longer with "
                        "KEPU_DB_LOCK_WAIT_S") from exc
                if not told:
                    log.warning("%s is in use by %s; waiting up to %g s for it", self.path,
                                holder, wait_s)
                    told = True
                time.sleep(min(0.25, max(0.0, deadline - time.monotonic())))

    def migrate(self) -> list[int]:
        """Apply the numbered migrations not yet applied; returns the ones applied now."""
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ DEFAULT now())"
        )
        done = {row[0] for row in self.conn.execute("SELECT version FROM schema_migrations").fetchall()}
        applied = []
        for number, name, sql in _migrations():
            if number in done:
                continue
            with self.transaction():
                self.conn.execute(sql)
                if number == AUDIT_CHAIN_MIGRATION:
                    self._chain_earlier_audit_rows()
                self.conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [number, name]
                )
            applied.append(number)
            log.info("applied migration %s", name)
        return applied

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        try:
            self.conn.execute("BEGIN TRANSACTION")
            yield self.conn
            self.conn.execute("COMMIT")
        except duckdb.Error as exc:
            self.conn.execute("ROLLBACK")
            raise StoreError(f"{self.path}: {exc}") from exc
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def execute(self, sql: str, params: Sequence[Any] = ()) -> duckdb.DuckDBPyConnection:
        try:
            return self.conn.execute(sql, list(params))
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: {exc}") from exc

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.execute(sql, params).fetchall()

    def dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return row[0] if row else None

    def audit(self, actor: str, entity: str, entity_id: str, action: str, detail: str = "") -> None:
        """Append one audit-log row, chained to the previous one (see store.audit_chain)."""
        self.audit_many([(actor, entity, entity_id, action, detail)])

    def audit_many(self, rows: Sequence[tuple[str, str, str, str, str]]) -> None:
        """Append audit-log rows (actor, entity, entity_id, action, detail) in order, each
        chained to the one before, in three statements whatever their number.

        The only writer of audit rows; callers do this inside the same transaction as the change.
        """
        if not rows:
            return
        head = self.conn.execute("SELECT row_hash FROM audit_head").fetchone()
        prev = head[0] if head else GENESIS
        ids = sorted(r[0] for r in self.conn.execute(
            "SELECT nextval('audit_seq') FROM range(?)", [len(rows)]).fetchall())
        logged = datetime.now(UTC)
        logged_us = int(logged.timestamp()) * 1_000_000 + logged.microsecond
        chained = []
        for row_id, row in zip(ids, rows, strict=True):
            digest = chain_hash(prev, row_id, logged_us, *row)
            chained.append((row_id, logged, *row, prev, digest))
            prev = digest
        insert_rows(self.conn, "INSERT INTO audit_log (id, logged_at, actor, entity, entity_id, "
                    "action, detail, prev_hash, row_hash) VALUES {rows}", chained)
        self.conn.execute(
            "INSERT INTO audit_head (one, id, row_hash) VALUES (1, ?, ?) "
            "ON CONFLICT DO UPDATE SET id = excluded.id, row_hash = excluded.row_hash",
            [chained[-1][0], chained[-1][-1]])

    def _chain_earlier_audit_rows(self) -> None:
        """Migration 007: hash the rows written before the chain existed, in id order."""
        rows = self.conn.execute(
            "SELECT id, epoch_us(logged_at), actor, entity, entity_id, action, detail "
            "FROM audit_log ORDER BY id").fetchall()
        prev, hashed = GENESIS, []
        for row_id, logged_us, *rest in rows:
            digest = chain_hash(prev, row_id, logged_us, *rest)
            hashed.append((row_id, prev, digest))
            prev = digest
        if not hashed:
            return
        self.conn.execute("CREATE TEMP TABLE chained (id BIGINT, prev_hash VARCHAR, row_hash VARCHAR)")
        self.conn.executemany("INSERT INTO chained VALUES (?, ?, ?)", hashed)
        self.conn.execute("UPDATE audit_log SET prev_hash = c.prev_hash, row_hash = c.row_hash "
                          "FROM chained c WHERE audit_log.id = c.id")
        self.conn.execute("DROP TABLE chained")
        self.conn.execute("INSERT INTO audit_head (one, id, row_hash) VALUES (1, ?, ?)",
                          [hashed[-1][0], hashed[-1][2]])

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def insert_rows(conn: duckdb.DuckDBPyConnection, sql: str, rows: Sequence[Sequence[Any]],
                chunk: int = 500) -> None:
    """Run `sql`, whose `{rows}` slot takes a VALUES list, once per `chunk` rows: one statement
    per chunk instead of one per row (DuckDB pays a fixed cost per statement)."""
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        slot = "(" + ", ".join("?" * len(part[0])) + ")"
        conn.execute(sql.format(rows=", ".join([slot] * len(part))),
                     [value for row in part for value in row])
