"""The review side of detector flags: what a reviewer's verdict on one teaches (a new claim and
a training example). Their queue priority is `review_queue.priority.detector_priority`.

The detector flags posts that no claim in the base describes. When a panel confirms one
(pseudoscience, harmful_advice: a false claim; unsupported: a misleading one), the post's main
asserted sentence becomes a new claim, with the post's own wording as a variant, so the next post
saying the same is matched by the claims too; every verdict also becomes a detector training
example (labels as `models.expert.label_of`: confirmed = 1, accurate / not_science /
oversimplified / outdated = 0). Pure: the review service calls `feedback_from_verdict` and
stores what it returns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from common.errors import ReviewError
from common.records import TOPICS, Claim, Post
from models.datasets import Example
from models.expert import label_of
from pipeline.cues import CUE_FAMILIES, PRO_FAMILIES, read_cues
from pipeline.language import detect_lang
from pipeline.sentences import post_sentences

CLAIM_VERDICTS = {"pseudoscience": "false", "harmful_advice": "false", "unsupported": "misleading"}
DATASET = "detector-reviews"
VARIANT_CHARS = 500


@dataclass(frozen=True)
class DetectorFeedback:
    """A new claim (None when the verdict confirms no myth) and the training example."""

    claim: Claim | None
    example: Example | None


def main_sentence(post: Post) -> str:
    """The post's sentence with the most pseudo-science cue words (the first on a tie): the
    sentence that asserts what the post is about."""
    sentences = post_sentences(post.title, post.text)
    pro = [CUE_FAMILIES.index(f) for f in PRO_FAMILIES]

    def cue_hits(sentence: str) -> int:
        counts = read_cues(sentence).counts
        return sum(counts[i] for i in pro)

    return max(sentences, key=lambda s: (cue_hits(s), -sentences.index(s))).strip()


def feedback_from_verdict(post: Post, task_id: str, verdict: str, panel: str,
                          rationale: str = "") -> DetectorFeedback:
    """The claim and training example a verdict on the detector flag of `post` makes.

    `panel` is the reviewing panel's topic id; `rationale` becomes the claim's explanation.
    """
    if panel not in TOPICS:
        raise ReviewError(f"task {task_id}: unknown panel {panel!r} for a detector claim")
    text = "\n".join(part for part in (post.title, post.text) if part).strip()
    if not text:
        raise ReviewError(f"task {task_id}: post {post.id} has no text to learn from")
    lang = post.lang or detect_lang(text)
    label = label_of(verdict)
    example = (Example(text, label, lang, "train", DATASET, topic=panel)
               if label is not None else None)
    claim_verdict = CLAIM_VERDICTS.get(verdict)
    if claim_verdict is None:
        return DetectorFeedback(None, example)
    sentence = main_sentence(post)
    variants = (text[:VARIANT_CHARS],) if text[:VARIANT_CHARS] != sentence else ()
    claim_id = "rv-" + hashlib.sha256(f"{task_id}\x1f{post.id}".encode()).hexdigest()[:10]
    claim = Claim(claim_id, sentence, lang, claim_verdict, panel, rationale.strip(),
                  f"review:{task_id}", variants=variants)
    return DetectorFeedback(claim, example)
