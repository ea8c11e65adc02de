"""Quality figures for a binary classifier: precision, recall, F1, macro-F1, PR-AUC, ECE.

Positive class = pseudo-science / fake. Pure numpy + scikit-learn metrics.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score


@dataclass(frozen=True)
class Figures:
    """Figures on one evaluation set at one decision threshold."""

    n: int
    positives: int
    precision: float
    recall: float
    f1: float
    macro_f1: float
    pr_auc: float
    ece: float

    def as_dict(self) -> dict[str, float]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def expected_calibration_error(labels: np.ndarray, probs: np.ndarray, bins: int = 10) -> float:
    """Mean |accuracy - confidence| over equal-width probability bins, weighted by bin size."""
    labels, probs = np.asarray(labels, dtype=float), np.asarray(probs, dtype=float)
    if len(probs) == 0:
        return float("nan")
    index = np.minimum((probs * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.sum() * abs(labels[mask].mean() - probs[mask].mean())
    return float(total / len(probs))


def figures(labels: Sequence[int], probs: Sequence[float], threshold: float = 0.5) -> Figures:
    """All figures for one set; PR-AUC is NaN when the set has a single class."""
    y, p = np.asarray(labels, dtype=int), np.asarray(probs, dtype=float)
    pred = (p >= threshold).astype(int)
    both = len(set(y.tolist())) == 2
    return Figures(
        n=len(y), positives=int(y.sum()),
        precision=float(precision_score(y, pred, zero_division=0)),
        recall=float(recall_score(y, pred, zero_division=0)),
        f1=float(f1_score(y, pred, zero_division=0)),
        macro_f1=float(f1_score(y, pred, average="macro", labels=[0, 1], zero_division=0)),
        pr_auc=float(average_precision_score(y, p)) if both else float("nan"),
        ece=expected_calibration_error(y, p),
    )


def grouped_figures(groups: Sequence[str], labels: Sequence[int], probs: Sequence[float],
                    threshold: float = 0.5, min_size: int = 20) -> dict[str, dict[str, float]]:
    """Figures per group (dataset, topic or language); groups under `min_size` are left out."""
    rows: dict[str, list[int]] = defaultdict(list)
    for i, group in enumerate(groups):
        rows[group].append(i)
    y, p = np.asarray(labels), np.asarray(probs)
    return {g: figures(y[idx], p[idx], threshold).as_dict()
            for g, idx in sorted(rows.items()) if len(idx) >= min_size}


def best_threshold(labels: Sequence[int], probs: Sequence[float]) -> float:
    """The threshold maximising macro-F1 (tuned on a dev split only, never on test)."""
    y, p = np.asarray(labels, dtype=int), np.asarray(probs, dtype=float)
    candidates = np.unique(np.round(np.quantile(p, np.linspace(0.01, 0.99, 99)), 4))
    scored = [(float(f1_score(y, (p >= t).astype(int), average="macro", labels=[0, 1],
                               zero_division=0)), -abs(t - 0.5), float(t)) for t in candidates]
    return max(scored)[2] if scored else 0.5
