"""Decide matches with a verifier beside, or instead of, the similarity thresholds.

The claim index proposes candidates (fused dense + BM25 ranking, a low similarity floor); a pair
scorer (`pipeline.cross_encoder`) reads each candidate claim beside the post's words around the
sentence that came closest to it and says whether they state it. Each claim is read once per
post, beside its best sentence, so the cost grows with the claims a post comes near, not with
its length. Two modes: "decide" reads every candidate and its word replaces the thresholds';
"rescue" keeps the thresholds' matches and reads only the candidates they left below them (an
implied myth sits at a similarity its topic neighbours also reach), so most posts cost no read.
Pure: the scorer is passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from pipeline.matching import ClaimIndex, SentenceHit, join_sentences


class PairScorer(Protocol):
    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray: ...


VerifierMode = Literal["decide", "rescue"]


@dataclass(frozen=True)
class VerifierPolicy:
    """`floor`: lowest (centred) similarity at which a claim is read at all; `threshold`: the
    logit from which the verifier's yes stands (its card chooses one per mode); `candidates`:
    claims read per post; `mode`: "decide" or "rescue" (module docstring)."""

    floor: float
    threshold: float
    candidates: int = 3
    mode: VerifierMode = "decide"


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


def read_posts(index: ClaimIndex, scorer: PairScorer, per_post: Sequence[Sequence[str]],
               found: Sequence[Sequence[Candidate]]) -> list[np.ndarray]:
    """Each post's logits, its candidates `found` read beside its sentences, in one scorer
    call for all the posts (a few pairs per call cost several times more per pair)."""
    pairs = [pair for sentences, post_found in zip(per_post, found, strict=True)
             for pair in verifier_pairs(index, sentences, post_found)]
    logits = (np.asarray(scorer.logits(pairs), dtype=np.float32) if pairs
              else np.zeros(0, dtype=np.float32))
    if len(logits) != len(pairs):
        raise ValueError(f"the pair scorer gave {len(logits)} logits for {len(pairs)} pairs")
    out, at = [], 0
    for post_found in found:
        out.append(logits[at:at + len(post_found)])
        at += len(post_found)
    return out


def below_thresholds(index: ClaimIndex, found: Sequence[Candidate], taken: Sequence[SentenceHit],
                     threshold_of: Sequence[float]) -> list[Candidate]:
    """The candidates a rescue reads: below their sentence's threshold (`threshold_of`, one per
    sentence; a candidate above it was the thresholds' to take), of a match key no hit in
    `taken` has, at a sentence no hit covers (one claim per sentence, as the thresholds)."""
    keys = {index.keys[index.position[h.claim.id]] for h in taken}
    covered = {row for h in taken for row in range(h.sentence_index, h.last_index + 1)}
    return [c for c in found if c.similarity < threshold_of[c.sentence_index]
            and index.keys[c.claim] not in keys and c.sentence_index not in covered]
