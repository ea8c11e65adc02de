"""`kepu eval operating-point`: a claims base and labelled posts through `kepu flag`'s path."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def eval_operating_point(
    claims: Annotated[Path | None, typer.Option(
        help="Claims file to import (claims format); default: the set named by --dataset")] = None,
    posts: Annotated[Path | None, typer.Option(
        help="Labelled posts: kepu flag's JSON lines plus `label` (myth, debunk, science, "
        "offtopic) and `claim_ids`")] = None,
    dataset: Annotated[str, typer.Option(
        help="Built-in set when no files are given: clef2020 (tweets, CLEF's 10,375 verified "
        "claims), held-out (data/eval against the bundled base) or development (data/dev)")]
    = "clef2020",
    split: Annotated[str, typer.Option(help="CLEF split: report test, tune on train/dev")]
    = "test",
    variants: Annotated[bool, typer.Option(
        help="Keep the claims' variants (held-out: the bundled base has hand-written ones; "
        "a user's base has none)")] = False,
    add_claims: Annotated[Path | None, typer.Option(
        help="Claims file imported beside the set's base (claims format): do the decisions on "
        "the same posts hold when the base grows or changes its language mix?")] = None,
) -> None:
    """Match recall, false matches with the gold claims removed from the base, and flag rates
    per language, for posts flagged exactly as `kepu flag` would against an imported base.

    Example: kepu eval operating-point --split test
    Example: kepu eval operating-point --dataset held-out
    Example: kepu eval operating-point --claims base.jsonl --posts labelled.jsonl
    Example: kepu eval operating-point --dataset development --add-claims feed.jsonl
    """
    from common.errors import InputError
    from kepu.cli import _settings, console
    from kepu.evaluation.operating_point import (
        built_in_set,
        claim_row,
        operating_point,
        read_labelled_posts,
        with_added_claims,
    )
    from kepu.evaluation.public_sets import report_lines
    from pipeline.claims_file import read_claims
    from pipeline.embedders import load_embedder
    from pipeline.embedding import describe

    settings = _settings()
    if (claims is None) != (posts is None):
        raise InputError("--claims/--posts", "give both files, or neither (a built-in set)")

    def read_rows(path: Path) -> list[dict[str, object]]:
        return [claim_row(c, variants) for c in read_claims(path)]

    if claims and posts:
        rows = read_rows(claims)
        sets = {f"{posts.name} against {claims.name}": (rows, posts)}
        tag = "user"
    else:
        sets, tag = built_in_set(settings, dataset, split, variants)
    if add_claims is not None:
        added = read_rows(add_claims)
        sets = {f"{name} + {add_claims.name}": (with_added_claims(base, added, str(add_claims)),
                                                  posts_path)
                for name, (base, posts_path) in sets.items()}
    embedder = load_embedder(settings)
    for name, (claim_rows, posts_path) in sets.items():
        labelled = read_labelled_posts(posts_path)
        console.print(f"{name}: {len(claim_rows)} claims, {len(labelled)} posts")
        figures = operating_point(settings, embedder, claim_rows, labelled, tag,
                                  lambda msg: console.print(f"  … {msg}"))
        for line in report_lines(figures, f"{name} ({describe(embedder)})"):
            console.print(line)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["eval"].command("operating-point")(eval_operating_point)
