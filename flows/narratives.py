"""Emerging narratives: clusters of flagged posts that match no known claim (pure).

Cheap on purpose: hashed character 2-3-gram TF-IDF (works for Chinese without a tokenizer), a
cosine-threshold graph over this week's posts, connected components as clusters. Each earlier
post (within the lookback the caller read) joins the cluster of its most similar post this week,
which dates the narrative (first seen) and measures its growth over last week.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Example:
    """One post shown for a narrative; the author is already pseudonymised."""

    post_id: str
    title: str
    platform: str
    author: str
    seen_at: datetime


@dataclass(frozen=True)
class Narrative:
    """A cluster of this week's unmatched flagged posts."""

    label: str
    size: int
    size_prev: int
    first_seen: datetime
    examples: tuple[Example, ...]

    @property
    def growth(self) -> float | None:
        return (self.size - self.size_prev) / self.size_prev if self.size_prev else None


def _doc(row: dict[str, Any]) -> str:
    return f"{row.get('title') or ''} {row.get('text') or ''}".lower()


def _snippet(row: dict[str, Any], width: int = 80) -> str:
    text = " ".join(str(row.get("title") or row.get("text") or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def char_ngram_tfidf(docs: Sequence[str], sizes: tuple[int, ...] = (2, 3),
                     buckets: int = 1 << 18) -> Any:
    """Hashed character n-gram TF-IDF rows (sublinear tf, smooth idf, L2-normalised), built with
    numpy over all documents at once: no tokenizer, works the same for Chinese and English."""
    from scipy import sparse

    texts = [" ".join(d.split()) for d in docs]
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    owner = np.repeat(np.arange(len(texts)), lengths)
    rows, cols = [], []
    for n in sizes:
        if len(codes) < n:
            continue
        key = np.zeros(len(codes) - n + 1, dtype=np.uint64)
        for k in range(n):
            key = key * np.uint64(1_000_003) + codes[k: len(codes) - n + 1 + k]
        same = owner[: len(key)] == owner[n - 1:]
        rows.append(owner[: len(key)][same])
        cols.append((key[same] * np.uint64(0x9E3779B97F4A7C15) >> np.uint64(40)) % buckets)
    if not rows:
        return sparse.csr_matrix((len(texts), buckets), dtype=np.float32)
    r, c = np.concatenate(rows), np.concatenate(cols).astype(np.int64)
    tf = sparse.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=(len(texts), buckets))
    tf.sum_duplicates()
    tf.data = 1.0 + np.log(tf.data)
    df = np.bincount(tf.indices, minlength=buckets)
    idf = (np.log((1 + len(texts)) / (1 + df)) + 1.0).astype(np.float32)
    tf.data *= idf[tf.indices]
    norms = np.sqrt(np.asarray(tf.multiply(tf).sum(axis=1)).ravel()) + 1e-12
    return sparse.diags((1.0 / norms).astype(np.float32)) @ tf


def _components(x: Any, similarity: float, chunk: int = 1024) -> np.ndarray:
    """Connected components of the graph linking rows with cosine similarity >= `similarity`."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    rows, cols = [], []
    for lo in range(0, x.shape[0], chunk):
        block = (x[lo: lo + chunk] @ x.T).tocoo()
        keep = block.data >= similarity
        rows.append(block.row[keep] + lo)
        cols.append(block.col[keep])
    r, c = np.concatenate(rows), np.concatenate(cols)
    graph = sparse.csr_matrix((np.ones(len(r), np.int8), (r, c)), shape=(x.shape[0],) * 2)
    return connected_components(graph, directed=False)[1]


def _nearest_cluster(x_past: Any, x_now: Any, cluster_of: np.ndarray, similarity: float,
                     chunk: int = 1024) -> np.ndarray:
    """For each earlier post, the cluster of its most similar post this week (the same linking
    rule as inside a week), or -1 when none reaches `similarity`."""
    owner = np.full(x_past.shape[0], -1)
    for lo in range(0, x_past.shape[0], chunk):
        block = (x_past[lo: lo + chunk] @ x_now.T).tocsr()
        best = np.asarray(block.argmax(axis=1)).ravel()
        value = np.asarray(block.max(axis=1).todense()).ravel()
        owner[lo: lo + len(best)] = np.where(value >= similarity, cluster_of[best], -1)
    return owner


def cluster_narratives(rows: Sequence[dict[str, Any]], week_start: datetime,
                       prev_start: datetime, pseudonymise: Callable[[str], str], *,
                       similarity: float = 0.5, min_size: int = 3, top: int = 10,
                       examples: int = 3) -> tuple[Narrative, ...]:
    """Cluster this week's rows (seen_at >= week_start); earlier rows date and size the past.

    Rows need id, title, text, author, platform, seen_at. Largest clusters first.
    """
    current = [r for r in rows if r["seen_at"] >= week_start]
    history = [r for r in rows if r["seen_at"] < week_start]
    if len(current) < min_size:
        return ()
    x = char_ngram_tfidf([_doc(r) for r in current + history])
    x_now, x_past = x[: len(current)], x[len(current):]
    labels = _components(x_now, similarity)
    sizes = np.bincount(labels)
    keep = [c for c in np.argsort(-sizes, kind="stable") if sizes[c] >= min_size][:top]
    if not keep:
        return ()
    members = [np.flatnonzero(labels == c) for c in keep]
    centres = np.vstack([np.asarray(x_now[m].mean(axis=0)).ravel() for m in members])
    centres /= np.linalg.norm(centres, axis=1, keepdims=True) + 1e-12
    cluster_of = np.full(len(current), -1)
    for k, idx in enumerate(members):
        cluster_of[idx] = k
    past_owner = _nearest_cluster(x_past, x_now, cluster_of, similarity)
    out = []
    for k, idx in enumerate(members):
        past = [history[i] for i in np.flatnonzero(past_owner == k)]
        central = idx[np.argsort(-np.asarray(x_now[idx] @ centres[k]).ravel(), kind="stable")]
        shown = tuple(Example(str(current[i]["id"]), _snippet(current[i]),
                              str(current[i]["platform"]),
                              pseudonymise(str(current[i]["author"] or "")),
                              current[i]["seen_at"]) for i in central[:examples])
        out.append(Narrative(
            label=_snippet(current[central[0]], 60), size=len(idx),
            size_prev=sum(1 for r in past if r["seen_at"] >= prev_start),
            first_seen=min(r["seen_at"] for r in [*past, *(current[i] for i in idx)]),
            examples=shown))
    return tuple(out)
