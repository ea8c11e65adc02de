"""Fit the two heads of `pipeline.stance_model.StanceModel` (pure: arrays in, weights out).

Logistic regression for both: the pair head is a three-way softmax on pair features, balanced by
class because the public sets are mostly "neutral"; the post head is a strongly regularised
logistic on a handful of features, because it learns from a few hundred of our own posts. One of
those features is the wording model's logit, taken out of fold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from pipeline.stance_model import PAIR_LABELS
from pipeline.wording import WordingModel, wording_vectorizer


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


def fit_wording(texts: Sequence[str], is_debunk: Sequence[bool], c: float = 1.0
                ) -> WordingModel:
    """The wording model (`pipeline.wording`) on whole posts, debunks as the positive class."""
    y = np.asarray(is_debunk, dtype=int)
    if len(set(y.tolist())) < 2:
        raise ValueError("the wording model needs both debunking and myth-asserting posts")
    vectorizer = wording_vectorizer()
    x = vectorizer.fit_transform(list(texts))
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x, y)
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    return WordingModel(tuple(vocabulary), vectorizer.idf_.astype(np.float32),
                        model.coef_[0].astype(np.float32), float(model.intercept_[0]))


def out_of_fold_wording(texts: Sequence[str], is_debunk: Sequence[bool], c: float = 1.0,
                        folds: int = 5, seed: int = 0) -> np.ndarray:
    """Each post's wording logit from a model fitted without it (k folds). The post head is
    fitted on these: in-sample logits would be near-perfect and the head would trust them
    far more than they deserve on new posts."""
    y = np.asarray(is_debunk, dtype=bool)
    out = np.zeros(len(y), dtype=np.float32)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, held in splitter.split(np.zeros(len(y)), y):
        model = fit_wording([texts[i] for i in train], y[train], c)
        out[held] = model.logits([texts[i] for i in held])
    return out
