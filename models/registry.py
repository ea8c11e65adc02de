"""Versioned classifier directories under the model dir, registered in DuckDB (adapter)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from kepu.records import Claim
from kepu.settings import Settings
from kepu.store import Database
from kepu.store.models import current_model, promote_model, register_model
from models.bootstrap import examples_from_claims
from models.classifier import LinearHead, load_head, train_head
from pipeline.embedding import Embedder

log = logging.getLogger(__name__)
KIND = "post-classifier"


def current_classifier(settings: Settings, db: Database, embedder: Embedder,
                       claims: Sequence[Claim]) -> LinearHead:
    """The promoted classifier for this embedder; the first run trains one from the claims base."""
    found = current_model(db, KIND)
    if found:
        head = load_head(settings.models / found[0])
        if head.embedder == embedder.name:
            return head
        log.warning("promoted classifier %s was trained on %s, not %s; retraining",
                    found[0], head.embedder, embedder.name)
    return bootstrap_classifier(settings, db, embedder, claims, parent=found[0] if found else None)


def bootstrap_classifier(settings: Settings, db: Database, embedder: Embedder,
                         claims: Sequence[Claim], parent: str | None = None) -> LinearHead:
    texts, labels = examples_from_claims(claims)
    head = train_head(embedder.encode(texts, role="query"), labels, embedder.name)
    card = {"data": "bundled claims base (myths positive; true claims and explanations negative)",
            "examples": len(texts), "date": datetime.now(UTC).isoformat(), "parent": parent,
            "metrics": {}, "note": "bootstrap head; retrain on reviewed data with `kepu train`"}
    path = head.save(settings.models / head.version, card)
    register_model(db, head.version, KIND, str(path), parent, {})
    promote_model(db, head.version, KIND, actor="bootstrap")
    return head
