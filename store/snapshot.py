"""A read-only copy of what scoring reads, for Dask workers (DuckDB: one writer per file).

Workers must not open the database file: its writer (the process storing flags) holds it. The
snapshot is a fresh DuckDB file with the same migrations, holding every table except those that
grow with posts, crawls and reviews: the claims base, its cached vectors, the model registry,
whatever else building a flagger reads. Its bytes travel to each worker, which opens its copy
read-only.
"""

from __future__ import annotations

from pathlib import Path

from store.db import Database

# Tables whose rows scale with posts, crawls or reviews: scoring does not read them.
LEFT_OUT = frozenset({
    "posts", "post_claims", "flags", "post_signatures", "page_digests", "crawl_runs",
    "crawl_errors", "audit_log", "audit_head", "review_tasks", "decisions", "review_rounds",
    "review_outbox", "review_outcomes", "review_rejections", "review_feedback",
    "review_void_tasks", "review_superseded", "training_examples", "schema_migrations",
})


def write_scoring_snapshot(db: Database, path: Path) -> list[str]:
    """Copy the scoring tables of `db` into a new DuckDB file at `path` (which must not exist);
    returns the tables copied."""
    Database(path).close()  # the same schema, by the same migrations
    tables = [r[0] for r in db.rows(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_catalog = current_database() AND table_type = 'BASE TABLE' ORDER BY 1")]
    copied = [t for t in tables if t not in LEFT_OUT]
    db.execute(f"ATTACH '{_quoted(path)}' AS snapshot")
    try:
        with db.transaction() as conn:
            for table in copied:
                conn.execute(f'INSERT INTO snapshot."{table}" SELECT * FROM main."{table}"')
    finally:
        db.execute("DETACH snapshot")
    return copied


def _quoted(path: Path) -> str:
    return str(path.resolve()).replace("'", "''")
