"""Scale-out commands: `kepu bench score --workers 1,2` (posts/s in one process vs on Dask)."""

from __future__ import annotations

from typing import Annotated

import typer

from common.errors import InputError


def parse_workers(text: str) -> list[int]:
    """'1,2,4' -> [1, 2, 4]; a clear error naming the option otherwise."""
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise InputError("--workers", f"expected worker counts like 1,2, got {text!r}")
    return counts


def bench_score(
    workers: Annotated[str, typer.Option(help="Worker counts, comma-separated; 1 = this "
                                         "process, N > 1 = N Dask worker processes")] = "1,2",
    posts: Annotated[int, typer.Option(min=1, help="Synthetic posts scored each time")] = 2000,
) -> None:
    """Posts/s of `kepu score` in this process and on N single-threaded Dask workers, on the
    same posts, in one run; the ratio to the first count is printed with each line.

    Example: kepu bench score --workers 1,2 --posts 2000
    """
    from kepu.cli import _settings, console
    from kepu.evaluation.bench_score import bench_score as run
    from pipeline.embedders import load_embedder
    from pipeline.embedding import describe

    settings = _settings()
    counts = parse_workers(workers)
    console.print(f"bench score: {posts} posts, {describe(load_embedder(settings))}, "
                  f"partitions of {settings.score_partition_posts}")
    results, writer = run(settings, counts, posts)
    for result in results:
        ratio = result.posts_per_s / results[0].posts_per_s if results[0].posts_per_s else 0
        console.print(f"  {result.line()}; x{ratio:.2f} of workers={results[0].workers}",
                      markup=False, highlight=False, soft_wrap=True)
    if writer is not None:
        console.print(f"  the one writer alone (save_flags of those {posts} flags in one "
                      f"call): {writer:.0f} flags/s", markup=False, highlight=False)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["bench"].command("score")(bench_score)
