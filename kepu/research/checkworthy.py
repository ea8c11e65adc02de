"""Train and evaluate check-worthiness (`kepu train-checkworthy`, `kepu eval checkworthy`): the
adapter between Full Fact's labelled health claims, the embedder and the pure head.

Full Fact ships no split: 80/20 by a hash of the sentence (`split_of`), the same rule as for the
other unsplit sets. The head is fitted on the 80% (its C chosen by cross-validation there) and
reported on the 20%; the cue score, which learns nothing, is reported on the same 20% too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from common.settings import Settings
from models.checkworthy_training import choose_c, fit_checkworthy
from models.registry import vector_cache
from models.vectors import sentence_vectors
from pipeline.checkworthy import CheckworthyHead, checkworthiness
from pipeline.embedding import Embedder, describe
from pipeline.eval_data import read_fullfact_checkworthy, split_of
from pipeline.metrics import precision_recall

Progress = Callable[[int], None]
DATASET = "fullfact-health-claims"


def fullfact_split(settings: Settings, part: str) -> list[tuple[str, bool]]:
    return [(text, worth) for text, worth in read_fullfact_checkworthy(settings.datasets_dir)
            if split_of(text) == part]


def _vectors(settings: Settings, embedder: Embedder, texts: Sequence[str],
             progress: Progress | None) -> np.ndarray:
    return sentence_vectors(embedder, vector_cache(settings, embedder), texts, progress)


def figures(gold: Sequence[bool], scores: Sequence[float], threshold: float = 0.5
            ) -> dict[str, float]:
    precision, recall = precision_recall(list(gold), [s >= threshold for s in scores])
    return {"ROC-AUC": float(roc_auc_score(gold, scores)), f"precision@{threshold}": precision,
            f"recall@{threshold}": recall, "positives": float(sum(gold)),
            "posts": float(len(gold))}


def train_checkworthy(settings: Settings, embedder: Embedder, out_dir: Path,
                      progress: Progress | None = None) -> dict[str, object]:
    """Fit the head on the train part, write it to `out_dir`, return its card."""
    train, test = fullfact_split(settings, "train"), fullfact_split(settings, "test")
    x_train = _vectors(settings, embedder, [t for t, _ in train], progress)
    y_train = [w for _, w in train]
    c, cv_scores = choose_c(x_train, y_train)
    weights, bias = fit_checkworthy(x_train, y_train, c)
    head = CheckworthyHead(weights, bias, embedder.name,
                           datetime.now(UTC).strftime("checkworthy-%Y%m%d-%H%M%S"))
    x_test = _vectors(settings, embedder, [t for t, _ in test], progress)
    card: dict[str, object] = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "embedded_with": describe(embedder),
        "training": {"dataset": f"{DATASET}/train (80% by sentence hash)",
                     "sentences": len(train), "worth checking": int(sum(y_train)),
                     "C": c, "cross-validated ROC-AUC by C": {str(k): round(v, 4)
                                                               for k, v in cv_scores.items()}},
        "test": {f"{DATASET}/test (20% by sentence hash)": figures(
            [w for _, w in test], head.probabilities(x_test).tolist())},
    }
    head.save(out_dir, card)
    return card


def eval_checkworthy(settings: Settings, embedder: Embedder | None,
                     progress: Progress | None = None) -> dict[str, dict[str, float]]:
    """The cue score and, given the head's embedder, the trained head, on the test part."""
    test = fullfact_split(settings, "test")
    gold = [w for _, w in test]
    name = f"{DATASET}/test (20% by sentence hash)"
    results = {f"{name}, cue score (untrained)": figures(
        gold, [checkworthiness(t) for t, _ in test])}
    head_dir = settings.checkworthy_model
    if embedder is not None and (head_dir / "card.json").exists():
        head = CheckworthyHead.load(head_dir)
        if head.embedder == embedder.name:
            x_test = _vectors(settings, embedder, [t for t, _ in test], progress)
            results[f"{name}, trained head {head.version}"] = figures(
                gold, head.probabilities(x_test).tolist())
    return results
