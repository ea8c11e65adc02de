"""Fit the pseudo-science detector (`pipeline.detector`): arrays in, a detector out. Pure.

Three parts, each a class-balanced logistic regression: an embedding head on the post mean
vectors, a wording model on character n-grams (`models.stance_training.fit_wording`), and a
combiner over both logits plus the cue counts. The combiner learns from out-of-fold logits with
folds *by group* (one group per written core: a myth, its debunk and its other wordings), so it
never sees a logit from a head that saw a rewording of the same post. Platt scaling is fitted on
the dev split; the flag threshold is chosen on development posts by `choose_threshold`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from models.classifier import platt_scaling
from models.stance_training import fit_post_head, fit_wording
from pipeline.cues import cue_matrix
from pipeline.detector import PseudoscienceDetector


@dataclass(frozen=True)
class DetectorData:
    """Posts with their mean vectors, label (1 = pseudo-science) and group (for the folds)."""

    texts: list[str]
    vectors: np.ndarray
    labels: np.ndarray
    groups: list[str]

    def take(self, rows: Sequence[int] | np.ndarray) -> DetectorData:
        rows = np.asarray(rows, dtype=int)
        return DetectorData([self.texts[i] for i in rows], self.vectors[rows], self.labels[rows],
                            [self.groups[i] for i in rows])


def fit_embedding_head(vectors: np.ndarray, labels: np.ndarray, c: float = 1.0
                       ) -> tuple[np.ndarray, float]:
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    model.fit(vectors, labels)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def out_of_fold_logits(data: DetectorData, c_embed: float, c_wording: float, folds: int = 5
                       ) -> np.ndarray:
    """(n, 2): each post's embedding and wording logits from heads fitted without its group."""
    out = np.zeros((len(data.texts), 2), dtype=np.float32)
    for train, held in GroupKFold(n_splits=folds).split(data.vectors, data.labels, data.groups):
        part = data.take(train)
        w, b = fit_embedding_head(part.vectors, part.labels, c_embed)
        out[held, 0] = data.vectors[held] @ w + b
        wording = fit_wording(part.texts, part.labels.astype(bool), c_wording)
        out[held, 1] = wording.logits([data.texts[i] for i in held])
    return out


def fit_detector(train: DetectorData, dev: DetectorData, embedder: str, version: str,
                 c_embed: float = 1.0, c_wording: float = 1.0, c_combiner: float = 1.0,
                 use: Sequence[str] = ("embedding", "wording", "cues")) -> PseudoscienceDetector:
    """Fit the three parts on `train`, Platt-scale on `dev`. `use` switches parts off (their
    combiner weights are zero) so that each part's worth can be measured."""
    if len(set(train.labels.tolist())) < 2 or len(set(dev.labels.tolist())) < 2:
        raise ValueError("the detector needs pseudo-science and other posts in train and dev")
    inputs = np.column_stack([out_of_fold_logits(train, c_embed, c_wording),
                              cue_matrix(train.texts)])
    mask = np.asarray([("embedding" in use)] + [("wording" in use)]
                      + [("cues" in use)] * (inputs.shape[1] - 2), dtype=np.float32)
    combiner, bias = fit_post_head(inputs * mask, train.labels.astype(bool), c_combiner)
    embed_w, embed_b = fit_embedding_head(train.vectors, train.labels, c_embed)
    detector = PseudoscienceDetector(
        embed_w, embed_b, fit_wording(train.texts, train.labels.astype(bool), c_wording),
        (combiner * mask).astype(np.float32), bias, 1.0, 0.0, 0.5, embedder, version)
    raw = detector.inputs(dev.vectors, dev.texts) @ detector.combiner + detector.combiner_bias
    scale, shift = platt_scaling(raw, dev.labels.tolist())
    return replace(detector, scale=scale, shift=shift)


def flagged_share(probs: np.ndarray, threshold: float) -> float:
    return float((np.asarray(probs) >= threshold).mean()) if len(probs) else 0.0


def choose_threshold(negatives: Mapping[str, np.ndarray], limits: Mapping[str, float],
                     floor: float = 0.5) -> float:
    """The lowest threshold (not under `floor`) at which each kind of negative post is flagged
    at most at its limit: `negatives[kind]` are the detector's probabilities for those posts."""
    candidates = sorted({floor, *(round(float(p) + 1e-4, 4) for probs in negatives.values()
                                  for p in probs if p >= floor)})
    for t in candidates:
        if all(flagged_share(negatives[k], t) <= limits.get(k, 1.0) for k in negatives):
            return t
    return candidates[-1]
