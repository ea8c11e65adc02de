"""Fit the two heads of `pipeline.stance_model.StanceModel` (pure: arrays in, weights out).

Logistic regression for both: the pair head is a three-way softmax on pair features, balanced by
class because the public sets are mostly "neutral"; the post head is a strongly regularised
logistic on a handful of features, because it learns from a few dozen of our own posts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from pipeline.stance_model import PAIR_LABELS


def fit_pair_head(features: np.ndarray, labels: Sequence[str], c: float = 1.0,
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(weights (d, 3), bias (3,)) in PAIR_LABELS order."""
    y = np.asarray([PAIR_LABELS.index(label) for label in labels])
    if len(set(y.tolist())) < len(PAIR_LABELS):
        raise ValueError("the pair head needs examples of supports, refutes and neutral")
    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    model.fit(features, y)
    order = [list(model.classes_).index(i) for i in range(len(PAIR_LABELS))]
    return (np.ascontiguousarray(model.coef_[order].T, dtype=np.float32),
            model.intercept_[order].astype(np.float32))


def fit_post_head(features: np.ndarray, is_debunk: Sequence[bool], c: float = 1.0,
                  ) -> tuple[np.ndarray, float]:
    """(weights, bias) of p(debunk | post features).

    Features are standardised before fitting (their scales differ a hundredfold, and the
    penalty would otherwise silence the small ones); the scaling is folded back into the
    returned weights, so callers apply them to raw features.
    """
    y = np.asarray(is_debunk, dtype=int)
    if len(set(y.tolist())) < 2:
        raise ValueError("the post head needs both debunking and myth-asserting posts")
    x = np.asarray(features, dtype=np.float64)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std = np.where(std > 1e-9, std, 1.0)
    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    model.fit((x - mean) / std, y)
    weights = model.coef_[0] / std
    bias = float(model.intercept_[0] - np.dot(weights, mean))
    return weights.astype(np.float32), bias


def leave_one_out(features: np.ndarray, is_debunk: Sequence[bool], c: float = 1.0
                  ) -> np.ndarray:
    """p(debunk) of each post from a head fitted on all the others: an honest figure for a
    head trained on few posts."""
    y = np.asarray(is_debunk, dtype=bool)
    probs = np.zeros(len(y))
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        w, b = fit_post_head(features[keep], y[keep], c)
        probs[i] = 1.0 / (1.0 + np.exp(-(features[i] @ w + b)))
    return probs
