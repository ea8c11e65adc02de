"""Crawler commands: `kepu crawl` (statistics table), `kepu import-posts`, `kepu bench crawl`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()
ROWS = ("pages", "new", "changed", "unchanged", "duplicate", "near_duplicate", "errors", "refused")


def stats_table(title: str, counts: dict[str, int], extra: dict[str, str] | None = None) -> Table:
    """The run's statistics as a two-column table (known counts first, in a fixed order)."""
    table = Table(title=title)
    table.add_column("what")
    table.add_column("value", justify="right")
    for key in [*ROWS, *sorted(k for k in counts if k not in ROWS)]:
        if key in counts:
            table.add_row(key.replace("_", " "), str(counts[key]))
    for key, value in (extra or {}).items():
        table.add_row(key, value)
    return table


def crawl(
    sources: Annotated[Path, typer.Option(help="Sources file (JSON lines)")],
    due_only: Annotated[bool, typer.Option(help="Only sources whose interval has passed")] = False,
    processes: Annotated[int | None, typer.Option(
        min=1, help="Crawl processes on the shared Redis frontier (KEPU_CRAWL_FRONTIER_URL)")
    ] = None,
) -> None:
    """Crawl the declared sources once and print the run's statistics as a table.

    Example: kepu crawl --sources sources.jsonl --due-only --processes 2
    """
    from kepu.cli import _settings
    from kepu.screening.crawling import crawl as crawl_sources

    settings = _settings()
    if due_only or processes:
        settings = settings.model_copy(update={
            "crawl_only_due": due_only or settings.crawl_only_due,
            "crawl_processes": processes or settings.crawl_processes})
    console.print(stats_table(f"crawl of {sources}", crawl_sources(settings, sources)))


def import_posts(
    file: Annotated[Path, typer.Argument(help="Posts dump: .jsonl or .csv")],
    source_id: Annotated[str, typer.Option(help="Source id the posts belong to")],
    platform: Annotated[str, typer.Option(help="Platform name, e.g. weibo")],
) -> None:
    """Import a platform's data dump (id/url, text, title, author, published, lang); idempotent.

    Example: kepu import-posts dump.jsonl --source-id weibo-export --platform weibo
    """
    from crawlers.importer import import_posts as run_import
    from kepu.cli import _settings

    settings = _settings()
    counts = run_import(settings.database, file, source_id, platform,
                        settings.near_duplicate_threshold, settings.max_post_chars)
    console.print(stats_table(f"import of {file}", counts))


def bench_crawl(
    pages: Annotated[int, typer.Option(help="Article pages in the generated site")] = 2000,
    processes: Annotated[int, typer.Option(
        min=1, help="Crawl processes on the shared Redis frontier (KEPU_CRAWL_FRONTIER_URL)")
    ] = 1,
) -> None:
    """Crawl a generated local site on 127.0.0.1 and print pages/s crawled and extracted.

    Example: kepu bench crawl --pages 2000 --processes 2
    """
    from kepu.cli import _settings
    from kepu.evaluation.bench_crawl import bench_crawl as run_bench

    for result in run_bench(_settings(), pages, processes):
        console.print(stats_table(f"bench {result.label}: {pages} pages", result.counts, {
            "seconds": f"{result.seconds:.1f}", "pages/s": f"{result.pages_per_s:.1f}"}))


def bench_crawl_kill(
    pages: Annotated[int, typer.Option(help="Article pages in the generated site")] = 400,
    kills: Annotated[int, typer.Option(help="Runs whose crawl child is killed (SIGKILL)")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the random kill points")] = 23,
) -> None:
    """Run `kepu crawl` on a generated local site, SIGKILL its crawl child at random points
    KILLS times in a row, then run it once to the end; print what the database holds.

    Example: kepu bench crawl-kill --pages 400 --kills 5
    """
    from kepu.evaluation.bench_crawl_kill import bench_crawl_kill as run_bench

    result = run_bench(pages, kills, seed)
    figures = {"pages in the site": result.pages,
               "killed after (article pages fetched)": ", ".join(map(str, result.kill_points)),
               "runs reported died": result.died_runs, "posts stored": result.distinct_urls,
               "missing": result.missing, "stored twice": result.stored_twice,
               "linked as copies": result.linked_as_copies,
               **{f"clean run: {k}": v for k, v in result.clean_run.items()}}
    console.print(stats_table(f"bench crawl-kill: {pages} pages, {kills} kills", {},
                              {k: str(v) for k, v in figures.items()}))


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add the crawler commands."""
    app.command("crawl")(crawl)
    app.command("import-posts")(import_posts)
    groups["bench"].command("crawl")(bench_crawl)
    groups["bench"].command("crawl-kill")(bench_crawl_kill)
