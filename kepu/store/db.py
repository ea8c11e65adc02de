"""The DuckDB adapter: owns the connection, the numbered migrations and error wrapping.

One writer process per database file; every other module goes through a repository here.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from kepu.errors import StoreError

log = logging.getLogger(__name__)


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("kepu.store").joinpath("migrations").iterdir():
        if entry.name.endswith(".sql"):
            number = int(entry.name.split("_", 1)[0])
            found.append((number, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class Database:
    """A DuckDB file with the kepu schema applied; `?` parameters only."""

    def __init__(self, path: Path | str, read_only: bool = False) -> None:
        self.path = Path(path)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: cannot open database: {exc}") from exc
        if not read_only:
            self.migrate()

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
        """Append one audit-log row; callers do this inside the same transaction as the change."""
        self.conn.execute(
            "INSERT INTO audit_log (logged_at, actor, entity, entity_id, action, detail) "
            "VALUES (now(), ?, ?, ?, ?, ?)",
            [actor, entity, entity_id, action, detail],
        )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
