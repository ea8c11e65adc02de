"""Use cases behind the models commands: build the embedder, then call the registry.

Kept apart from the CLI so flows and tests can call the same code with their own settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from common.errors import ModelError
from common.settings import Settings
from models.gate import GateVerdict
from pipeline.embedders import load_embedder
from store import Database

Progress = Callable[[int], None] | None
KINDS = ("linear", "mlp", "ngram", "transformer")


def train_candidate(settings: Settings, db: Database, kind: str,
                    datasets: Sequence[str] | None, train_limit: int | None, max_steps: int,
                    progress: Progress = None) -> tuple[str, Path, dict, dict]:
    """Train and register one candidate; returns (version, directory, test metrics, seconds)."""
    if kind not in KINDS:
        raise ModelError(f"--kind {kind}: unknown; choose one of {', '.join(KINDS)}")
    if kind == "transformer":
        from models.transformer import train_transformer_candidate

        return train_transformer_candidate(settings, db, datasets, train_limit, max_steps)
    from models.registry import train_and_register

    embedder = None if kind == "ngram" else load_embedder(settings)  # n-grams read the text
    trained, path = train_and_register(settings, db, embedder, kind, datasets, train_limit,
                                       progress)
    return (trained.head.version, path, trained.card["metrics"],  # type: ignore[return-value]
            trained.card["seconds"])


def evaluate_classifier(settings: Settings, db: Database, version: str | None,
                        datasets: Sequence[str] | None, progress: Progress = None) -> dict:
    from kepu.research.promotion import evaluate_version

    return evaluate_version(settings, db, load_embedder(settings), version, datasets, progress)


def promote_candidate(settings: Settings, db: Database, version: str,
                      progress: Progress = None) -> GateVerdict:
    from kepu.research.promotion import promote

    return promote(settings, db, load_embedder(settings), version, progress)


def retrain(settings: Settings) -> dict[str, object]:
    """The scheduled retrain: a linear candidate on the configured data plus expert decisions,
    promoted only when the gate allows it (a refusal is a normal outcome, reported)."""
    with Database(settings.database) as db:
        version, _, metrics, seconds = train_candidate(settings, db, "linear", None, None, 0)
        try:
            verdict = promote_candidate(settings, db, version)
            promoted, reason = verdict.allowed, verdict.reason
        except ModelError as refusal:
            promoted, reason = False, str(refusal)
    return {"candidate": version, "promoted": promoted, "reason": reason, "seconds": seconds}
