"""Post vectors exactly as the flagger builds them, with sentence embeddings cached by content hash.

The flagger scores `mean(normalised sentence embeddings)` of a post's check-worthy sentences
(role="query"); training on anything else would teach the head a different input. Embedding is
the slow part (~40 sentences/s on 2 cores), so every sentence vector is kept in an append-only
cache of safetensors shards under HOME/cache/embeddings/<model>/, and retraining re-embeds only
new sentences.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from pipeline.embedding import Embedder, Role, mean_vectors
from pipeline.sentences import post_sentences

log = logging.getLogger(__name__)


def sentence_key(sentence: str) -> bytes:
    return hashlib.sha256(sentence.encode("utf-8")).digest()


class VectorCache:
    """Sentence vectors of one embedder by sha256 of the text; shards are never rewritten."""

    def __init__(self, directory: Path, model: str) -> None:
        self.directory = directory / model.replace("/", "_")
        self._vectors: dict[bytes, np.ndarray] = {}
        for shard in sorted(self.directory.glob("shard-*.safetensors")):
            tensors = load_file(str(shard))
            for key, vector in zip(tensors["keys"], tensors["vectors"], strict=True):
                self._vectors[key.tobytes()] = vector

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, key: bytes) -> np.ndarray | None:
        return self._vectors.get(key)

    def add(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Keep new vectors and write them as one new shard."""
        if not keys:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        number = len(list(self.directory.glob("shard-*.safetensors")))
        key_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), 32)
        save_file({"keys": key_array, "vectors": np.asarray(vectors, dtype=np.float32)},
                  str(self.directory / f"shard-{number:05d}.safetensors"))
        self._vectors.update(zip(keys, np.asarray(vectors, dtype=np.float32), strict=True))


def embed_sentences(embedder: Embedder, cache: VectorCache | None, sentences: Sequence[str],
                    batch: int = 512, progress: Callable[[int], None] | None = None) -> None:
    """Make sure every sentence has a cached vector, embedding the missing ones in batches."""
    if cache is None:
        return
    missing = list({sentence_key(s): s for s in sentences if cache.get(sentence_key(s)) is None}
                   .items())
    log.info("embedding %d new sentences (%d cached)", len(missing), len(cache))
    for start in range(0, len(missing), batch):
        chunk = missing[start:start + batch]
        cache.add([k for k, _ in chunk], embedder.encode([s for _, s in chunk], role="query"))
        if progress:
            progress(len(chunk))


def sentence_vectors(embedder: Embedder, cache: VectorCache, sentences: Sequence[str],
                     progress: Callable[[int], None] | None = None) -> np.ndarray:
    """(len(sentences), dim) vectors in order, embedding only what the cache lacks."""
    embed_sentences(embedder, cache, sentences, progress=progress)
    if not sentences:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    found = [cache.get(sentence_key(s)) for s in sentences]
    assert all(v is not None for v in found), "embed_sentences left a sentence uncached"
    return np.stack(found)  # type: ignore[arg-type]


def post_vectors(embedder: Embedder, texts: Sequence[str], cache: VectorCache | None = None,
                 progress: Callable[[int], None] | None = None) -> np.ndarray:
    """One normalised mean-of-sentences vector per text, as `pipeline.flagger` computes it."""
    per_post = [post_sentences("", t) for t in texts]
    flat = [s for sentences in per_post for s in sentences]
    if cache is None:
        vectors = embedder.encode(flat, role="query")
    else:
        vectors = sentence_vectors(embedder, cache, flat, progress)
    return mean_vectors(vectors, [len(sentences) for sentences in per_post])


class CachedEmbedder:
    """An embedder whose query vectors persist in the vector cache: an evaluation re-run only
    pays for texts it has not seen (same vectors, so the same flags)."""

    def __init__(self, inner: Embedder, cache: VectorCache) -> None:
        self._inner, self._cache = inner, cache
        self.name, self.vectors_id = inner.name, inner.vectors_id
        self.runtime, self.dim = inner.runtime, inner.dim

    def encode(self, texts: Sequence[str], role: Role = "passage") -> np.ndarray:
        if role != "query":
            return self._inner.encode(texts, role=role)
        todo = list(dict.fromkeys(t for t in texts if self._cache.get(sentence_key(t)) is None))
        if todo:
            self._cache.add([sentence_key(t) for t in todo], self._inner.encode(todo, role=role))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache.get(sentence_key(t)) for t in texts])  # type: ignore[misc]
