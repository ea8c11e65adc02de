"""The promotion gate (`kepu models promote`): a candidate replaces the current model only when
it beats it on the same frozen test sets by the margin, and, for a post classifier, keeps the
development science and off-topic flags under the limit when allowed to act alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from common.errors import ModelError
from common.settings import Settings
from kepu.screening.scoring import build_flagger
from models.classifier import LinearHead
from models.datasets import LOADERS, Example
from models.examples import gather_examples
from models.flag_figures import flag_rates
from models.gate import GATE_METRIC, GateVerdict, flag_gate_verdict, promotion_verdict
from models.labelled_posts import development_posts
from models.ngram import NgramHead
from models.registry import KIND, TRANSFORMER_KIND, load_classifier, model_card, vector_cache
from models.training import evaluate
from models.vectors import CachedEmbedder, post_vectors
from pipeline.claims_file import read_claims
from pipeline.embedding import Embedder
from store import Database
from store.claims import save_claims
from store.models import current_model, promote_model


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
    """`models.flag_figures.flag_rates` of the development posts (sample site + data/dev) flagged
    with `head` allowed to act alone and the detector off: what the head would flag on its
    own word. Sentence vectors are cached, so a second promotion pays only for the head."""

    if not db.scalar("SELECT count(*) FROM claims"):  # as every flagging command does
        save_claims(db, read_claims(settings.data_dir / "claims" / "claims.jsonl"))
    alone = settings.model_copy(update={"use_detector": False})
    cached = CachedEmbedder(embedder, vector_cache(settings, embedder))
    flagger = replace(build_flagger(alone, db, cached), classifier=replace(head, standalone=True))
    return flag_rates(flagger, development_posts(settings.data_dir))
