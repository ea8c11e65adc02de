"""Evaluations of the scoring pipeline on held-out data (`kepu eval ...`), and `kepu bench flag`.

Embeddings of large evaluation corpora are cached under HOME/cache (content-addressed .npy files)
so a re-run only pays for the model once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence

import numpy as np

from common.records import Claim
from common.settings import Settings
from pipeline.embedding import Embedder, Role
from pipeline.eval_data import read_clef2020
from pipeline.matching import ClaimIndex
from pipeline.metrics import mean_average_precision, recall_at_k, stance_scores
from pipeline.stance import decide_stance
from pipeline.usearch_index import UsearchSearch

log = logging.getLogger(__name__)
Progress = Callable[[int], None]


def cached_encode(settings: Settings, embedder: Embedder, texts: Sequence[str], role: Role,
                  progress: Progress | None = None, batch: int = 256) -> np.ndarray:
    """Encode texts once per (model, role, texts); later calls read the cached file."""
    key = json.dumps([embedder.vectors_id, role, list(texts)], ensure_ascii=False)
    digest = hashlib.sha256(key.encode()).hexdigest()
    path = settings.home / "cache" / f"emb-{digest[:24]}.npy"
    if path.exists():
        return np.load(path)
    parts = []
    for start in range(0, len(texts), batch):
        parts.append(embedder.encode(texts[start:start + batch], role=role))
        if progress:
            progress(len(parts[-1]))
    vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dim), np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def eval_matching(settings: Settings, embedder: Embedder, split: str,
                  progress: Progress | None = None) -> dict[str, dict[str, float]]:
    """MAP@1, MAP@5 and Recall@10 of dense, BM25 and fused retrieval on CLEF 2020 `split`."""
    data = read_clef2020(settings.datasets_dir, split)
    claims = [Claim(d, t, "en", "false", "health", "", "clef") for d, t in data.documents]
    doc_vectors = cached_encode(settings, embedder, [t for _, t in data.documents], "query",
                                progress)
    query_texts = [t for _, t in data.queries]
    query_vectors = cached_encode(settings, embedder, query_texts, "query", progress)
    index = ClaimIndex(claims, doc_vectors, center=settings.center_vectors,
                       ann_threshold=settings.ann_threshold, ann_factory=UsearchSearch)
    dense_ids, _ = index.search(query_vectors, 10)
    fused = index.rank(query_texts, query_vectors, 10)
    bm25 = [index.lexical_rank(t, 10) for t in query_texts]
    results = {}
    for name, ranking in (("dense", dense_ids.tolist()), ("bm25", bm25), ("fused", fused)):
        runs = {q: [claims[i].id for i in ranking[row]] for row, (q, _) in enumerate(data.queries)}
        results[name] = {"MAP@1": mean_average_precision(runs, data.qrels, 1),
                         "MAP@5": mean_average_precision(runs, data.qrels, 5),
                         "Recall@10": recall_at_k(runs, data.qrels, 10),
                         "queries": float(len(data.qrels))}
    return results


def eval_stance(settings: Settings) -> dict[str, dict[str, float]]:
    """Macro-F1 of the rule-based stance on the public stance test sets (no training involved);
    the trained model's figures come from `kepu.research.stance.eval_trained_stance`."""
    from kepu.research.stance import public_test_sets

    label_map = {"supports": "asserts", "refutes": "debunks", "neutral": "neutral"}
    return {name: stance_scores([label_map[p.label] for p in pairs],
                                [decide_stance(p.evidence, p.claim).label for p in pairs],
                                neutral="neutral", support="asserts")
            for name, pairs in public_test_sets(settings.datasets_dir).items()}


def report_lines(results: dict[str, dict[str, float]], title: str) -> list[str]:
    lines = [title]
    for name, figures in results.items():
        shown = ", ".join(f"{k} {int(v)}" if _is_count(k) else f"{k} {v:.3f}"
                          for k, v in figures.items())
        lines.append(f"  {name}: {shown}")
    return lines


def _is_count(key: str) -> bool:
    return key in ("queries", "pairs", "posts", "positives") or key.endswith(" posts")
