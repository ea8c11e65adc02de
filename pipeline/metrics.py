"""Retrieval and classification metrics, computed the standard way (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def average_precision_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """AP@k as in CLEF CheckThat!: precision at each relevant hit, over min(|relevant|, k)."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for rank, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), k)


def mean_average_precision(runs: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]],
                           k: int) -> float:
    """MAP@k over the queries that have relevance judgements."""
    queries = [q for q in qrels if qrels[q]]
    return sum(average_precision_at_k(runs.get(q, []), qrels[q], k) for q in queries) / max(
        len(queries), 1)


def recall_at_k(runs: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]], k: int) -> float:
    queries = [q for q in qrels if qrels[q]]
    return sum(len(set(runs.get(q, [])[:k]) & qrels[q]) / len(qrels[q]) for q in queries) / max(
        len(queries), 1)


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    labels = sorted(set(gold) | set(predicted))
    scores = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / max(len(scores), 1)


def precision_recall(gold: Sequence[bool], predicted: Sequence[bool]) -> tuple[float, float]:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    fp = sum(p and not g for g, p in zip(gold, predicted, strict=True))
    fn = sum(g and not p for g, p in zip(gold, predicted, strict=True))
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def stance_scores(gold: Sequence[str], predicted: Sequence[str], neutral: str, support: str
                  ) -> dict[str, float]:
    """3-class macro-F1, and the two-way figure on the pairs that take a side (a "neutral"
    prediction there counts as `support`, the harmless mistake)."""
    two_way = [(g, p) for g, p in zip(gold, predicted, strict=True) if g != neutral]
    return {
        "macro-F1 (3 classes)": macro_f1(list(gold), list(predicted)),
        "macro-F1 (supports vs refutes)": macro_f1(
            [g for g, _ in two_way], [p if p != neutral else support for _, p in two_way]),
        "pairs": float(len(gold)),
    }
