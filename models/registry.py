"""Versioned classifier directories under the model dir, registered in DuckDB (adapter).

Owns: which examples a training run sees (public datasets + expert decisions), where versions
are written, and the gated promotion that compares a candidate with the current model.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from common.errors import ModelError
from common.records import Claim
from common.settings import Settings
from models.bootstrap import examples_from_claims
from models.classifier import LinearHead, load_head, train_head
from models.datasets import LOADERS, Example, load_datasets
from models.expert import expert_examples_from_rows
from models.gate import GATE_METRIC, GateVerdict, flag_gate_verdict, promotion_verdict
from models.ngram import NgramHead, load_ngram_head
from models.training import Trained, evaluate, train_classifier, train_ngram_classifier
from models.vectors import VectorCache, post_vectors
from pipeline.embedding import Embedder
from store import Database
from store.models import (
    current_model,
    expert_examples,
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


def gather_examples(settings: Settings, db: Database, datasets: Sequence[str] | None = None,
                    train_limit: int | None = None) -> list[Example]:
    """Public dataset examples plus expert decisions; `train_limit` caps train rows per dataset
    (the newest ones are kept) for budget runs; dev and test are never cut."""
    examples = load_datasets(settings.datasets_dir, datasets or settings.classifier_datasets)
    examples += expert_examples_from_rows(expert_examples(db))
    if train_limit is None:
        return examples
    kept, seen = [], {}
    for e in reversed(examples):
        if e.split == "train":
            seen[e.dataset] = seen.get(e.dataset, 0) + 1
            if seen[e.dataset] > train_limit:
                continue
        kept.append(e)
    return kept[::-1]


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


def _test_probs(settings: Settings, db: Database, embedder: Embedder, version: str,
                card: dict[str, object], examples: list[Example],
                progress: Callable[[int], None] | None) -> tuple[list[Example], np.ndarray]:
    """Probabilities of one version on test examples (heads: cached vectors; transformers: text)."""
    directory = settings.models / version
    if card["registry_kind"] == TRANSFORMER_KIND:
        from models.transformer import load_transformer

        english = [e for e in examples if e.lang == "en"]
        return english, load_transformer(directory).predict_texts([e.text for e in english])
    head = load_classifier(directory)
    if isinstance(head, NgramHead):
        return examples, head.predict_proba(None, [e.text for e in examples])
    if head.embedder != embedder.name:
        raise ModelError(f"model {version}: trained on {head.embedder}, the configured embedder "
                         f"is {embedder.name}")
    vectors = post_vectors(embedder, [e.text for e in examples],
                           vector_cache(settings, embedder), progress)
    return examples, head.predict_proba(vectors)


def evaluate_version(settings: Settings, db: Database, embedder: Embedder, version: str | None,
                     datasets: Sequence[str] | None = None,
                     progress: Callable[[int], None] | None = None) -> dict[str, object]:
    """Figures of a registered version (the promoted head by default) on the test splits of
    `datasets` (default: every known dataset), at 0.5 and, under "at_dev_threshold", at the
    threshold its card tuned on the dev split."""
    if version is None:
        found = current_model(db, KIND)
        if not found:
            raise ModelError(f"{settings.database}: no promoted classifier; run `kepu train`")
        version = found[0]
    card = model_card(settings, db, version)
    examples = [e for e in gather_examples(settings, db, datasets or list(LOADERS))
                if e.split == "test"]
    examples, probs = _test_probs(settings, db, embedder, version, card, examples, progress)
    tuned = card.get("dev_tuned_threshold")
    at_dev = (evaluate(probs, examples, float(tuned))  # type: ignore[arg-type]
              if isinstance(tuned, int | float) else None)
    return {"version": version, **evaluate(probs, examples), "at_dev_threshold": at_dev}


def promote(settings: Settings, db: Database, embedder: Embedder, version: str,
            progress: Callable[[int], None] | None = None) -> GateVerdict:
    """Promote `version` if it beats the current model of its kind on the same frozen test sets
    by the margin; otherwise raise ModelError naming the metric, both values and the margin."""
    card = model_card(settings, db, version)
    kind = str(card["registry_kind"])
    current = current_model(db, kind)
    if current and current[0] == version:
        raise ModelError(f"model {version}: already the promoted model")
    datasets = settings.classifier_datasets  # the frozen sets: the same for both models
    mine = evaluate_version(settings, db, embedder, version, datasets, progress)
    theirs = (evaluate_version(settings, db, embedder, current[0], datasets, progress)
              if current else None)
    verdict = promotion_verdict(
        version, float(mine[GATE_METRIC]), current[0] if current else None,  # type: ignore[arg-type]
        float(theirs[GATE_METRIC]) if theirs else None,  # type: ignore[arg-type]
        settings.promotion_margin)
    if not verdict.allowed:
        raise ModelError(verdict.reason)
    if kind == KIND:
        rates = standalone_flag_rates(settings, db, embedder, load_classifier(
            settings.models / version))
        flags = flag_gate_verdict(version, rates, settings.promotion_flag_limit)
        if not flags.allowed:
            raise ModelError(flags.reason)
        verdict = GateVerdict(True, f"{verdict.reason}; {flags.reason}")
    promote_model(db, version, kind, actor="kepu models promote")
    return verdict


def standalone_flag_rates(settings: Settings, db: Database, embedder: Embedder,
                          head: LinearHead | NgramHead) -> dict[str, float]:
    """`kepu.flag_eval.flag_rates` of the development posts (sample site + data/dev) flagged
    with `head` allowed to act alone and the detector off: what the head would flag on its
    own word. Sentence vectors are cached, so a second promotion pays only for the head."""
    from kepu.detector_eval import CachedEmbedder
    from kepu.flag_eval import development_posts, flag_rates
    from kepu.scoring_service import build_flagger
    from pipeline.claims_file import read_claims
    from store.claims import save_claims

    if not db.scalar("SELECT count(*) FROM claims"):  # as every flagging command does
        save_claims(db, read_claims(settings.data_dir / "claims" / "claims.jsonl"))
    alone = settings.model_copy(update={"use_detector": False})
    cached = CachedEmbedder(embedder, vector_cache(settings, embedder))
    flagger = replace(build_flagger(alone, db, cached), classifier=replace(head, standalone=True))
    return flag_rates(flagger, development_posts(settings.data_dir))
