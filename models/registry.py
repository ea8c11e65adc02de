"""Versioned classifier directories under the model dir, registered in DuckDB (adapter).

Owns: where versions are written, how they are registered and which head is current; the
examples come from models.examples and the promotion gate is kepu.research.promotion.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from common.errors import ModelError
from common.records import Claim
from common.settings import Settings
from models.bootstrap import examples_from_claims
from models.classifier import LinearHead, load_head, train_head
from models.examples import gather_examples
from models.ngram import NgramHead, load_ngram_head
from models.training import Trained, train_classifier, train_ngram_classifier
from models.vectors import VectorCache
from pipeline.embedding import Embedder
from store import Database
from store.models import (
    current_model,
    get_model,
    promote_model,
    register_model,
)

log = logging.getLogger(__name__)
KIND = "post-classifier"
TRANSFORMER_KIND = "post-transformer"


def load_classifier(directory: Path) -> LinearHead | NgramHead:
    """Whichever head a version directory holds (embedding head or text n-gram head)."""
    if (directory / "ngram.safetensors").exists():
        return load_ngram_head(directory)
    return load_head(directory)


def current_classifier(settings: Settings, db: Database, embedder: Embedder,
                       claims: Sequence[Claim]) -> LinearHead | NgramHead:
    """The promoted classifier (for this embedder, if it reads vectors); the first run trains one
    from the claims base. Every head answers `predict_proba(vectors, texts=None)`; n-gram heads
    need `texts`."""
    found = current_model(db, KIND)
    if found:
        head = load_classifier(settings.models / found[0])
        if isinstance(head, NgramHead) or head.embedder == embedder.name:
            return head
        log.warning("promoted classifier %s was trained on %s, not %s; retraining",
                    found[0], head.embedder, embedder.name)
    return bootstrap_classifier(settings, db, embedder, claims, parent=found[0] if found else None)


def bootstrap_classifier(settings: Settings, db: Database, embedder: Embedder,
                         claims: Sequence[Claim], parent: str | None = None) -> LinearHead:
    texts, labels = examples_from_claims(claims)
    if len(set(labels)) < 2:
        # a base of true claims only (or none) teaches nothing: a head that says "don't know"
        head = LinearHead(np.zeros(embedder.dim, np.float32), 0.0, embedder.name,
                          datetime.now(UTC).strftime("head-%Y%m%dT%H%M%S%f"))
    else:
        head = train_head(embedder.encode(texts, role="query"), labels, embedder.name)
    card = {"data": "bundled claims base (myths positive; true claims and explanations negative)",
            "examples": len(texts), "date": datetime.now(UTC).isoformat(), "parent": parent,
            "metrics": {}, "note": "bootstrap head; retrain on reviewed data with `kepu train`"}
    path = head.save(settings.models / head.version, card)
    register_model(db, head.version, KIND, str(path), parent, {})
    promote_model(db, head.version, KIND, actor="bootstrap")
    return head


def vector_cache(settings: Settings, embedder: Embedder) -> VectorCache:
    return VectorCache(settings.home / "cache" / "embeddings", f"{embedder.vectors_id}-query")


def train_and_register(settings: Settings, db: Database, embedder: Embedder | None,
                       kind: str = "linear", datasets: Sequence[str] | None = None,
                       train_limit: int | None = None,
                       progress: Callable[[int], None] | None = None) -> tuple[Trained, Path]:
    """Train a candidate, write its versioned directory and register it (not promoted).

    `kind` "ngram" reads the texts and needs no embedder; the other heads need one."""
    examples = gather_examples(settings, db, datasets, train_limit)
    found = current_model(db, KIND)
    parent = found[0] if found else None
    if kind == "ngram":
        trained = train_ngram_classifier(examples, parent, settings.classifier_standalone)
    elif embedder is None:
        raise ModelError(f"--kind {kind}: needs an embedder")
    else:
        trained = train_classifier(examples, embedder, vector_cache(settings, embedder), kind,
                                   parent, progress, standalone=settings.classifier_standalone)
    card = {**trained.card, "datasets_dir": str(settings.datasets_dir),
            "train_limit": train_limit}
    path = trained.head.save(settings.models / trained.head.version, card)
    register_model(db, trained.head.version, KIND, str(path), card["parent"],  # type: ignore[arg-type]
                   trained.card["metrics"])  # type: ignore[arg-type]
    return trained, path


def model_card(settings: Settings, db: Database, version: str) -> dict[str, object]:
    """The model card of a registered version, plus its registry row's promotion state."""
    found = get_model(db, version)
    if not found:
        raise ModelError(f"model {version}: not registered (see `kepu models list`)")
    path = settings.models / version / "model_card.json"
    try:
        return {**json.loads(path.read_text(encoding="utf-8")), "promoted": found["promoted"],
                "registry_kind": found["kind"], "path": str(path.parent)}
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: cannot read model card: {exc}") from exc


