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


class ClaimIndex:
    """Claims with their normalised vectors; exact inner-product search."""

    def __init__(self, claims: Sequence[Claim], vectors: np.ndarray) -> None:
        if len(claims) != len(vectors):
            raise ValueError("one vector per claim expected")
        self.claims = list(claims)
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.by_id = {c.id: c for c in self.claims}

    def __len__(self) -> int:
        return len(self.claims)

    def search(self, queries: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (indices, similarities) per query row, best first."""
        if len(self.claims) == 0 or len(queries) == 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(int), empty
        sims = queries @ self.vectors.T
        k = min(k, sims.shape[1])
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1)
        return np.take_along_axis(top, order, axis=1), np.take_along_axis(top_sims, order, axis=1)


def match_claims(
    index: ClaimIndex, sentence_vectors: np.ndarray, threshold: float
) -> list[SentenceHit]:
    """For every sentence, its best claim when the similarity reaches the threshold."""
    ids, sims = index.search(sentence_vectors, k=1)
    hits = []
    for row in range(len(sentence_vectors)):
        if ids.shape[1] and sims[row, 0] >= threshold:
            hits.append(SentenceHit(row, index.claims[int(ids[row, 0])], float(sims[row, 0])))
    return hits
