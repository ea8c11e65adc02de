"""`kepu train-stance`, `kepu train-checkworthy` and `kepu train-calibration`: fit the small
trained parts of the pipeline and print their cards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def train_stance(
    out: Annotated[Path | None, typer.Option(
        help="Where to write the model; default settings.stance_model (the bundled "
        "data/models/stance, used by `kepu flag` and the demo)")] = None,
) -> None:
    """Train the stance model: a pair head on the public sets in settings.stance_pair_sets
    (Check-COVID train, MIT, unless KEPU_STANCE_PAIR_SETS says otherwise) and a post head on
    data/site_src + data/dev (never data/eval); prints test and leave-one-out figures.

    Example: kepu train-stance --out /tmp/stance
    """
    from kepu.cli import _progress, _settings
    from kepu.research.stance import train_stance as run
    from kepu.screening.claims import ensure_claims
    from pipeline.embedders import load_embedder
    from store import Database

    settings = _settings()
    ensure_claims(settings)
    target = out or settings.stance_model
    embedder = load_embedder(settings)
    with Database(settings.database) as db, _progress() as bar:
        task = bar.add_task("embedding stance pairs (cached afterwards)", total=None)
        card = run(settings, db, embedder, target, progress=lambda n: bar.advance(task, n))
    _print_card(card, "stance model", target)


def train_checkworthy(
    out: Annotated[Path | None, typer.Option(
        help="Where to write the head; default settings.checkworthy_model (the bundled "
        "data/models/checkworthy)")] = None,
) -> None:
    """Train the check-worthiness head on Full Fact's labelled health claims (80% by sentence
    hash; C chosen by cross-validation there) and print its figures on the other 20%.

    Example: kepu train-checkworthy --out /tmp/checkworthy
    """
    from kepu.cli import _progress, _settings
    from kepu.research.checkworthy import train_checkworthy as run
    from pipeline.embedders import load_embedder

    settings = _settings()
    target = out or settings.checkworthy_model
    embedder = load_embedder(settings)
    with _progress() as bar:
        task = bar.add_task("embedding sentences (cached afterwards)", total=None)
        card = run(settings, embedder, target, progress=lambda n: bar.advance(task, n))
    _print_card(card, "check-worthiness head", target)


def train_calibration(
    out: Annotated[Path | None, typer.Option(
        help="Where to write it; default settings.score_calibration (the bundled "
        "data/models/calibration)")] = None,
) -> None:
    """Fit the score calibration (Platt scaling of the raw post score into P(myth post)) on the
    development posts, for the current embedder and stance mode; `kepu eval flags` reports it on
    the held-out posts.

    Example: kepu train-calibration --out /tmp/calibration
    """
    from kepu.cli import _settings
    from kepu.research.calibration import train_calibration as run
    from kepu.screening.claims import ensure_claims
    from pipeline.embedders import load_embedder
    from store import Database

    settings = _settings()
    ensure_claims(settings)
    target = out or settings.score_calibration
    with Database(settings.database) as db:
        card = run(settings, db, load_embedder(settings), target)
    _print_card(card, "score calibration", target)


def _print_card(card: dict[str, object], what: str, target: Path) -> None:
    """The card a training command wrote (its figures), then where it went."""
    from kepu.cli import console

    console.print(json.dumps(card, indent=2, ensure_ascii=False))
    console.print(f"{what} written to {target}")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.command("train-stance")(train_stance)
    app.command("train-checkworthy")(train_checkworthy)
    app.command("train-calibration")(train_calibration)
