"""Turn matches, stances and the classifier's probability into one score and a flag with a reason.

Asserting a false or misleading claim is a flag; refuting it is not; asserting a true claim is not.
Posts that match no known claim are flagged only on the classifier's word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kepu.records import Flag, Match
from pipeline.matching import SentenceHit
from pipeline.stance import post_stance

BAD_VERDICTS = ("false", "misleading")


@dataclass(frozen=True)
class ScoreWeights:
    """How evidence becomes a score; `match_floor`/`match_ceiling` map similarity onto 0..1."""

    match_floor: float = 0.87
    match_ceiling: float = 0.95
    classifier_only_weight: float = 0.9
    debunk_cap: float = 0.15


def _strength(similarity: float, w: ScoreWeights) -> float:
    span = max(w.match_ceiling - w.match_floor, 1e-6)
    return min(max((similarity - w.match_floor) / span, 0.0), 1.0)


def score_post(
    post_id: str,
    title: str,
    sentences: Sequence[str],
    hits: Sequence[SentenceHit],
    stances: Sequence[str],
    classifier_prob: float,
    threshold_for: Callable[[str | None], float],
    weights: ScoreWeights = ScoreWeights(),
) -> Flag:
    """Score one post; `stances[i]` is the stance of `hits[i]`'s sentence towards its claim."""
    matches = tuple(
        Match(h.claim.id, round(h.similarity, 4), sentences[h.sentence_index], s)
        for h, s in zip(hits, stances, strict=True)
    )
    stance = post_stance(list(stances), title)
    asserted = [(h, m) for h, m in zip(hits, matches, strict=True)
                if m.stance == "asserts" and h.claim.verdict in BAD_VERDICTS]
    if stance == "asserts" and asserted:
        hit, match = max(asserted, key=lambda pair: pair[0].similarity)
        score = 0.55 + 0.35 * _strength(hit.similarity, weights) + 0.10 * classifier_prob
        reason = (f"asserts {hit.claim.verdict} claim {hit.claim.id} “{hit.claim.text}” in "
                  f"“{match.sentence}” (similarity {hit.similarity:.2f})")
        topic: str | None = hit.claim.topic
    elif hits:
        best = max(hits, key=lambda h: h.similarity)
        cap = weights.debunk_cap if stance == "debunks" else 0.4
        score = cap * classifier_prob
        verb = {"debunks": "refutes", "asserts": "asserts", "neutral": "mentions"}[stance]
        reason = f"{verb} {best.claim.verdict} claim {best.claim.id} “{best.claim.text}”"
        topic = best.claim.topic
    else:
        score = weights.classifier_only_weight * classifier_prob
        reason = f"no known claim matched; classifier probability {classifier_prob:.2f}"
        topic = None
    flagged = score >= threshold_for(topic)
    return Flag(post_id, flagged, round(score, 4), stance, matches, reason, topic,
                round(classifier_prob, 4))
