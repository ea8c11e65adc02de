"""A trained stance model: does a post assert the myth it matched, or refute it?

Two small linear layers on what the flagger already computes, so stance costs no extra encoding:

- a *pair head* (softmax over supports/refutes/neutral) on [u*v, |u-v|] of the sentence and claim
  embeddings, trained on the public claim-evidence stance sets (healthver, Check-COVID,
  climate-fever);
- a *post head* (logistic, p(debunk)) over a few post-level features: the pair head's refutation
  margin for the matched sentences and for the post's most refuting sentence, the rule cues of
  `pipeline.stance`, and the post's wording (the logit of `pipeline.wording`'s character n-gram
  model). It is fitted on our own labelled posts (data/site_src and data/dev), never on
  data/eval. Nothing reads the claims' explanations: how a claims base words them (a one-line
  fact, a fact-check page that restates the rumour first, nothing) changes no decision.

Weights live in safetensors with a JSON card naming the embedder they belong to; never pickle.
Pure numpy: the flagger passes vectors in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.errors import ModelError
from common.records import Stance, post_text
from pipeline.model_files import CARD, read_model, write_model
from pipeline.stance import NEGATION, has_framing, is_no_answer
from pipeline.wording import WordingModel

PAIR_LABELS = ("supports", "refutes", "neutral")
POST_FEATURES = ("refute_margin", "post_refute_margin", "refute_cue_share", "mention_share", "negation_share", "framing", "no_answer",
                 "wording")
WORDING_VOCABULARY = "wording_vocabulary.json"


def pair_features(sentences: np.ndarray, claims: np.ndarray) -> np.ndarray:
    """[u*v, |u-v|] per row of L2-normalised sentence and claim vectors."""
    u = np.asarray(sentences, dtype=np.float32)
    v = np.asarray(claims, dtype=np.float32)
    return np.concatenate([u * v, np.abs(u - v)], axis=1)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class HitEvidence:
    """What the post head needs about one matched sentence."""

    stance: Stance            # the rule stance of the sentence towards the claim
    similarity: float         # match similarity, used as the weight
    refute_margin: float      # pair head p(refutes) - p(supports)
    # The largest margin of any sentence of the post towards the claim: debunks often put the
    # fact in a sentence of its own, which need not be the one that matched.
    post_refute_margin: float = 0.0


def post_features(hits: Sequence[HitEvidence], title: str, text: str, wording: float = 0.0
                  ) -> np.ndarray:
    """The POST_FEATURES vector of one post (zeros without hits); `wording` is the wording
    model's logit for the post (`StanceModel.wording_logit`)."""
    if not hits:
        return np.zeros(len(POST_FEATURES), dtype=np.float32)
    w = np.asarray([max(h.similarity, 1e-3) for h in hits], dtype=np.float32)
    w = w / w.sum()

    def share(flags: Sequence[bool]) -> float:
        return float(np.dot(w, np.asarray(flags, dtype=np.float32)))

    return np.asarray([
        float(np.dot(w, [h.refute_margin for h in hits])),
        float(np.dot(w, [h.post_refute_margin for h in hits])),
        share([h.stance.label == "debunks" and h.stance.cue != NEGATION for h in hits]),
        share([h.stance.label == "neutral" for h in hits]),
        share([h.stance.cue == NEGATION for h in hits]),
        float(has_framing(title, text)),
        float(is_no_answer(title, text)),
        float(wording),
    ], dtype=np.float32)


@dataclass(frozen=True)
class StanceModel:
    """The two heads plus the embedder their pair features come from."""

    pair_weights: np.ndarray   # (2 * dim, 3)
    pair_bias: np.ndarray      # (3,)
    post_weights: np.ndarray   # (len(POST_FEATURES),)
    post_bias: float
    embedder: str
    version: str
    wording: WordingModel | None = None

    def wording_logit(self, title: str, text: str) -> float:
        """The wording model's log-odds that the post debunks (0 without one)."""
        return float(self.wording_logits([post_text(title, text)])[0])

    def wording_logits(self, texts: Sequence[str]) -> np.ndarray:
        """`wording_logit` of many post texts (title + body) at once; zeros without a model."""
        if self.wording is None:
            return np.zeros(len(texts), dtype=np.float32)
        return self.wording.logits(texts)

    def pair_probabilities(self, sentences: np.ndarray, claims: np.ndarray) -> np.ndarray:
        """(n, 3) probabilities over PAIR_LABELS."""
        if len(sentences) == 0:
            return np.zeros((0, 3), dtype=np.float32)
        return _softmax(pair_features(sentences, claims) @ self.pair_weights + self.pair_bias)

    def refute_margins(self, sentences: np.ndarray, claims: np.ndarray) -> np.ndarray:
        probs = self.pair_probabilities(sentences, claims)
        return probs[:, 1] - probs[:, 0]

    def debunk_probability(self, features: np.ndarray) -> float:
        z = float(np.dot(features, self.post_weights) + self.post_bias)
        return float(1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0))))

    def save(self, directory: Path, card: dict[str, object]) -> Path:
        tensors = {"pair_weights": self.pair_weights, "pair_bias": self.pair_bias,
                   "post_weights": self.post_weights, "post_bias": np.asarray([self.post_bias])}
        if self.wording is not None:
            tensors |= {"wording_idf": self.wording.idf, "wording_weights": self.wording.weights,
                        "wording_intercept": np.asarray([self.wording.intercept])}
            directory.mkdir(parents=True, exist_ok=True)
            (directory / WORDING_VOCABULARY).write_text(
                json.dumps(list(self.wording.vocabulary), ensure_ascii=False) + "\n",
                encoding="utf-8")
        return write_model(directory, "stance.safetensors", tensors,
                           {**card, "embedder": self.embedder, "version": self.version,
                            "pair_labels": list(PAIR_LABELS), "post_features": list(POST_FEATURES)})

    @classmethod
    def load(cls, directory: Path) -> StanceModel:
        card, tensors = read_model(directory, "stance.safetensors", "stance model")
        if card.get("post_features") != list(POST_FEATURES):
            raise ModelError(f"{directory / CARD}: post features differ from this version's; "
                             "retrain with `kepu train-stance`")
        return cls(tensors["pair_weights"], tensors["pair_bias"], tensors["post_weights"],
                   float(tensors["post_bias"][0]), str(card["embedder"]), str(card["version"]),
                   _load_wording(directory, tensors))

    @classmethod
    def card(cls, directory: Path) -> dict[str, object]:
        return json.loads((directory / CARD).read_text(encoding="utf-8"))


def _load_wording(directory: Path, tensors: dict[str, np.ndarray]) -> WordingModel | None:
    if "wording_weights" not in tensors:
        return None
    path = directory / WORDING_VOCABULARY
    try:
        vocabulary = tuple(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable wording vocabulary: {exc}") from exc
    if not len(vocabulary) == len(tensors["wording_idf"]) == len(tensors["wording_weights"]):
        raise ModelError(f"{path}: {len(vocabulary)} n-grams for "
                         f"{len(tensors['wording_weights'])} weights")
    return WordingModel(vocabulary, tensors["wording_idf"], tensors["wording_weights"],
                        float(tensors["wording_intercept"][0]))
