"""Score posts end to end: extract claims, embed, match, decide stance, classify, flag.

Pure core: the embedder, the claim index and the classifier are passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from common.records import Flag, Post, Stance, post_text
from pipeline.calibration import ScoreCalibration
from pipeline.detector import Detection, PseudoscienceDetector
from pipeline.embedding import Embedder, mean_vectors
from pipeline.language import detect_lang
from pipeline.match_verifier import (
    PairScorer,
    VerifierPolicy,
    below_thresholds,
    candidates,
    decide,
    read_posts,
)
from pipeline.matching import (
    ClaimIndex,
    MarginRule,
    SentenceHit,
    hit_text,
    hit_vector,
    match_claims,
    match_windows,
)
from pipeline.scoring import ScoreWeights, score_post
from pipeline.sentences import MAX_SENTENCE_CHARS, post_sentences
from pipeline.stance import decide_stance, text_after
from pipeline.stance_model import HitEvidence, StanceModel, post_features


class Classifier(Protocol):
    version: str
    standalone: bool

    def predict_proba(self, vectors: np.ndarray, texts: Sequence[str] | None = None
                      ) -> np.ndarray: ...


@dataclass
class Flagger:
    """Everything needed to flag posts, wired once and reused for every batch."""

    embedder: Embedder
    index: ClaimIndex
    classifier: Classifier
    match_threshold: Callable[[str], float]
    threshold_for: Callable[[str | None], float]
    weights: ScoreWeights = ScoreWeights()
    # With a trained stance model, the post's stance is its decision.
    stance_model: StanceModel | None = None
    # Maps the raw score to P(asserts a false claim); None keeps the raw score.
    calibration: ScoreCalibration | None = None
    # Also match windows of adjacent sentences (`pipeline.matching.match_windows`).
    match_windows: bool = True
    # Longer sentences (text without punctuation) are cut: bounded cost per post.
    max_sentence_chars: int = MAX_SENTENCE_CHARS
    # The pseudo-science detector (a second signal: flags posts no known claim describes) and
    # the threshold it flags from (None: the one its card chose).
    detector: PseudoscienceDetector | None = None
    detector_threshold: float | None = None
    # A match also stands from this floor (by sentence language) when the claim leads every
    # rival by `match_margin` (`pipeline.matching.MarginRule`); None: the threshold only.
    margin_floor: Callable[[str], float] | None = None
    match_margin: float = 0.0
    # With a match verifier, it decides which candidate claims a post states (policy mode
    # "decide": thresholds, margins and windows are then not used) or adds the claims it finds
    # below the thresholds ("rescue"): `pipeline.match_verifier`.
    verifier: PairScorer | None = None
    verifier_policy: VerifierPolicy | None = None

    def flag(self, posts: Sequence[Post], batch_size: int = 64) -> Iterator[Flag]:
        """Yield one Flag per post, in order, embedding `batch_size` posts at a time."""
        for start in range(0, len(posts), batch_size):
            yield from self._flag_batch(posts[start:start + batch_size])

    def _flag_batch(self, posts: Sequence[Post]) -> list[Flag]:
        """Encode the batch's sentences in one call; the classifier and the wording model also
        read the whole batch at once (per-post calls cost more than the arithmetic)."""
        per_post = [post_sentences(p.title, p.text, max_chars=self.max_sentence_chars) for p in posts]
        vectors = encode_each_once(self.embedder, [s for sentences in per_post for s in sentences])
        blocks, offset = [], 0
        for sentences in per_post:
            blocks.append(vectors[offset:offset + len(sentences)])
            offset += len(sentences)
        hits = self._hits(per_post, blocks)
        means = mean_vectors(vectors, [len(sentences) for sentences in per_post])
        texts = [post_text(p.title, p.text) for p in posts]
        probs = self.classifier.predict_proba(means, texts=texts)
        detections: list[Detection | None] = (
            list(self.detector.detect(means, texts)) if self.detector else [None] * len(posts))
        wording = np.zeros(len(posts), dtype=np.float32)
        if self.stance_model is not None:
            matched = [i for i, post_hits in enumerate(hits) if post_hits]
            wording[matched] = self.stance_model.wording_logits(
                [post_text(posts[i].title, posts[i].text) for i in matched])
        fields = self._nearest_fields(means)
        return [self._flag_one(post, sentences, block, post_hits, prob=float(probs[i]),
                               wording=float(wording[i]), detection=detections[i],
                               field=fields[i])
                for i, (post, sentences, block, post_hits)
                in enumerate(zip(posts, per_post, blocks, hits, strict=True))]

    def _nearest_fields(self, means: np.ndarray) -> list[str | None]:
        """Each post's nearest claim's field (matched or not): where a flag the detector raises
        alone is routed, rather than to the general panel."""
        if self.detector is None or len(self.index) == 0:
            return [None] * len(means)
        ids, _ = self.index.search(means, 1)
        return [self.index.claims[int(row[0])].topic if len(row) else None for row in ids]

    def matched(self, post: Post) -> tuple[list[str], np.ndarray, list[SentenceHit]]:
        """One post's sentences, their vectors and their claim matches."""
        sentences = post_sentences(post.title, post.text, max_chars=self.max_sentence_chars)
        vectors = self.embedder.encode(sentences, role="query")
        return sentences, vectors, self._hits([sentences], [vectors])[0]

    def _hits(self, per_post: Sequence[list[str]], blocks: Sequence[np.ndarray]
              ) -> list[list[SentenceHit]]:
        """Each post's matches: sentence hits, then window hits for claims no single sentence
        states; with a verifier, its decisions instead ("decide") or the claims it finds below
        the thresholds besides ("rescue"), the batch's candidates read in one call."""
        policy, verifier = self.verifier_policy, self.verifier
        posts = list(zip(per_post, blocks, strict=True))
        if verifier is not None and policy is not None and policy.mode == "decide":
            found = [candidates(self.index, s, v, policy.candidates, policy.floor)
                     for s, v in posts]
            logits = read_posts(self.index, verifier, per_post, found)
            return [decide(self.index, f, x, policy) for f, x in zip(found, logits, strict=True)]
        taken = [threshold_hits(self.index, s, v, self.match_threshold, self.match_windows,
                                self.margin_floor, self.match_margin) for s, v in posts]
        if verifier is None or policy is None:
            return taken
        thresholds = [sentence_thresholds(s, self.match_threshold) for s in per_post]
        found = [below_thresholds(self.index, candidates(self.index, s, v, policy.candidates,
                                                         policy.floor), hits, t)
                 for (s, v), hits, t in zip(posts, taken, thresholds, strict=True)]
        logits = read_posts(self.index, verifier, per_post, found)
        # a rescued match is scored as one at its sentence's threshold: the verifier's yes
        # lets it match, but its similarity is no stronger evidence than that
        return [hits + [replace(h, threshold=t[h.sentence_index])
                        for h in decide(self.index, f, x, policy)]
                for hits, f, x, t in zip(taken, found, logits, thresholds, strict=True)]

    def _flag_one(self, post: Post, sentences: list[str], vectors: np.ndarray,
                  hits: list[SentenceHit], prob: float, wording: float,
                  detection: Detection | None = None, field: str | None = None) -> Flag:
        stances = hit_stances(post, sentences, hits)
        decided = None
        if self.stance_model is not None and hits:
            stances, decided = self._model_stance(self.stance_model, post, hits, stances,
                                                  vectors, wording)
        return score_post(post.id, post.title, post.text, sentences, hits, stances, prob,
                          self.threshold_for, self.weights, self.classifier.standalone,
                          stance=decided,
                          calibrate=self.calibration.probability if self.calibration else None,
                          detection=detection, detector_threshold=self._detector_threshold(),
                          detector_topic=field)

    def _detector_threshold(self) -> float:
        if self.detector_threshold is not None:
            return self.detector_threshold
        return self.detector.threshold if self.detector is not None else 1.0

    def _model_stance(self, model: StanceModel, post: Post, hits: Sequence[SentenceHit],
                      stances: list[Stance], vectors: np.ndarray, wording: float
                      ) -> tuple[list[Stance], str]:
        """The trained post stance; sentences keep a rule "mention" (question, reported
        speech) and otherwise take the post's side."""
        evidence = hit_evidence(model, self.index, hits, stances, vectors)
        p_debunk = model.debunk_probability(
            post_features(evidence, post.title, post.text, wording))
        if p_debunk >= 0.5:
            decided = "debunks"
        elif all(s.label == "neutral" for s in stances):
            decided = "neutral"
        else:
            decided = "asserts"
        cue = f"stance model p(debunk)={p_debunk:.2f}"
        relabelled = [s if s.label == "neutral" else Stance(decided, s.cue or cue)
                      for s in stances]
        return relabelled, decided


