"""Score posts end to end: extract claims, embed, match, decide stance, classify, flag.

Pure core: the embedder, the claim index and the classifier are passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from kepu.records import Flag, Post
from pipeline.embedding import Embedder
from pipeline.language import detect_lang
from pipeline.matching import ClaimIndex, match_claims
from pipeline.scoring import ScoreWeights, score_post
from pipeline.sentences import extract_claims
from pipeline.stance import decide_stance


class Classifier(Protocol):
    version: str
    standalone: bool

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray: ...


@dataclass
class Flagger:
    """Everything needed to flag posts, wired once and reused for every batch."""

    embedder: Embedder
    index: ClaimIndex
    classifier: Classifier
    match_threshold: Callable[[str], float]
    threshold_for: Callable[[str | None], float]
    weights: ScoreWeights = ScoreWeights()

    def flag(self, posts: Sequence[Post], batch_size: int = 64) -> Iterator[Flag]:
        """Yield one Flag per post, in order, embedding `batch_size` posts at a time."""
        for start in range(0, len(posts), batch_size):
            yield from self._flag_batch(posts[start:start + batch_size])

    def _flag_batch(self, posts: Sequence[Post]) -> list[Flag]:
        per_post = [extract_claims(p.title, p.text) or [p.title or p.text[:200]] for p in posts]
        flat = [s for sentences in per_post for s in sentences]
        vectors = self.embedder.encode(flat, role="query")
        flags, offset = [], 0
        for post, sentences in zip(posts, per_post, strict=True):
            block = vectors[offset:offset + len(sentences)]
            offset += len(sentences)
            flags.append(self._flag_one(post, sentences, block))
        return flags

    def _flag_one(self, post: Post, sentences: list[str], vectors: np.ndarray) -> Flag:
        thresholds = [self.match_threshold(detect_lang(s)) for s in sentences]
        hits = match_claims(self.index, vectors, thresholds, texts=sentences)
        stances = [decide_stance(sentences[h.sentence_index], h.claim.text) for h in hits]
        mean = vectors.mean(axis=0, keepdims=True)
        mean /= max(float(np.linalg.norm(mean)), 1e-9)
        prob = float(self.classifier.predict_proba(mean)[0])
        return score_post(post.id, post.title, post.text, sentences, hits, stances, prob,
                          self.threshold_for, self.weights, self.classifier.standalone)
