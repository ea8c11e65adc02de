"""The pseudo-science detector: a second signal beside claim matching.

It reads what the flagger already has, so it costs no extra encoding: the post's mean sentence
vector (an embedding head) and its text (a character n-gram wording model, `pipeline.wording`,
and the cue lexicon of `pipeline.cues`). A small logistic combiner weighs the two logits and the
cue counts; Platt scaling makes its output read as P(pseudo-science); `threshold` is the flag
threshold its training chose on development posts (a setting may override it).

Stored as safetensors plus a JSON card naming the embedder it belongs to (and the data that
fitted it); never pickle. Used only with that embedder. Pure numpy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.errors import ModelError
from pipeline.cues import CUE_FAMILIES, PRO_FAMILIES, cue_matrix, read_cues
from pipeline.model_files import read_model, write_model
from pipeline.wording import WordingModel

WEIGHTS = "detector.safetensors"
VOCABULARY = "wording_vocabulary.json"
COMBINER_INPUTS = ("embedding", "wording", *CUE_FAMILIES)
REASON = "probable pseudo-science, no known claim"


@dataclass(frozen=True)
class Detection:
    """The detector's calibrated probability for one post and the cue words that spoke for it."""

    probability: float
    cues: tuple[str, ...] = ()

    def reason(self, threshold: float) -> str:
        shown = "、".join(self.cues) if self.cues else "wording and embedding only"
        return f"{REASON}: detector p={self.probability:.2f} >= {threshold:.2f}; cues: {shown}"


@dataclass(frozen=True)
class PseudoscienceDetector:
    embed_weights: np.ndarray      # (dim,)
    embed_bias: float
    wording: WordingModel
    combiner: np.ndarray           # (len(COMBINER_INPUTS),)
    combiner_bias: float
    scale: float                   # Platt slope and offset on the combiner's logit
    shift: float
    threshold: float
    embedder: str
    version: str

    def inputs(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """The combiner's inputs: embedding logit, wording logit, cue features."""
        embed = np.asarray(vectors, dtype=np.float32) @ self.embed_weights + self.embed_bias
        # a part the combiner gives no weight is not computed (the n-grams cost the most)
        wording = (self.wording.logits(texts) if self.combiner[1] != 0
                   else np.zeros(len(texts), dtype=np.float32))
        return np.column_stack([embed, wording, cue_matrix(texts)])

    def probabilities(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros(0, dtype=np.float32)
        z = self.inputs(vectors, texts) @ self.combiner + self.combiner_bias
        return 1.0 / (1.0 + np.exp(-np.clip(self.scale * z + self.shift, -50.0, 50.0)))

    def detect(self, vectors: np.ndarray, texts: Sequence[str]) -> list[Detection]:
        """One Detection per post: `vectors[i]` is post i's mean sentence vector."""
        probs = self.probabilities(vectors, texts)
        return [Detection(float(p), self.cues(t)) for p, t in zip(probs, texts, strict=True)]

    def cues(self, text: str, most: int = 6) -> tuple[str, ...]:
        """The matched words of the cue families that raise the score, strongest family first."""
        weight = dict(zip(COMBINER_INPUTS, self.combiner.tolist(), strict=True))
        matched = read_cues(text).matched
        families = sorted((f for f in PRO_FAMILIES if f in matched and weight[f] > 0),
                          key=lambda f: -weight[f])
        words = [w for f in families for w in dict.fromkeys(matched[f])]
        return tuple(words[:most])

    def save(self, directory: Path, card: dict[str, object]) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / VOCABULARY).write_text(
            json.dumps(list(self.wording.vocabulary), ensure_ascii=False) + "\n", encoding="utf-8")
        tensors = {"embed_weights": self.embed_weights,
                   "embed_bias": np.asarray([self.embed_bias]),
                   "wording_idf": self.wording.idf, "wording_weights": self.wording.weights,
                   "wording_intercept": np.asarray([self.wording.intercept]),
                   "combiner": self.combiner, "combiner_bias": np.asarray([self.combiner_bias]),
                   "platt": np.asarray([self.scale, self.shift])}
        return write_model(directory, WEIGHTS, tensors, {
            **card, "embedder": self.embedder, "version": self.version,
            "threshold": self.threshold, "combiner_inputs": list(COMBINER_INPUTS)})

    @classmethod
    def load(cls, directory: Path) -> PseudoscienceDetector:
        card, t = read_model(directory, WEIGHTS, "pseudo-science detector")
        if card.get("combiner_inputs") != list(COMBINER_INPUTS):
            raise ModelError(f"{directory}: detector inputs differ from this version's cue "
                             "families; retrain with `kepu train-detector`")
        path = directory / VOCABULARY
        try:
            vocabulary = tuple(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: unreadable wording vocabulary: {exc}") from exc
        if len(vocabulary) != len(t["wording_weights"]):
            raise ModelError(f"{path}: {len(vocabulary)} n-grams for "
                             f"{len(t['wording_weights'])} weights")
        wording = WordingModel(vocabulary, t["wording_idf"], t["wording_weights"],
                               float(t["wording_intercept"][0]))
        return cls(t["embed_weights"], float(t["embed_bias"][0]), wording, t["combiner"],
                   float(t["combiner_bias"][0]), float(t["platt"][0]), float(t["platt"][1]),
                   float(card["threshold"]), str(card["embedder"]), str(card["version"]))
