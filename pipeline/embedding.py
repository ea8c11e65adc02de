"""The embedder interface and a deterministic fake whose similarities mean something.

Real models live in `pipeline.embedders` (an adapter); the core only sees this Protocol.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Literal, Protocol

import numpy as np

Role = Literal["query", "passage"]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; `role` matters for e5-style models.

    `name` is the model (heads, calibrations and stance models fitted on one fit its runtimes);
    `vectors_id` names the vectors themselves, for caches: an approximate runtime (int8) gets its
    own, so exact and approximate vectors never mix. `runtime` says what runs the model where
    there is a choice ("" where there is none)."""

    name: str
    vectors_id: str
    runtime: str
    dim: int

    def encode(self, texts: Sequence[str], role: Role = "passage") -> np.ndarray: ...


def describe(embedder: Embedder) -> str:
    """The model and, where it has a choice of them, the runtime: figures and cards name both."""
    return f"{embedder.name} on {embedder.runtime}" if embedder.runtime else embedder.name


def mean_vectors(vectors: np.ndarray, counts: Sequence[int]) -> np.ndarray:
    """One L2-normalised mean per group of consecutive rows (`counts[i]` rows each, at least
    one): a post's vector from its sentences', the same in training and in flagging."""
    out = np.zeros((len(counts), vectors.shape[1]), dtype=np.float32)
    offset = 0
    for row, count in enumerate(counts):
        mean = vectors[offset:offset + count].mean(axis=0)
        out[row] = mean / max(float(np.linalg.norm(mean)), 1e-9)
        offset += count
    return out


class MemoEmbedder:
    """Another embedder that remembers every vector it has handed out: an evaluation that flags
    the same posts many times (one fold after another) encodes each text once. Memory grows
    with the texts seen, so it lives only as long as one evaluation."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self.name, self.vectors_id = inner.name, inner.vectors_id
        self.runtime, self.dim = inner.runtime, inner.dim
        self._memo: dict[tuple[str, str], np.ndarray] = {}

    def encode(self, texts: Sequence[str], role: Role = "passage") -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if (role, t) not in self._memo]
        if todo:
            for text, vector in zip(todo, self._inner.encode(todo, role=role), strict=True):
                self._memo[(role, text)] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[(role, t)] for t in texts])


_TOKEN = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]")


class HashingEmbedder:
    """Character/word n-gram hashing: texts sharing words are close. For fast unit tests only."""

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim
        self.name = self.vectors_id = f"hashing-{dim}"
        self.runtime = ""

    def encode(self, texts: Sequence[str], role: Role = "passage") -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = _TOKEN.findall(text.lower())
            grams = tokens + [a + b for a, b in zip(tokens, tokens[1:], strict=False)]
            for gram in grams:
                digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)
