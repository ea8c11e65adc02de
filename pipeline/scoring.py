"""Turn matches, stances and the classifier's probability into one score and a flag with a reason.

Asserting a false or misleading claim is a flag; refuting it is not; asserting a true claim is not.
Posts that match no known claim are flagged only on the classifier's word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from common.records import Flag, Match, Stance
from pipeline.detector import Detection
from pipeline.matching import SentenceHit, hit_text
from pipeline.stance import has_framing, post_stance

BAD_VERDICTS = ("false", "misleading")


@dataclass(frozen=True)
class ScoreWeights:
    """How evidence becomes a score; a match's strength grows from 0 at its threshold to 1 at
    `match_span` above it."""

    match_span: float = 0.2
    # Unmatched posts are flagged on the classifier's word alone only by a standalone head,
    # and only when it is confident (p >= 0.84 at the default threshold).
    classifier_only_weight: float = 0.6
    # A head that is not standalone (the bootstrap one) can never flag an unmatched post.
    advisory_weight: float = 0.45
    debunk_cap: float = 0.15


def _strength(hit: SentenceHit, w: ScoreWeights) -> float:
    return min(max((hit.similarity - hit.threshold) / max(w.match_span, 1e-6), 0.0), 1.0)


def score_post(
    post_id: str,
    title: str,
    text: str,
    sentences: Sequence[str],
    hits: Sequence[SentenceHit],
    stances: Sequence[Stance],
    classifier_prob: float,
    threshold_for: Callable[[str | None], float],
    weights: ScoreWeights = ScoreWeights(),
    classifier_standalone: bool = True,
    stance: str | None = None,
    calibrate: Callable[[float], float] | None = None,
    detection: Detection | None = None,
    detector_threshold: float = 1.0,
    detector_topic: str | None = None,
) -> Flag:
    """Score one post; `stances[i]` is the stance of `hits[i]`'s sentence towards its claim.

    `stance` is the post's stance when a trained model decided it; otherwise the rules of
    `pipeline.stance.post_stance` aggregate the sentence stances. `calibrate` maps the raw score
    to a probability (`pipeline.calibration`) before the threshold applies. `detection` is the
    pseudo-science detector's word on the post: it flags a post the claims did not, unless the
    post refutes what it matched or is framed as a refutation ("辟谣", "myth", ...); such a flag
    takes the field of what it matched, or `detector_topic` (its nearest claim's field).
    """
    matches = tuple(
        Match(h.claim.id, round(h.similarity, 4), hit_text(sentences, h), s.label)
        for h, s in zip(hits, stances, strict=True)
    )
    stance = stance or post_stance(stances, [h.similarity for h in hits], title, text)
    asserted = [(h, m) for h, m in zip(hits, matches, strict=True)
                if m.stance == "asserts" and h.claim.verdict in BAD_VERDICTS]
    if stance == "asserts" and asserted:
        hit, match = max(asserted, key=lambda pair: pair[0].similarity)
        score = 0.55 + 0.35 * _strength(hit, weights) + 0.10 * classifier_prob
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
        weight = (weights.classifier_only_weight if classifier_standalone
                  else weights.advisory_weight)
        score = weight * classifier_prob
        reason = (f"no known claim matched; classifier probability {classifier_prob:.2f}"
                  + ("" if classifier_standalone else " (advisory: it never flags alone)"))
        topic = None
    if calibrate is not None:
        score = calibrate(score)
    flagged = score >= threshold_for(topic)
    basis = "claim"
    if (detection is not None and not flagged and stance != "debunks"
            and detection.probability >= detector_threshold and not has_framing(title, text)):
        flagged, basis, score = True, "detector", max(score, detection.probability)
        reason = detection.reason(detector_threshold)
        topic = topic or detector_topic
    return Flag(post_id, flagged, round(score, 4), stance, matches, reason, topic,
                round(classifier_prob, 4), basis,
                round(detection.probability, 4) if detection is not None else None)
