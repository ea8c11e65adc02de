"""Match post sentences to reference claims: dense similarity fused with BM25.

Dense vectors find paraphrases and cross-language matches; BM25 catches rare names and numbers.
Exact numpy search below `ann_threshold` claims, an HNSW index (usearch, injected) above it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from kepu.records import Claim
from pipeline.lexical import BM25, reciprocal_rank_fusion, tokenize


@dataclass(frozen=True)
class SentenceHit:
    """The best claim for one sentence."""

    sentence_index: int
    claim: Claim
    similarity: float
    threshold: float = 0.0


class VectorSearch(Protocol):
    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...


class ExactSearch:
    """Brute-force inner product: exact, and fast enough below ~100k vectors."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        sims = queries @ self.vectors.T
        k = min(k, sims.shape[1])
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1)
        return np.take_along_axis(top, order, axis=1), np.take_along_axis(top_sims, order, axis=1)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


class ClaimIndex:
    """Claims with their vectors (and BM25 over their text) for hybrid search.

    With `center`, the claims' mean vector is subtracted from claims and queries alike before
    renormalising: e5-style models put every text in a narrow cone (unrelated Chinese sentences
    score 0.9), and centring spreads related and unrelated pairs apart.
    """

    def __init__(self, claims: Sequence[Claim], vectors: np.ndarray, center: bool = False,
                 lexical: bool = True, ann_threshold: int = 20_000,
                 ann_factory: Callable[[np.ndarray], VectorSearch] | None = None) -> None:
        if len(claims) != len(vectors):
            raise ValueError("one vector per claim expected")
        self.claims = list(claims)
        raw = np.asarray(vectors, dtype=np.float32)
        self.raw = raw  # untransformed, for comparisons outside the search (stance)
        self.mean = raw.mean(axis=0) if center and len(raw) else None
        self.vectors = self.prepare(raw)
        self.by_id = {c.id: c for c in self.claims}
        self.position = {c.id: i for i, c in enumerate(self.claims)}
        use_ann = ann_factory is not None and len(self.claims) >= ann_threshold
        self.dense: VectorSearch = (ann_factory(self.vectors) if use_ann and ann_factory
                                    else ExactSearch(self.vectors))
        self.bm25 = BM25([tokenize(c.text) for c in self.claims]) if lexical else None

    def __len__(self) -> int:
        return len(self.claims)

    def prepare(self, vectors: np.ndarray) -> np.ndarray:
        """Apply the index's transform (centring, if any) to query vectors."""
        if self.mean is None:
            return np.asarray(vectors, dtype=np.float32)
        return _normalise(np.asarray(vectors, dtype=np.float32) - self.mean)

    def search(self, queries: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
        """Dense top-k (indices, similarities) per query row, best first."""
        if len(self.claims) == 0 or len(queries) == 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(int), empty
        return self.dense.search(self.prepare(queries), k)

    def lexical_rank(self, text: str, k: int = 10) -> list[int]:
        """BM25 top-k claim indices with a positive score (empty without the lexical index)."""
        if self.bm25 is None:
            return []
        scores = self.bm25.scores(tokenize(text))
        return [int(i) for i in np.argsort(-scores)[:k] if scores[i] > 0]

    def rank(self, texts: Sequence[str], queries: np.ndarray, k: int = 10) -> list[list[int]]:
        """Fused (dense + BM25) ranking of claim indices per query, best first."""
        ids, _ = self.search(queries, k)
        return [[doc for doc, _ in reciprocal_rank_fusion(
                    [ids[row].tolist(), self.lexical_rank(text, k)])][:k]
                for row, text in enumerate(texts)]


def match_claims(index: ClaimIndex, sentence_vectors: np.ndarray,
                 thresholds: float | Sequence[float],
                 texts: Sequence[str] | None = None, k: int = 5) -> list[SentenceHit]:
    """For every sentence, its best claim whose dense similarity reaches the (per-sentence)
    threshold; with `texts`, candidates are ordered by the fused dense+BM25 ranking."""
    if isinstance(thresholds, float | int):
        thresholds = [float(thresholds)] * len(sentence_vectors)
    if len(index) == 0 or len(sentence_vectors) == 0:
        return []
    prepared = index.prepare(sentence_vectors)
    if texts is None:
        ranked = index.search(sentence_vectors, 1)[0].tolist()
    else:
        ranked = index.rank(texts, sentence_vectors, k)
    hits = []
    for row, candidates in enumerate(ranked):
        for i in candidates:
            similarity = float(prepared[row] @ index.vectors[i])
            if similarity >= thresholds[row]:
                hits.append(SentenceHit(row, index.claims[i], similarity, float(thresholds[row])))
                break
    return hits
