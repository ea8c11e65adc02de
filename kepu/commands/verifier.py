"""`kepu train-verifier`: fine-tune a match verifier and choose its threshold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def train_verifier(
    dataset: Annotated[str, typer.Option(
        help="Labelled pairs to fit on: clef2020 (train tweets; threshold chosen on dev; "
        "research use only)")] = "clef2020",
    claims: Annotated[Path | None, typer.Option(
        help="Your claims base (JSON lines) instead of --dataset")] = None,
    posts: Annotated[Path | None, typer.Option(
        help="Your posts (JSON lines with id, text, claim_ids: e.g. confirmed matches); 20% by "
        "a hash of the id choose the threshold")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Where to write the verifier; default HOME/models/verifier")] = None,
    epochs: Annotated[int, typer.Option(min=1, help="Passes over the pairs")] = 2,
    false_rate: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="False-match rate (gold claims removed) the decide threshold allows "
        "on the held-out posts (the rescue threshold allows 2% added)")] = 0.05,
    limit: Annotated[int | None, typer.Option(
        min=1, help="Fit and choose on the first N posts only (a quick trial)")] = None,
) -> None:
    """Fine-tune multilingual-e5-small as a cross-encoder that reads a candidate claim beside a
    post's words and says whether the post states it (~12 minutes on 2 cores for CLEF2020's
    800 train tweets); the card holds a threshold for each mode (KEPU_MATCH_VERIFIER_MODE:
    rescue, the default, adds claims found below the similarity thresholds; decide replaces
    them). Use it with KEPU_MATCH_VERIFIER_DIR=<out>. Fitted on research-only data it is for
    in-house use: it is refused inside the project's data folder.

    Example: kepu train-verifier --dataset clef2020 --out ~/kepu-verifier
    Example: kepu train-verifier --claims base.jsonl --posts confirmed.jsonl
    """
    from common.errors import InputError
    from kepu.cli import _settings, console
    from kepu.research.verifier import RESEARCH_ONLY
    from kepu.research.verifier import train_verifier as run
    from pipeline.embedders import load_embedder

    settings = _settings()
    if (claims is None) != (posts is None):
        raise InputError("--claims/--posts", "give both files, or neither (a built-in set)")
    files = (claims, posts) if claims is not None and posts is not None else None
    target = out or settings.home / "models" / "verifier"
    if files is None and dataset in RESEARCH_ONLY:
        console.print(f"[yellow]licence: {RESEARCH_ONLY[dataset]}. A verifier fitted on it is "
                      "for in-house use and measurement; do not redistribute it.[/yellow]")
    card = run(settings, load_embedder(settings), dataset, target, epochs=epochs,
               false_rate=false_rate, limit=limit, files=files, progress=lambda msg: console.print(f"  … {msg}"))
    console.print(json.dumps(card, indent=2, ensure_ascii=False))
    console.print(f"match verifier written to {target}; use it with "
                  f"KEPU_MATCH_VERIFIER_DIR={target}")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.command("train-verifier")(train_verifier)
