"""Crawl bookkeeping: runs (started, ended or died), failed URLs, and the page digests that say
which crawled pages the store holds exactly as last fetched."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

from store.db import Database

RunOutcome = Literal["finished", "stopped"]


def start_crawl_run(db: Database) -> tuple[int, list[int]]:
    """A new run's id, and the ids of earlier runs that never ended (their process died: one
    writer holds the file, so no other run can be in progress), now marked 'died'."""
    with db.transaction() as conn:
        died = sorted(r[0] for r in conn.execute(
            "UPDATE crawl_runs SET outcome = 'died' WHERE finished_at IS NULL "
            "AND outcome IS NULL RETURNING id").fetchall())
        run_id = conn.execute(
            "INSERT INTO crawl_runs (started_at) VALUES (now()) RETURNING id").fetchone()[0]
    return int(run_id), died


def end_crawl_run(conn: Any, run_id: int, counts: Mapping[str, int], outcome: RunOutcome,
                  crawled_sources: Iterable[str] = ()) -> None:
    """Close a run inside the caller's transaction (the one that stores its last batch): its
    counts and outcome, and the sources it crawled to the end marked crawled now."""
    conn.execute(
        "UPDATE crawl_runs SET finished_at = now(), outcome = ?, pages = ?, new_posts = ?, "
        "changed = ?, duplicates = ?, errors = ?, unchanged = ?, near_duplicates = ?, "
        "refused = ? WHERE id = ?",
        [outcome, counts.get("pages", 0), counts.get("new", 0), counts.get("changed", 0),
         counts.get("duplicate", 0), counts.get("errors", 0), counts.get("unchanged", 0),
         counts.get("near_duplicate", 0), counts.get("refused", 0), run_id],
    )
    for source_id in crawled_sources:
        conn.execute(
            "INSERT INTO source_crawls (source_id, last_crawled_at) VALUES (?, now()) "
            "ON CONFLICT (source_id) DO UPDATE SET last_crawled_at = excluded.last_crawled_at",
            [source_id],
        )


def record_crawl_error(db: Database, run_id: int, url: str, reason: str,
                       kind: str = "error") -> None:
    """One failed (kind 'error') or deliberately refused (kind 'refused') URL, with the reason."""
    db.execute(
        "INSERT INTO crawl_errors (run_id, url, reason, failed_at, kind) "
        "VALUES (?, ?, ?, now(), ?)",
        [run_id, url[:2000], reason[:500], kind],
    )


def write_page_digests(conn: Any, rows: Sequence[tuple[str, str]]) -> None:
    """(canonical URL, page digest) of posts stored in the caller's transaction."""
    if not rows:
        return
    conn.execute(
        "INSERT INTO page_digests (canonical_url, host, digest, stored_at) "
        "SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), now() "
        "ON CONFLICT (canonical_url) DO UPDATE SET digest = excluded.digest, "
        "stored_at = excluded.stored_at",
        [[r[0] for r in rows], [urlsplit(r[0]).hostname or "" for r in rows],
         [r[1] for r in rows]],
    )


def page_digests(db: Database, hosts: Iterable[str]) -> dict[str, str]:
    """canonical URL -> digest of the page its stored post came from, for pages on these hosts
    (and their subdomains): what a crawl of them may count unchanged without reading it."""
    wanted = sorted({h.lower() for h in hosts if h})
    if not wanted:
        return {}
    return {r[0]: r[1] for r in db.rows(
        "SELECT d.canonical_url, d.digest FROM page_digests d "
        "JOIN (SELECT unnest(?::VARCHAR[]) AS h) w ON d.host = w.h OR d.host LIKE '%.' || w.h",
        [wanted])}


def died_runs(db: Database) -> list[int]:
    """Runs found unfinished by a later run, oldest first."""
    return [r[0] for r in db.rows("SELECT id FROM crawl_runs WHERE outcome = 'died' ORDER BY id")]
