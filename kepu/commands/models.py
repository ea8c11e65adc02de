"""Models area commands: `kepu train`, `kepu models list|show|promote`, `kepu eval classifier`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from common.errors import ModelError

models_app = typer.Typer(help="Versioned post classifiers and their gated promotion.",
                         no_args_is_help=True)
FIGURES = ("n", "positives", "precision", "recall", "f1", "macro_f1", "pr_auc", "ece")
DatasetOpt = Annotated[list[str] | None, typer.Option(
    "--dataset", help="Dataset folder to use (repeat); default settings.classifier_datasets")]


@contextmanager
def _opened() -> Iterator[tuple[object, object]]:
    from kepu.cli import _settings
    from store import Database

    settings = _settings()
    with Database(settings.database) as db:
        yield settings, db


@contextmanager
def _embedding_progress() -> Iterator[object]:
    from kepu.cli import _progress

    with _progress() as bar:
        task = bar.add_task("embedding new sentences (cached afterwards)", total=None)
        yield lambda n: bar.advance(task, n)


def figures_table(metrics: dict, title: str) -> Table:
    """One row per group (overall, dataset, topic, language), one column per figure."""
    table = Table(title=title, box=box.SIMPLE, pad_edge=False)
    table.add_column("set", overflow="fold", min_width=12)
    for name in ("n", "pos", "P", "R", "F1", "macroF1", "PR-AUC", "ECE"):
        table.add_column(name, justify="right", no_wrap=True)
    rows = [("overall", metrics.get("overall", {}))]
    for group in ("by_dataset", "by_lang", "by_topic"):
        rows += [(f"{group[3:]}: {k}", v) for k, v in metrics.get(group, {}).items()]
    for name, fig in rows:
        table.add_row(name, *(f"{fig[f]:.3f}" if isinstance(fig.get(f), float) else
                              str(fig.get(f, "")) for f in FIGURES))
    return table


def train(
    kind: Annotated[str, typer.Option(
        help="linear (default), mlp, ngram (text TF-IDF n-grams), or transformer")] = "linear",
    dataset: DatasetOpt = None,
    train_limit: Annotated[int | None, typer.Option(
        help="Keep at most this many (newest) train rows per dataset: budget runs")] = None,
    max_steps: Annotated[int, typer.Option(help="transformer only: optimizer steps")] = 200,
) -> None:
    """Train a candidate classifier, evaluate it on the held-out splits, register it.

    Example: kepu train --kind linear
    """
    from kepu.cli import console
    from kepu.research.classifier import train_candidate
    from models.datasets import licence_warnings

    with _opened() as (settings, db), _embedding_progress() as progress:
        for warning in licence_warnings(dataset or settings.classifier_datasets):
            console.print(f"[yellow]licence warning:[/yellow] {warning}", highlight=False)
        version, path, metrics, seconds = train_candidate(
            settings, db, kind, dataset, train_limit, max_steps, progress)
    console.print(figures_table(metrics, f"{version} on the test splits (threshold 0.5)"))
    console.print(f"candidate {version} written to {path}; seconds: {seconds}; promote it with "
                  f"`kepu models promote {version}`")


def list_models_cmd() -> None:
    """List registered classifier versions with their headline figure.

    Example: kepu models list
    """
    from kepu.cli import console
    from store.models import list_models

    with _opened() as (_settings, db):
        rows = list_models(db)  # type: ignore[arg-type]
    table = Table(title="model versions")
    table.add_column("version", no_wrap=True)  # copied into `kepu models promote`: kept whole
    for col in ("kind", "created", "promoted", "macro_f1_mean", "parent"):
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(str(row["id"]), str(row["kind"]), str(row["created_at"])[:19],
                      "yes" if row["promoted"] else "",
                      str(row["metrics"].get("macro_f1_mean", "")),
                      str(row["parent"] or ""))
    console.print(table)


def show(version: Annotated[str, typer.Argument(help="Model version id")]) -> None:
    """Print a version's model card (data, metrics, date, parent).

    Example: kepu models show head-20250101T000000000000
    """
    from models.registry import model_card

    with _opened() as (settings, db):
        card = model_card(settings, db, version)  # type: ignore[arg-type]
    typer.echo(json.dumps(card, ensure_ascii=False, indent=2, default=str))


def promote(version: Annotated[str, typer.Argument(help="Candidate version id")]) -> None:
    """Promote a candidate if it beats the current model on the frozen test sets by the margin.

    Example: kepu models promote head-20250101T000000000000
    """
    from kepu.cli import console
    from kepu.research.classifier import promote_candidate

    with _opened() as (settings, db), _embedding_progress() as progress:
        verdict = promote_candidate(settings, db, version, progress)
    console.print(f"promoted: {verdict.reason}")


def eval_classifier(
    version: Annotated[str | None, typer.Option(help="Version (default: the promoted one)")] = None,
    dataset: DatasetOpt = None,
    detector: Annotated[bool, typer.Option(
        help="Also print the bundled pseudo-science detector's figures (at its threshold; "
        "Weibo and CONSTRAINT unless --dataset says otherwise)")] = True,
) -> None:
    """Print precision, recall, F1, PR-AUC and ECE of a classifier on each dataset's test split,
    and of the pseudo-science detector.

    Example: kepu eval classifier
    """
    from kepu.cli import console
    from kepu.research.classifier import evaluate_classifier

    with _opened() as (settings, db), _embedding_progress() as progress:
        metrics = evaluate_classifier(settings, db, version, dataset, progress)
    if not metrics.get("overall"):
        raise ModelError(f"model {metrics.get('version')}: no test examples to evaluate")
    console.print(figures_table(metrics, f"{metrics['version']} on the test splits "
                                         "(threshold 0.5)"))
    at_dev = metrics.get("at_dev_threshold")
    if at_dev:
        console.print(figures_table(at_dev, f"{metrics['version']} on the test splits at the "
                                            f"threshold tuned on dev ({at_dev['threshold']:.3f})"))
    if detector:
        _print_detector_transfer(dataset)


def _print_detector_transfer(dataset: list[str] | None) -> None:
    from kepu.cli import console
    from kepu.research.detector import detector_transfer

    with _opened() as (settings, _db), _embedding_progress() as progress:
        figures = detector_transfer(settings, dataset, progress)  # type: ignore[arg-type]
    if figures is None:
        console.print("no pseudo-science detector for the configured embedder")
        return
    console.print(figures_table(figures, f"detector {figures['version']} on the test splits "
                                         f"(transfer; its threshold {figures['threshold']:.3f})"))


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.command("train")(train)
    models_app.command("list")(list_models_cmd)
    models_app.command("show")(show)
    models_app.command("promote")(promote)
    app.add_typer(models_app, name="models")
    groups["eval"].command("classifier")(eval_classifier)
