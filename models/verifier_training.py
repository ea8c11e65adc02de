"""What a match verifier is fitted on and where its threshold goes (pure).

Pairs come from the same candidates the flagger would read: for each labelled post, its gold
claims beside their closest sentence (yes) and the most similar other claims (no, hard
negatives: same topic, often the same person or event). The threshold is chosen on posts the
verifier was not fitted on, from what matters to a user: how often a post matches something
when its claim is not in the base at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.match_verifier import Candidate, candidates, context_text
from pipeline.matching import ClaimIndex

NEGATIVES = 4  # other claims per post, most similar first
READ_DEPTH = 6  # claims per sentence read for them


@dataclass(frozen=True)
class EncodedPost:
    """A labelled post as the flagger sees it: sentences, their vectors, its gold claims'
    match keys (twins of a gold claim are gold too)."""

    sentences: list[str]
    vectors: np.ndarray
    gold_keys: frozenset[str]


def gold_candidates(index: ClaimIndex, post: EncodedPost) -> list[Candidate]:
    """The post's gold claims in the index, each at its closest sentence."""
    prepared = index.prepare(post.vectors)
    out = []
    for i, key in enumerate(index.keys):
        if key in post.gold_keys and len(prepared):
            sims = [index.similarity(row, i) for row in prepared]
            best = int(np.argmax(sims))
            out.append(Candidate(i, best, float(sims[best])))
    return out


def training_pairs(index: ClaimIndex, posts: Sequence[EncodedPost],
                   negatives: int = NEGATIVES) -> tuple[list[tuple[str, str, float]], list[float]]:
    """(context, claim text, 1.0 | 0.0) pairs, and each post's gold similarities, one per match
    key: its closest claim's (where the candidate floor goes; the flagger reads a myth through
    its closest twin or language version too)."""
    pairs: list[tuple[str, str, float]] = []
    gold_similarities: list[float] = []
    for post in posts:
        closest: dict[str, float] = {}
        for gold in gold_candidates(index, post):
            key = index.keys[gold.claim]
            closest[key] = max(closest.get(key, -2.0), gold.similarity)
            pairs.append((context_text(post.sentences, gold.sentence_index),
                          index.claims[gold.claim].text, 1.0))
        gold_similarities += closest.values()
        others = candidates(index, post.sentences, post.vectors, READ_DEPTH, -2.0,
                            exclude_keys=post.gold_keys)
        pairs += [(context_text(post.sentences, c.sentence_index), index.claims[c.claim].text,
                   0.0) for c in others[:negatives]]
    return pairs, gold_similarities


@dataclass(frozen=True)
class HeldOutRead:
    """One held-out post: the best logit of a gold claim among its candidates (None: no gold
    claim was one), and its best logit with the gold claims removed from the base."""

    gold_logit: float | None
    without_gold_logit: float | None


def figures_at(reads: Sequence[HeldOutRead], threshold: float) -> tuple[float, float]:
    """(match recall, false-match rate with the gold claims removed) at `threshold`: a post is
    recalled when a gold claim passes (the flagger keeps one claim per sentence, so a rival
    read higher beside the same sentence can still take it: `kepu eval operating-point` gives
    the figure through the real path)."""
    n = max(len(reads), 1)
    recall = sum(r.gold_logit is not None and r.gold_logit >= threshold for r in reads) / n
    false = sum(r.without_gold_logit is not None and r.without_gold_logit >= threshold
                for r in reads) / n
    return recall, false


def choose_threshold(reads: Sequence[HeldOutRead], false_rate: float) -> float:
    """The lowest logit threshold whose false-match rate (gold removed) stays within
    `false_rate` (an infinite gold logit, a claim matched without the verifier, is no
    threshold)."""
    logits = sorted(x for x in {r.without_gold_logit for r in reads}
                    | {r.gold_logit for r in reads} if x is not None and np.isfinite(x))
    for threshold in logits:
        if figures_at(reads, threshold)[1] <= false_rate:
            return float(threshold)
    return float(logits[-1]) + 1.0 if logits else 0.0
