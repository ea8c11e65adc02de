"""Match post sentences to reference claims by cosine similarity (exact search, numpy)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kepu.records import Claim


@dataclass(frozen=True)
class SentenceHit:
    """The best claim for one sentence."""

    sentence_index: int
    claim: Claim
    similarity: float
    threshold: float = 0.0


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


class ClaimIndex:
    """Claims with their normalised vectors; exact inner-product search.

    With `center`, the claims' mean vector is subtracted from claims and queries alike before
    renormalising: e5-style models put every text in a narrow cone (unrelated Chinese sentences
    score 0.9), and centring spreads related and unrelated pairs apart.
    """

    def __init__(self, claims: Sequence[Claim], vectors: np.ndarray, center: bool = False) -> None:
        if len(claims) != len(vectors):
            raise ValueError("one vector per claim expected")
        self.claims = list(claims)
        raw = np.asarray(vectors, dtype=np.float32)
        self.mean = raw.mean(axis=0) if center and len(raw) else None
        self.vectors = self.prepare(raw)
        self.by_id = {c.id: c for c in self.claims}

    def prepare(self, vectors: np.ndarray) -> np.ndarray:
        """Apply the index's transform (centring, if any) to query vectors."""
        if self.mean is None:
            return np.asarray(vectors, dtype=np.float32)
        return _normalise(np.asarray(vectors, dtype=np.float32) - self.mean)

    def __len__(self) -> int:
        return len(self.claims)

    def search(self, queries: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (indices, similarities) per query row, best first."""
        if len(self.claims) == 0 or len(queries) == 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(int), empty
        sims = self.prepare(queries) @ self.vectors.T
        k = min(k, sims.shape[1])
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1)
        return np.take_along_axis(top, order, axis=1), np.take_along_axis(top_sims, order, axis=1)


def match_claims(
    index: ClaimIndex, sentence_vectors: np.ndarray, thresholds: float | Sequence[float]
) -> list[SentenceHit]:
    """For every sentence, its best claim when the similarity reaches the (per-sentence)
    threshold."""
    ids, sims = index.search(sentence_vectors, k=1)
    if isinstance(thresholds, float | int):
        thresholds = [float(thresholds)] * len(sentence_vectors)
    hits = []
    for row in range(len(sentence_vectors)):
        if ids.shape[1] and sims[row, 0] >= thresholds[row]:
            hits.append(SentenceHit(row, index.claims[int(ids[row, 0])], float(sims[row, 0]),
                                    float(thresholds[row])))
    return hits
