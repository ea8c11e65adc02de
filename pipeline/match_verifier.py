"""Decide matches with a verifier instead of a similarity threshold.

The claim index proposes candidates (fused dense + BM25 ranking, a low similarity floor); a pair
scorer (`pipeline.cross_encoder`) reads each candidate claim beside the post's words around the
sentence that came closest to it and says whether they state it. Each claim is read once per
post, beside its best sentence, so the cost grows with the claims a post comes near, not with
its length. Pure: the scorer is passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from pipeline.matching import ClaimIndex, SentenceHit, join_sentences


class PairScorer(Protocol):
    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray: ...


@dataclass(frozen=True)
class VerifierPolicy:
    """`floor`: lowest (centred) similarity at which a claim is read at all; `threshold`: the
    logit from which the verifier's yes stands; `candidates`: claims read per sentence."""

    floor: float
    threshold: float
    candidates: int = 3


@dataclass(frozen=True)
class Candidate:
    claim: int  # position in the index
    sentence_index: int  # the sentence closest to it
    similarity: float


CONTEXT_REACH = 1  # sentences read on each side of the closest one
WHOLE_POST_CHARS = 400  # a post this short (a tweet, a caption) is read whole


def context_text(sentences: Sequence[str], index: int, reach: int = CONTEXT_REACH) -> str:
    """The words the verifier reads beside a claim: a short post whole (a tweet's hashtags and
    fragments are split into "sentences" that say little alone), otherwise the closest
    sentence and its neighbours (a claim is often stated over two sentences)."""
    if sum(len(s) + 1 for s in sentences) <= WHOLE_POST_CHARS:
        return join_sentences(sentences)
    return join_sentences(sentences[max(0, index - reach):index + reach + 1])


def candidates(index: ClaimIndex, sentences: Sequence[str], vectors: np.ndarray, k: int,
               floor: float, exclude_keys: frozenset[str] = frozenset()) -> list[Candidate]:
    """The post's `k` most similar claims among its sentences' top `k` (fused ranking) whose
    similarity reaches `floor`, each match key once (its closest claim, at its closest
    sentence); most similar first. At most `k` per post: every one read is a chance of a false
    yes, and a post rarely states more than a few claims. `exclude_keys` leaves out claims
    of those match keys (an evaluation without the gold claims)."""
    if len(index) == 0 or len(sentences) == 0:
        return []
    prepared = index.prepare(vectors)
    depth = k + 5 if exclude_keys else k
    dense_ids, _ = index.search(vectors, depth)
    ranked = index.fuse(sentences, dense_ids, depth)
    best: dict[str, Candidate] = {}  # by match key: twins of one myth are read once
    for row, claims in enumerate(ranked):
        kept = [i for i in claims if index.keys[i] not in exclude_keys][:k]
        for i in kept:
            similarity = index.similarity(prepared[row], i)
            key = index.keys[i]
            if similarity >= floor and (key not in best or similarity > best[key].similarity):
                best[key] = Candidate(i, row, similarity)
    return sorted(best.values(), key=lambda c: -c.similarity)[:k]


def verifier_pairs(index: ClaimIndex, sentences: Sequence[str],
                   found: Sequence[Candidate]) -> list[tuple[str, str]]:
    return [(context_text(sentences, c.sentence_index), index.claims[c.claim].text)
            for c in found]


def decide(index: ClaimIndex, found: Sequence[Candidate], logits: np.ndarray,
           policy: VerifierPolicy) -> list[SentenceHit]:
    """A hit for each candidate the verifier says yes to, at most one per sentence (its
    highest logit), in sentence order. The hit's threshold is the policy's floor."""
    best: dict[int, tuple[float, Candidate]] = {}
    for candidate, logit in zip(found, logits.tolist(), strict=True):
        if logit >= policy.threshold and (candidate.sentence_index not in best
                                          or logit > best[candidate.sentence_index][0]):
            best[candidate.sentence_index] = (logit, candidate)
    return [SentenceHit(row, index.claims[c.claim], c.similarity, policy.floor)
            for row, (_, c) in sorted(best.items())]


def verified_matches(index: ClaimIndex, sentences: Sequence[str], vectors: np.ndarray,
                     scorer: PairScorer, policy: VerifierPolicy) -> list[SentenceHit]:
    """The claims a post states, as the verifier reads them."""
    found = candidates(index, sentences, vectors, policy.candidates, policy.floor)
    if not found:
        return []
    logits = scorer.logits(verifier_pairs(index, sentences, found))
    return decide(index, found, np.asarray(logits, dtype=np.float32), policy)
