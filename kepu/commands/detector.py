"""`kepu train-detector` and `kepu eval detector`: the pseudo-science detector."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def train_detector(
    out: Annotated[Path | None, typer.Option(
        help="Where to write the detector; default settings.detector (the bundled "
        "data/models/detector, used by `kepu flag`)")] = None,
    extra: Annotated[list[str] | None, typer.Option(
        "--extra", help="Also fit on this set (repeat): truthfulqa (Apache-2.0), or reviews "
        "(this database's reviewer verdicts; for an in-house model)")] = None,
    part: Annotated[list[str] | None, typer.Option(
        "--part", help="Combiner input (repeat): embedding, wording, cues; default embedding "
        "and cues (chosen by measurement, docs/detector.md)")] = None,
) -> None:
    """Train the pseudo-science detector on our written posts (data/detector), calibrate it on
    their dev split and choose its threshold on the development posts; prints its card.

    Example: kepu train-detector --out /tmp/detector
    """
    from kepu.cli import _progress, _settings, console
    from kepu.research.detector import DEFAULT_PARTS
    from kepu.research.detector import train_detector as run
    from pipeline.embedders import load_embedder

    settings = _settings()
    target = out or settings.detector
    with _progress() as bar:
        task = bar.add_task("embedding posts (cached afterwards)", total=None)
        card = run(settings, load_embedder(settings), target,
                   ("data/detector/posts.jsonl", *(extra or ())),
                   progress=lambda n: bar.advance(task, n), parts=tuple(part or DEFAULT_PARTS))
    console.print(json.dumps(card, ensure_ascii=False, indent=2))
    console.print(f"detector written to {target}")


def eval_detector(
    split: Annotated[str, typer.Option(
        help="HRDE split: dev (400 texts, the default), rest (2,100) or all")] = "dev",
    held_out: Annotated[bool, typer.Option(
        help="Also flag data/eval (report it; while tuning, leave it off)")] = False,
) -> None:
    """Flag HRDE's Chinese health texts (evaluation only, never fitted on) and our labelled posts
    through the same path as `kepu flag` with the bundled claims base: share flagged per label,
    and by which signal (a known claim or the detector).

    Example: kepu eval detector --split dev
    """
    from kepu.cli import _progress, _settings, console
    from kepu.evaluation.detector import detector_flags

    settings = _settings()
    with _progress() as bar:
        task = bar.add_task("flagging (sentence vectors cached afterwards)", total=None)
        title, results = detector_flags(settings, split, held_out,
                                        progress=lambda n: bar.advance(task, n))
    console.print(title)
    for name, rates in results.items():
        console.print(f"  {name}:")
        for label, figures in rates.items():
            console.print(f"    {label}: posts {int(figures['posts'])}, " + ", ".join(
                f"{k} {v:.1%}" for k, v in figures.items() if k != "posts"))


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.command("train-detector")(train_detector)
    groups["eval"].command("detector")(eval_detector)
