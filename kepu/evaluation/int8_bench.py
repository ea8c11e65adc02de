"""How close the int8 runtime's vectors are to float32's, and how much faster
(`kepu bench int8`): the figures behind the `onnx-int8` setting, on the bench's posts."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from models.labelled_posts import synthetic_posts
from pipeline.embedding import Embedder
from pipeline.sentences import post_sentences


def bench_sentences(data_dir: Path, count: int) -> list[str]:
    """The distinct sentences of `count` synthetic bench posts, as the flagger splits them."""
    posts = synthetic_posts(data_dir, count)
    return list(dict.fromkeys(s for p in posts for s in post_sentences(p.title, p.text)))


def compare_runtimes(exact: Embedder, approximate: Embedder, texts: Sequence[str],
                     alone: int = 8) -> dict[str, float]:
    """Sentences/s of both, the cosine of each text's two vectors, and how far the first
    `alone` texts move when encoded one by one instead of batched (0 for a repeatable one)."""
    for embedder in (exact, approximate):  # untimed: the first call pays the model's start
        embedder.encode(list(texts[:4]), role="query")
    seconds, vectors = [], []
    for embedder in (exact, approximate):
        started = time.perf_counter()
        vectors.append(embedder.encode(list(texts), role="query"))
        seconds.append(time.perf_counter() - started)
    cosine = (vectors[0] * vectors[1]).sum(axis=1)
    picked = list(texts[:alone])
    one_by_one = np.stack([approximate.encode([t], role="query")[0] for t in picked])
    return {"sentences": float(len(texts)),
            "float32 sentences/s": len(texts) / seconds[0],
            "int8 sentences/s": len(texts) / seconds[1],
            "speed-up": seconds[0] / seconds[1],
            "cosine mean": float(cosine.mean()), "cosine min": float(cosine.min()),
            "alone vs batched max difference": float(
                np.abs(one_by_one - vectors[1][:len(picked)]).max())}
