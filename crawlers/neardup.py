"""Near-duplicate detection with MinHash LSH: a repost with small edits links to the first copy.

Shingles are 3-token windows where a token is one CJK character or one Latin word, so the same
measure works for Chinese and English. Signatures are plain integer tuples, stored in the
database, so the index is rebuilt from it on every run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE = 3
MIN_TOKENS = 30  # shorter texts share too much boilerplate to call them reposts

_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+", re.UNICODE)
SCHEME = "affine32"  # pinned: stored signatures must stay comparable across versions
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def signature(text: str) -> tuple[int, ...] | None:
    """The MinHash signature of the text, or None when it is too short to compare."""
    toks = tokens(text)
    if len(toks) < MIN_TOKENS:
        return None
    shingles = {" ".join(toks[i:i + SHINGLE]).encode("utf-8")
                for i in range(len(toks) - SHINGLE + 1)}
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME,
                      permutations=_TEMPLATE.permutations)
    minhash.update_batch(list(shingles))
    return tuple(int(v) for v in minhash.hashvalues)


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the two texts behind the signatures."""
    return float(np.mean(np.asarray(a, dtype=np.uint64) == np.asarray(b, dtype=np.uint64)))


def _minhash(sig: Sequence[int]) -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME,
                   hashvalues=np.asarray(sig, dtype=np.uint64),
                   permutations=_TEMPLATE.permutations)


class NearDuplicateIndex:
    """Signatures of stored posts, queried for the earliest post above a similarity threshold."""

    def __init__(self, threshold: float = 0.8) -> None:
        self.threshold = threshold
        # LSH finds candidates a little below the threshold; each is then verified exactly.
        self._lsh = MinHashLSH(threshold=max(0.1, threshold - 0.1), num_perm=NUM_PERM)
        self._signatures: dict[str, tuple[int, ...]] = {}
        self._order: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, post_id: str, sig: Sequence[int]) -> None:
        if post_id in self._signatures:
            self._lsh.remove(post_id)
        self._signatures[post_id] = tuple(sig)
        self._order.setdefault(post_id, len(self._order))
        self._lsh.insert(post_id, _minhash(sig))

    def add_all(self, rows: Iterable[tuple[str, Sequence[int]]]) -> None:
        for post_id, sig in rows:
            self.add(post_id, sig)

    def find(self, sig: Sequence[int], exclude: str = "") -> str | None:
        """The first-added post whose text is at least `threshold` similar, if any."""
        matches = [pid for pid in self._lsh.query(_minhash(sig))
                   if pid != exclude and similarity(sig, self._signatures[pid]) >= self.threshold]
        return min(matches, key=self._order.__getitem__) if matches else None
