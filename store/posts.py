"""Posts and crawl bookkeeping: each post stored once, by canonical URL and content hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from common.records import Post
from store.db import Database

Outcome = Literal["new", "changed", "unchanged", "duplicate"]


def post_id_for(canonical_url: str) -> str:
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def content_hash(text: str) -> str:
    """Hash of the whitespace-normalised text, so re-wrapped copies hash the same."""
    normal = " ".join(text.split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredPost:
    post: Post
    canonical_url: str
    outcome: Outcome
    post_id: str = ""
    duplicate_of: str | None = None
    near: bool = False  # linked as a near-duplicate (small edits), not an exact copy


def save_post(db: Database, post: Post, canonical_url: str,
              signature: Sequence[int] | None = None,
              near_duplicate_of: str | None = None) -> StoredPost:
    """Insert or update one post idempotently; a copy of known text links to the first post.

    `near_duplicate_of` (found by the caller's MinHash index) links a repost with small edits to
    the original of that post; `signature` is kept so the index can be rebuilt from the database.
    """
    with db.transaction() as conn:
        return store_post(db, conn, post, canonical_url, signature, near_duplicate_of)


def store_post(db: Database, conn: Any, post: Post, canonical_url: str,
               signature: Sequence[int] | None = None,
               near_duplicate_of: str | None = None,
               store_signature: bool = True) -> StoredPost:
    """save_post's work inside the caller's transaction (batches commit once); a batch may
    leave the signature to one bulk write_signatures() call."""
    digest = content_hash(post.text)
    pid = post_id_for(canonical_url)
    row = conn.execute(
        "SELECT content_hash FROM posts WHERE canonical_url = ?", [canonical_url]
    ).fetchone()
    if row and row[0] == digest:
        return StoredPost(post, canonical_url, "unchanged", pid)
    if row:
        conn.execute(
            "UPDATE posts SET text = ?, title = ?, content_hash = ?, fetched_at = now() "
            "WHERE canonical_url = ?",
            [post.text, post.title, digest, canonical_url],
        )
        _store_signature(conn, pid, signature)
        db.audit("crawler", "post", pid, "changed", canonical_url)
        return StoredPost(post, canonical_url, "changed", pid)
    first = conn.execute(
        "SELECT id FROM posts WHERE content_hash = ? AND duplicate_of IS NULL LIMIT 1", [digest]
    ).fetchone()
    original = first[0] if first else _root_of(conn, near_duplicate_of)
    conn.execute(
        "INSERT INTO posts (id, source_id, url, canonical_url, content_hash, title, text, "
        "author, published, lang, platform, fetched_at, duplicate_of) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?)",
        [pid, post.source_id, post.url, canonical_url, digest, post.title, post.text,
         post.author, post.published, post.lang, post.platform, original],
    )
    if store_signature:
        _store_signature(conn, pid, signature)
    return StoredPost(post, canonical_url, "duplicate" if original else "new", pid, original,
                      near=bool(original) and not first)


def _root_of(conn: Any, post_id: str | None) -> str | None:
    """The original a post is a copy of (itself when it is an original)."""
    if not post_id:
        return None
    row = conn.execute("SELECT coalesce(duplicate_of, id) FROM posts WHERE id = ?",
                       [post_id]).fetchone()
    return row[0] if row else None


def _store_signature(conn: Any, post_id: str, signature: Sequence[int] | None) -> None:
    if signature is None:
        conn.execute("DELETE FROM post_signatures WHERE post_id = ?", [post_id])
        return
    conn.execute(
        "INSERT INTO post_signatures (post_id, signature, stored_at) VALUES (?, ?, now()) "
        "ON CONFLICT (post_id) DO UPDATE SET signature = excluded.signature, "
        "stored_at = excluded.stored_at",
        [post_id, list(signature)],
    )


def write_signatures(conn: Any, rows: Sequence[tuple[str, Sequence[int]]]) -> None:
    """Upsert many signatures in one statement (per-row statements dominate a crawl's writes)."""
    if not rows:
        return
    conn.execute(
        "INSERT INTO post_signatures (post_id, signature, stored_at) "
        "SELECT unnest(?::VARCHAR[]), unnest(?::BIGINT[][]), now() "
        "ON CONFLICT (post_id) DO UPDATE SET signature = excluded.signature, "
        "stored_at = excluded.stored_at",
        [[r[0] for r in rows], [list(r[1]) for r in rows]],
    )


def load_signatures(db: Database) -> list[tuple[str, list[int]]]:
    """Stored MinHash signatures, oldest post first (so the first copy wins ties)."""
    return [(r[0], r[1]) for r in db.rows(
        "SELECT s.post_id, s.signature FROM post_signatures s JOIN posts p ON p.id = s.post_id "
        "ORDER BY p.fetched_at, p.id")]


def posts_without_signature(db: Database) -> list[tuple[str, str]]:
    """(id, text) of posts stored before signatures existed, to backfill them."""
    return [(r[0], r[1]) for r in db.rows(
        "SELECT p.id, p.text FROM posts p LEFT JOIN post_signatures s ON s.post_id = p.id "
        "WHERE s.post_id IS NULL ORDER BY p.fetched_at, p.id")]


def save_signatures(db: Database, rows: Sequence[tuple[str, Sequence[int]]]) -> None:
    with db.transaction() as conn:
        write_signatures(conn, rows)


def load_posts(db: Database, only_unscored: bool = False) -> list[Post]:
    """Original posts (not duplicates), optionally only those without a flag decision."""
    where = "p.duplicate_of IS NULL"
    if only_unscored:
        where += " AND f.post_id IS NULL"
    rows = db.rows(
        "SELECT p.id, p.text, p.title, p.lang, p.url, p.author, p.platform, p.published, "
        f"p.source_id FROM posts p LEFT JOIN flags f ON f.post_id = p.id WHERE {where} "
        "ORDER BY p.id"
    )
    return [Post(*row) for row in rows]


def last_crawled(db: Database) -> dict[str, datetime]:
    return {r[0]: r[1] for r in db.rows("SELECT source_id, last_crawled_at FROM source_crawls")}


def upsert_sources(db: Database, sources: Iterable[dict[str, object]]) -> None:
    with db.transaction() as conn:
        for s in sources:
            conn.execute(
                "INSERT INTO sources (id, url, kind, lang, topic, platform, "
                "crawl_interval_minutes, audience) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET url = excluded.url, kind = excluded.kind, "
                "lang = excluded.lang, topic = excluded.topic, platform = excluded.platform, "
                "crawl_interval_minutes = excluded.crawl_interval_minutes, "
                "audience = excluded.audience",
                [s["id"], s["url"], s["kind"], s.get("lang"), s.get("topic"), s.get("platform"),
                 s.get("interval_minutes", 60), s.get("audience", 1000)],
            )
