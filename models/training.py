"""Train a head on the train split, calibrate it on dev, evaluate it on the frozen test splits.

No store here: examples, the embedder and the vector cache are passed in; the registry adapter
saves and registers what comes out.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from models.classifier import LinearHead, calibrate, train_head
from models.datasets import Example
from models.metrics import best_threshold, figures, grouped_figures
from models.ngram import NgramHead, calibrate_ngram, train_ngram_head
from models.vectors import VectorCache, post_vectors
from pipeline.embedding import Embedder
from pipeline.embedding import describe as describe_embedder

log = logging.getLogger(__name__)
HIDDEN_UNITS = {"linear": 0, "mlp": 256}


@dataclass(frozen=True)
class Trained:
    """A calibrated head with the model card describing its data, figures and timings."""

    head: LinearHead | NgramHead
    card: dict[str, object]


def eval_fingerprint(examples: Sequence[Example]) -> str:
    """Hash of the test examples: two models are comparable only on the same frozen sets."""
    digest = hashlib.sha256()
    for e in sorted((e for e in examples if e.split == "test"), key=lambda e: (e.dataset, e.text)):
        digest.update(f"{e.dataset}\x1f{e.label}\x1f{e.text}\x1e".encode())
    return digest.hexdigest()[:16]


def evaluate(probs: np.ndarray, examples: Sequence[Example], threshold: float = 0.5
             ) -> dict[str, object]:
    """Figures on the test split: overall, per dataset, per topic, per language.

    `macro_f1_mean` (mean of the per-dataset macro-F1) is the figure the promotion gate uses.
    """
    idx = [i for i, e in enumerate(examples) if e.split == "test"]
    test = [examples[i] for i in idx]
    y, p = np.asarray([e.label for e in test]), np.asarray(probs)[idx]
    if len(test) == 0:
        return {"test_examples": 0}
    by_dataset = grouped_figures([e.dataset for e in test], y, p, threshold, min_size=1)
    return {
        "threshold": threshold,
        "overall": figures(y, p, threshold).as_dict(),
        "by_dataset": by_dataset,
        "by_topic": grouped_figures([e.topic or "other" for e in test], y, p, threshold),
        "by_lang": grouped_figures([e.lang for e in test], y, p, threshold),
        "macro_f1_mean": round(float(np.mean([f["macro_f1"] for f in by_dataset.values()])), 4),
        "fingerprint": eval_fingerprint(examples),
    }


def describe(examples: Sequence[Example]) -> dict[str, dict[str, int]]:
    """Example counts per dataset and split, for the model card."""
    counts = Counter((e.dataset, e.split) for e in examples)
    out: dict[str, dict[str, int]] = {}
    for (dataset, split), n in sorted(counts.items()):
        out.setdefault(dataset, {})[split] = n
    return out


def train_classifier(examples: Sequence[Example], embedder: Embedder, cache: VectorCache | None,
                     kind: str = "linear", parent: str | None = None,
                     progress: Callable[[int], None] | None = None,
                     standalone: bool = False) -> Trained:
    """Embed (cached), fit on train, Platt-calibrate on dev, evaluate on test."""
    start = time.perf_counter()
    vectors = post_vectors(embedder, [e.text for e in examples], cache, progress)
    embedded = time.perf_counter()
    y = np.asarray([e.label for e in examples])
    split = np.asarray([e.split for e in examples])
    head = train_head(vectors[split == "train"], y[split == "train"], embedder.name,
                      c=16.0, standalone=standalone, hidden=HIDDEN_UNITS[kind])
    head = calibrate(head, vectors[split == "dev"], y[split == "dev"])
    fitted = time.perf_counter()
    probs = head.predict_proba(vectors)
    card = _card(kind, parent, examples, probs,
                 "mean of L2-normalised query embeddings of the post's check-worthy sentences "
                 f"(as pipeline.flagger computes them), by {describe_embedder(embedder)}",
                 {"embed": round(embedded - start, 1), "fit": round(fitted - embedded, 1)})
    log.info("trained %s in %.1fs (fit) + %.1fs (embed)", head.version, fitted - embedded,
             embedded - start)
    return Trained(head, card)


def train_ngram_classifier(examples: Sequence[Example], parent: str | None = None,
                           standalone: bool = False) -> Trained:
    """Fit the text n-gram head on train, Platt-calibrate on dev, evaluate on test (no
    embeddings needed)."""
    start = time.perf_counter()
    texts = [e.text for e in examples]
    y = np.asarray([e.label for e in examples])
    split = np.asarray([e.split for e in examples])
    pick = [[t for t, s in zip(texts, split, strict=True) if s == name] for name in ("train", "dev")]
    head = train_ngram_head(pick[0], y[split == "train"], standalone=standalone)
    head = calibrate_ngram(head, pick[1], y[split == "dev"])
    fitted = time.perf_counter()
    probs = head.predict_proba(None, texts)
    card = _card("ngram", parent, examples, probs,
                 "L2-normalised TF-IDF of the post text: character 1-3-grams (char_wb) and word "
                 "1-2-grams, n-grams in 2+ train texts",
                 {"fit": round(fitted - start, 1)})
    log.info("trained %s in %.1fs", head.version, fitted - start)
    return Trained(head, card)


def _card(kind: str, parent: str | None, examples: Sequence[Example], probs: np.ndarray,
          features: str, seconds: dict[str, float]) -> dict[str, object]:
    """The model card: data, features, figures at 0.5 and at the dev-tuned threshold, timings."""
    y = np.asarray([e.label for e in examples])
    dev = np.asarray([e.split == "dev" for e in examples])
    tuned = best_threshold(y[dev], probs[dev])
    return {
        "kind": kind, "parent": parent, "date": datetime.now(UTC).isoformat(),
        "data": describe(examples), "features": features,
        "calibration": "Platt scaling on the dev split",
        "metrics": evaluate(probs, examples),
        "dev_tuned_threshold": tuned,
        "metrics_at_dev_threshold": evaluate(probs, examples, tuned),
        "seconds": seconds,
    }
