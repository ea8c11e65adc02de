"""Heads on sentence embeddings: probable pseudo-science with or without a known claim.

The default is a logistic head; `hidden` layers (ReLU) make it a small MLP. Either is Platt-
calibrated on a dev split so that its output reads as a probability. Weights are stored as
safetensors plus a JSON model card; never pickle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from common.errors import ModelError


@dataclass(frozen=True)
class LinearHead:
    """p(pseudo-science) = sigmoid(scale * (h(x)·w + b) + shift) on an L2-normalised embedding.

    `hidden` holds (W, b) ReLU layers before the output (empty: plain logistic). `scale`/`shift`
    are the Platt calibration. `standalone` says whether the head may flag a post that matches
    no known claim on its own word; only heads trained and evaluated on real posts earn it.
    """

    weights: np.ndarray
    bias: float
    embedder: str
    version: str
    standalone: bool = False
    hidden: tuple[tuple[np.ndarray, np.ndarray], ...] = ()
    scale: float = 1.0
    shift: float = 0.0

    @property
    def kind(self) -> str:
        return "mlp" if self.hidden else "linear"

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        """Uncalibrated logits."""
        x = np.asarray(vectors, dtype=np.float32)
        for w, b in self.hidden:
            x = np.maximum(x @ w + b, 0.0)
        return x @ self.weights + self.bias

    def predict_proba(self, vectors: np.ndarray, texts: Sequence[str] | None = None
                      ) -> np.ndarray:
        """Calibrated probabilities; `texts` is unused (text heads such as models.ngram read it)."""
        z = self.scale * self.logits(vectors) + self.shift
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def save(self, directory: Path, card: dict[str, object]) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        tensors = {"weights": self.weights.astype(np.float32),
                   "bias": np.asarray([self.bias], dtype=np.float32),
                   "platt": np.asarray([self.scale, self.shift], dtype=np.float32)}
        for i, (w, b) in enumerate(self.hidden):
            tensors[f"hidden.{i}.weight"] = w.astype(np.float32)
            tensors[f"hidden.{i}.bias"] = b.astype(np.float32)
        save_file(tensors, str(directory / "head.safetensors"))
        card = {**card, "embedder": self.embedder, "version": self.version,
                "standalone": self.standalone, "kind": self.kind}
        (directory / "model_card.json").write_text(
            json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
        return directory


def load_head(directory: Path) -> LinearHead:
    """Load a head saved by `LinearHead.save`."""
    try:
        tensors = load_file(str(directory / "head.safetensors"))
        card = json.loads((directory / "model_card.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{directory}: cannot load classifier: {exc}") from exc
    hidden = []
    while f"hidden.{len(hidden)}.weight" in tensors:
        i = len(hidden)
        hidden.append((tensors[f"hidden.{i}.weight"], tensors[f"hidden.{i}.bias"]))
    platt = tensors.get("platt", np.asarray([1.0, 0.0]))
    return LinearHead(tensors["weights"], float(tensors["bias"][0]), card["embedder"],
                      card["version"], bool(card.get("standalone", False)), tuple(hidden),
                      float(platt[0]), float(platt[1]))


def _version(kind: str) -> str:
    return datetime.now(UTC).strftime(f"{'head' if kind == 'linear' else kind}-%Y%m%dT%H%M%S%f")


def train_head(
    vectors: np.ndarray, labels: Sequence[int], embedder: str, c: float = 4.0,
    standalone: bool = False, hidden: int = 0, seed: int = 0,
) -> LinearHead:
    """Fit a class-balanced logistic regression (or, with `hidden` units, a one-layer MLP)."""
    y = np.asarray(labels)
    if len(set(y.tolist())) < 2:
        raise ModelError("training data needs both classes")
    if hidden:
        mlp = MLPClassifier((hidden,), alpha=1e-3, early_stopping=True, max_iter=200,
                            random_state=seed).fit(vectors, y)
        layers = ((mlp.coefs_[0].astype(np.float32), mlp.intercepts_[0].astype(np.float32)),)
        return LinearHead(mlp.coefs_[1][:, 0].astype(np.float32), float(mlp.intercepts_[1][0]),
                          embedder, _version("mlp"), standalone, layers)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit(vectors, y)
    return LinearHead(model.coef_[0].astype(np.float32), float(model.intercept_[0]), embedder,
                      _version("linear"), standalone)


def calibrate(head: LinearHead, vectors: np.ndarray, labels: Sequence[int]) -> LinearHead:
    """Platt scaling fitted on a dev split: one slope and offset on the head's logits."""
    scale, shift = platt_scaling(head.logits(vectors), labels)
    return replace(head, scale=scale, shift=shift)


def platt_scaling(logits: np.ndarray, labels: Sequence[int]) -> tuple[float, float]:
    """(scale, shift) so that sigmoid(scale * logit + shift) fits the labels (a dev split)."""
    y = np.asarray(labels)
    if len(set(y.tolist())) < 2:
        raise ModelError("calibration data needs both classes")
    platt = LogisticRegression(C=1e4, max_iter=1000).fit(np.asarray(logits).reshape(-1, 1), y)
    return float(platt.coef_[0][0]), float(platt.intercept_[0])
