"""A logistic head on sentence embeddings: probable pseudo-science with or without a known claim.

Weights are stored as safetensors plus a JSON model card; never pickle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from sklearn.linear_model import LogisticRegression

from kepu.errors import ModelError


@dataclass(frozen=True)
class LinearHead:
    """p(pseudo-science) = sigmoid(x·w + b) on an L2-normalised embedding.

    `standalone` says whether the head may flag a post that matches no known claim on its own
    word; only heads trained and evaluated on real posts earn it (see models/registry.py).
    """

    weights: np.ndarray
    bias: float
    embedder: str
    version: str
    standalone: bool = False

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        logits = np.asarray(vectors, dtype=np.float32) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-logits))

    def save(self, directory: Path, card: dict[str, object]) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        save_file({"weights": self.weights.astype(np.float32),
                   "bias": np.asarray([self.bias], dtype=np.float32)},
                  str(directory / "head.safetensors"))
        card = {**card, "embedder": self.embedder, "version": self.version,
                "standalone": self.standalone}
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
    return LinearHead(tensors["weights"], float(tensors["bias"][0]), card["embedder"],
                      card["version"], bool(card.get("standalone", False)))


def train_head(
    vectors: np.ndarray, labels: Sequence[int], embedder: str, c: float = 4.0,
    standalone: bool = False,
) -> LinearHead:
    """Fit a class-balanced logistic regression on normalised embeddings."""
    y = np.asarray(labels)
    if len(set(y.tolist())) < 2:
        raise ModelError("training data needs both classes")
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit(vectors, y)
    version = datetime.now(UTC).strftime("head-%Y%m%dT%H%M%S")
    return LinearHead(model.coef_[0].astype(np.float32), float(model.intercept_[0]), embedder,
                      version, standalone)
