"""Fit the check-worthiness head (pure: vectors and labels in, weights out).

Logistic regression on sentence embeddings, balanced by class (a quarter of Full Fact's sentences
are worth checking). The regularisation strength is chosen by 5-fold cross-validated ROC-AUC on
the training rows only, so the test split stays unseen until the figures are printed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score

C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)


def choose_c(vectors: np.ndarray, worth: Sequence[bool], grid: Sequence[float] = C_GRID,
             folds: int = 5) -> tuple[float, dict[float, float]]:
    """(best C, mean cross-validated ROC-AUC per C) on the training rows."""
    y = np.asarray(worth, dtype=int)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    scores = {c: float(cross_val_score(_model(c), vectors, y, cv=splitter,
                                       scoring="roc_auc").mean()) for c in grid}
    return max(scores, key=lambda c: scores[c]), scores


def fit_checkworthy(vectors: np.ndarray, worth: Sequence[bool], c: float
                    ) -> tuple[np.ndarray, float]:
    """(weights (dim,), bias) of p(worth checking | sentence vector)."""
    y = np.asarray(worth, dtype=int)
    if len(set(y.tolist())) < 2:
        raise ValueError("the check-worthiness head needs sentences of both labels")
    model = _model(c).fit(vectors, y)
    return np.ascontiguousarray(model.coef_[0], dtype=np.float32), float(model.intercept_[0])


def _model(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
