"""The one write path for posts (crawled or imported): exact and near-duplicate checks, then DuckDB.

Owns a Database and a MinHash index rebuilt from the signatures stored there, so reposts are
linked to the first copy across runs and across the crawler and the dump import alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from common.records import Post
from crawlers.neardup import NearDuplicateIndex, signature
from store import Database
from store.crawls import page_digests, write_page_digests
from store.posts import (
    StoredPost,
    load_signatures,
    post_id_for,
    posts_without_signature,
    save_signatures,
    store_post,
    write_signatures,
)


class PostSink:
    """Stores posts once each; call close() when done (one writer per database file)."""

    def __init__(self, db_path: Path | str, near_threshold: float = 0.8) -> None:
        self.db = Database(db_path)
        self.index = NearDuplicateIndex(near_threshold)
        self._backfill_signatures()
        self.index.add_all(load_signatures(self.db))

    def _backfill_signatures(self) -> None:
        """Posts stored before signatures existed get one now, so they can be matched too."""
        missing = [(pid, signature(text)) for pid, text in posts_without_signature(self.db)]
        found = [(pid, sig) for pid, sig in missing if sig is not None]
        if found:
            save_signatures(self.db, found)

    def save(self, post: Post, canonical_url: str) -> StoredPost:
        """Save one post under its canonical URL; the outcome says new/changed/unchanged/dup."""
        return self.save_batch([(post, canonical_url)])[0]

    def save_batch(self, rows: Sequence[tuple[Post, str]],
                   digests: Mapping[str, str] | None = None,
                   then: Callable[[Any, list[StoredPost]], None] | None = None,
                   ) -> list[StoredPost]:
        """Save posts in one transaction (one commit per batch); a later post in the batch can
        be a repost of an earlier one. `digests` (canonical URL -> digest of the page a post
        came from) are stored with the posts; `then(conn, results)` runs before the commit."""
        results, signatures = [], []
        with self.db.transaction() as conn:
            for post, canonical_url in rows:
                pid = post_id_for(canonical_url)
                sig = signature(post.text)
                near = self.index.find(sig, exclude=pid) if sig is not None else None
                stored = store_post(self.db, conn, replace(post, id=pid), canonical_url, sig,
                                    near, store_signature=sig is None)
                if sig is not None and stored.outcome != "unchanged":
                    self.index.add(pid, sig)
                    signatures.append((pid, sig))
                results.append(stored)
            write_signatures(conn, signatures)
            write_page_digests(conn, [(url, digests[url]) for _, url in rows
                                      if digests and url in digests])
            if then is not None:
                then(conn, results)
        return results

    def close(self) -> None:
        self.db.close()


def known_pages(db_path: Path | str, hosts: Iterable[str]) -> dict[str, str]:
    """canonical URL -> digest of the page each stored post of these hosts came from."""
    with Database(db_path) as db:
        return page_digests(db, hosts)
