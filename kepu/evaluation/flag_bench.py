"""End-to-end flagging speed (`kepu bench flag`): posts per second through the flagger, with
the encoder's, the detector's and (when one is set) the match verifier's shares, the detector on
and off alternating chunk by chunk."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from common.records import Post
from common.settings import Settings
from models.labelled_posts import synthetic_posts
from pipeline.detector import Detection, PseudoscienceDetector
from pipeline.embedding import Embedder, Role
from pipeline.flagger import Flagger
from pipeline.match_verifier import PairScorer
from pipeline.sentences import post_sentences
from store import Database


class _TimedEmbedder:
    """An embedder that adds up the seconds its encode calls take: the bench's encoder share."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self.name, self.vectors_id = embedder.name, embedder.vectors_id
        self.runtime, self.dim = embedder.runtime, embedder.dim
        self.seconds = 0.0
        self.texts = 0

    def encode(self, texts: Sequence[str], role: Role = "passage") -> np.ndarray:
        started = time.perf_counter()
        try:
            return self._embedder.encode(texts, role=role)
        finally:
            self.seconds += time.perf_counter() - started
            self.texts += len(texts)


class _TimedDetector:
    """A detector that adds up the seconds its calls take: the bench's detector share."""

    def __init__(self, detector: PseudoscienceDetector) -> None:
        self._detector = detector
        self.threshold = detector.threshold
        self.seconds = 0.0

    def detect(self, vectors: np.ndarray, texts: Sequence[str]) -> list[Detection]:
        started = time.perf_counter()
        try:
            return self._detector.detect(vectors, texts)
        finally:
            self.seconds += time.perf_counter() - started


class _TimedVerifier:
    """A match verifier that adds up the seconds its calls take: the bench's verifier share."""

    def __init__(self, verifier: PairScorer) -> None:
        self._verifier = verifier
        self.seconds = 0.0
        self.pairs = 0

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        started = time.perf_counter()
        try:
            return self._verifier.logits(pairs)
        finally:
            self.seconds += time.perf_counter() - started
            self.pairs += len(pairs)


def _timed_runs(flagger: Flagger, posts: Sequence[Post], chunk: int = 100
                ) -> tuple[dict[str, float], dict[str, int], _TimedEmbedder]:
    """Seconds and flags of the flagger "with" its detector and "without" it on the same posts,
    chunk by chunk in alternating order (whichever runs first on a chunk is slower: the order
    must not decide the comparison); the encoder timing is the "with" run's."""
    timed = _TimedEmbedder(flagger.embedder)
    runs = {"with": replace(flagger, embedder=timed),
            "without": replace(flagger, embedder=_TimedEmbedder(flagger.embedder),
                               detector=None)}
    seconds = dict.fromkeys(runs, 0.0)
    flagged = dict.fromkeys(runs, 0)
    order = ["with"] if flagger.detector is None else ["without", "with"]
    for number, start in enumerate(range(0, len(posts), chunk)):
        part = posts[start:start + chunk]
        for name in order if number % 2 == 0 else order[::-1]:
            started = time.perf_counter()
            flagged[name] += sum(f.flagged for f in runs[name].flag(part))
            seconds[name] += time.perf_counter() - started
    return seconds, flagged, timed


def bench_flag(settings: Settings, db: Database, flagger: Flagger, count: int,
               naive_encode: Callable[[list[str]], np.ndarray]) -> dict[str, float]:
    """Posts/s of the full flagger (and the encoder's share of its time) and of a naive
    whole-post encode + cosine baseline. With a detector, the flagger also runs without it on
    the same posts (alternating, chunk by chunk), so the detector's cost is measured within one
    run, and the detector's own calls are timed too."""
    posts = synthetic_posts(settings.data_dir, count)
    figures: dict[str, float] = {}
    list(flagger.flag(posts[:8]))  # untimed warm-up: the first run must not pay the model's start
    detector = _TimedDetector(flagger.detector) if flagger.detector is not None else None
    if detector is not None:
        flagger = replace(flagger, detector=detector)  # type: ignore[arg-type]
    verifier = _TimedVerifier(flagger.verifier) if flagger.verifier is not None else None
    if verifier is not None:
        flagger = replace(flagger, verifier=verifier)
    seconds, counts, timed = _timed_runs(flagger, posts)
    pipeline_s, flagged = seconds["with"], counts["with"]
    if detector is not None:
        figures |= {"without detector s": seconds["without"],
                    "without detector flagged": float(counts["without"])}
    claims = [c.text for c in flagger.index.claims]
    started = time.perf_counter()
    claim_vectors = naive_encode(claims)
    post_vectors = naive_encode([p.text for p in posts])
    (post_vectors @ claim_vectors.T).max(axis=1)
    naive_s = time.perf_counter() - started
    sentences = sum(len(post_sentences(p.title, p.text, max_chars=flagger.max_sentence_chars))
                    for p in posts)
    figures = {"posts": float(count), "pipeline posts/s": count / pipeline_s,
               "naive posts/s": count / naive_s, "flagged": float(flagged),
               "pipeline s": pipeline_s, "naive s": naive_s, "sentences": float(sentences),
               "sentences encoded": float(timed.texts), "encoder s": timed.seconds,
               "encoder share": timed.seconds / pipeline_s} | figures
    if detector is not None:
        figures["detector s"] = detector.seconds
        figures["detector share"] = detector.seconds / pipeline_s
        figures["time added by detector share"] = pipeline_s / figures["without detector s"] - 1
    if verifier is not None:  # its calls in both runs, against both runs' time
        both_s = pipeline_s + figures.get("without detector s", 0.0)
        figures |= {"verifier pairs": float(verifier.pairs), "verifier s": verifier.seconds,
                    "verifier share": verifier.seconds / both_s}
    return figures
