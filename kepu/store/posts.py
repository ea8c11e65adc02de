"""Posts and crawl bookkeeping: each post stored once, by canonical URL and content hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from kepu.records import Post
from kepu.store.db import Database

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


def save_post(db: Database, post: Post, canonical_url: str) -> StoredPost:
    """Insert or update one post idempotently; a copy of known text links to the first post."""
    digest = content_hash(post.text)
    pid = post_id_for(canonical_url)
    with db.transaction() as conn:
        row = conn.execute(
            "SELECT content_hash FROM posts WHERE canonical_url = ?", [canonical_url]
        ).fetchone()
        if row and row[0] == digest:
            return StoredPost(post, canonical_url, "unchanged")
        if row:
            conn.execute(
                "UPDATE posts SET text = ?, title = ?, content_hash = ?, fetched_at = now() "
                "WHERE canonical_url = ?",
                [post.text, post.title, digest, canonical_url],
            )
            db.audit("crawler", "post", pid, "changed", canonical_url)
            return StoredPost(post, canonical_url, "changed")
        first = conn.execute(
            "SELECT id FROM posts WHERE content_hash = ? AND duplicate_of IS NULL LIMIT 1", [digest]
        ).fetchone()
        conn.execute(
            "INSERT INTO posts (id, source_id, url, canonical_url, content_hash, title, text, "
            "author, published, lang, platform, fetched_at, duplicate_of) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?)",
            [pid, post.source_id, post.url, canonical_url, digest, post.title, post.text,
             post.author, post.published, post.lang, post.platform, first[0] if first else None],
        )
    return StoredPost(post, canonical_url, "duplicate" if first else "new")


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


def start_crawl_run(db: Database) -> int:
    return int(db.scalar("INSERT INTO crawl_runs (started_at) VALUES (now()) RETURNING id"))


def finish_crawl_run(db: Database, run_id: int, counts: dict[str, int]) -> None:
    db.execute(
        "UPDATE crawl_runs SET finished_at = now(), pages = ?, new_posts = ?, changed = ?, "
        "duplicates = ?, errors = ? WHERE id = ?",
        [counts.get("pages", 0), counts.get("new", 0), counts.get("changed", 0),
         counts.get("duplicate", 0), counts.get("errors", 0), run_id],
    )


def record_crawl_error(db: Database, run_id: int, url: str, reason: str) -> None:
    db.execute(
        "INSERT INTO crawl_errors (run_id, url, reason, failed_at) VALUES (?, ?, ?, now())",
        [run_id, url, reason[:500]],
    )


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
