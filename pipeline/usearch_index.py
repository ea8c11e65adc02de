"""HNSW vector search with usearch (adapter): used once the claims base is large."""

from __future__ import annotations

import numpy as np


class UsearchSearch:
    """Approximate inner-product search; returns (indices, similarities) like ExactSearch."""

    def __init__(self, vectors: np.ndarray, connectivity: int = 16, expansion_search: int = 128
                 ) -> None:
        from usearch.index import Index

        self.index = Index(ndim=vectors.shape[1], metric="ip", dtype="f32",
                           connectivity=connectivity, expansion_search=expansion_search)
        self.index.add(np.arange(len(vectors), dtype=np.uint64), vectors.astype(np.float32))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, len(self.index))
        found = self.index.search(queries.astype(np.float32), k)
        keys = np.asarray(found.keys, dtype=np.int64).reshape(len(queries), -1)
        sims = 1.0 - np.asarray(found.distances, dtype=np.float32).reshape(len(queries), -1)
        return keys, sims