def encode_each_once(embedder: Embedder, sentences: Sequence[str]) -> np.ndarray:
    """One vector per sentence, encoding each distinct sentence once: reposts and shared
    boilerplate (a WeChat footer, "转发扩散") repeat sentences within a batch, and the encoder
    is nearly all of the flagger's time."""
    distinct = list(dict.fromkeys(sentences))
    row_of = {sentence: row for row, sentence in enumerate(distinct)}
    encoded = embedder.encode(distinct, role="query")
    return encoded[[row_of[s] for s in sentences]]


def hit_stances(post: Post, sentences: Sequence[str], hits: Sequence[SentenceHit]
                ) -> list[Stance]:
    """The rule stance of each matched sentence towards its claim, reading what follows it in
    the post (an answer to a question)."""
    return [decide_stance(hit_text(sentences, h), h.claim.text,
                          text_after(sentences[h.last_index], post.title, post.text))
            for h in hits]


def hit_evidence(model: StanceModel, index: ClaimIndex, hits: Sequence[SentenceHit],
                 stances: Sequence[Stance], vectors: np.ndarray) -> list[HitEvidence]:
    """Per matched sentence: the pair head's refutation margin, and the largest margin of any
    sentence of the post towards the same claim."""
    rows = np.stack([hit_vector(vectors, h) for h in hits])
    claim_rows = np.stack([index.raw[index.position[h.claim.id]] for h in hits])
    margins = model.refute_margins(rows, claim_rows)
    evidence = []
    for i, (hit, stance) in enumerate(zip(hits, stances, strict=True)):
        whole = model.refute_margins(vectors, np.repeat(claim_rows[i:i + 1], len(vectors), 0))
        evidence.append(HitEvidence(stance, hit.similarity, float(margins[i]),
                                    float(whole.max())))
    return evidence


def sentence_thresholds(sentences: Sequence[str], match_threshold: Callable[[str], float]
                        ) -> list[float]:
    """Each sentence's match threshold, by its language."""
    return [match_threshold(detect_lang(s)) for s in sentences]


def threshold_hits(index: ClaimIndex, sentences: Sequence[str], vectors: np.ndarray,
                   match_threshold: Callable[[str], float], windows: bool = True,
                   margin_floor: Callable[[str], float] | None = None,
                   match_margin: float = 0.0) -> list[SentenceHit]:
    """The matches the thresholds make (`match_threshold`: by language): each sentence's best
    claim, then windows of adjacent sentences for claims no single sentence states; a margin
    floor when set (`MarginRule`)."""
    rule = (MarginRule([margin_floor(detect_lang(s)) for s in sentences], match_margin)
            if margin_floor is not None else None)
    hits = match_claims(index, vectors, sentence_thresholds(sentences, match_threshold),
                        texts=sentences, margin=rule)
    if not windows:
        return hits
    return hits + match_windows(
        index, sentences, vectors, lambda text: match_threshold(detect_lang(text)), hits,
        floor_for=(lambda text: margin_floor(detect_lang(text))) if margin_floor else None,
        margin=match_margin)
