"""The `kepu` command line: thin commands over the use cases (kepu.screening, kepu.reviewing,
kepu.research, flows, kepu.evaluation), each with an example."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from common.errors import KepuError
from common.settings import Settings, load_settings

app = typer.Typer(help="kepu-review: scientific-accuracy review of popular-science content.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
claims_app = typer.Typer(help="The reference claims base.", no_args_is_help=True)
site_app = typer.Typer(help="The bundled sample site.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks that print figures.", no_args_is_help=True)
eval_app = typer.Typer(help="Quality evaluations on held-out data.", no_args_is_help=True)
app.add_typer(claims_app, name="claims")
app.add_typer(site_app, name="sample-site")
console = Console()


def _register_command_modules() -> None:
    """Add the commands of every module in kepu/commands (each area owns its own file)."""
    import importlib
    import pkgutil

    import kepu.commands

    groups = {"bench": bench_app, "eval": eval_app}
    for info in sorted(pkgutil.iter_modules(kepu.commands.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"kepu.commands.{info.name}")
        module.register(app, groups)
    for name, group in groups.items():
        if group.registered_commands or group.registered_groups:
            app.add_typer(group, name=name)


def _settings() -> Settings:
    from store import Database

    settings = load_settings()
    settings.export_runtime_env()
    Database.lock_wait_s = settings.db_lock_wait_s  # once, at the entry point
    return settings


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)


@app.command()
def demo(lang: Annotated[str, typer.Option(help="Report language: zh or en")] = "zh") -> None:
    """Run the whole pipeline on the bundled sample site and claims base.

    Example: kepu demo --lang en
    """
    from kepu.demo import run_demo

    settings = _settings()
    result = run_demo(settings, lang)
    from kepu.screening.status import summary

    _print_summary(settings, summary(settings), result)


def _print_summary(settings: Settings, s: dict, result: dict) -> None:
    table = Table(title="kepu-review demo")
    table.add_column("what")
    table.add_column("value", justify="right")
    for key in ("claims", "posts", "duplicates", "flagged", "queue"):
        table.add_row(key, str(s[key]))
    for topic, count in s["by_topic"]:
        table.add_row(f"  flagged · {topic}", str(count))
    console.print(table)
    console.print(f"crawl: {result['crawl']}")
    console.print(f"DuckDB file: {settings.database.resolve()}", soft_wrap=True)
    report = Path(str(result["report"])).resolve()
    console.print(f"Weekly report: {report} (PDF: {report.with_suffix('.pdf').name} beside it)",
                  soft_wrap=True)
    console.print(f"The report's week: {result['week']} (kepu report --week {result['week']})")


@app.command()
def flag(
    input: Annotated[Path, typer.Option("--input", "-i", help="Posts as JSON lines")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write flags")],
) -> None:
    """Score posts given as JSON lines (id, text, optional title, lang, url).

    Example: kepu flag --input posts.jsonl --output flags.jsonl
    """
    from kepu.screening.claims import ensure_claims
    from kepu.screening.scoring import build_flagger
    from pipeline.embedders import load_embedder
    from pipeline.posts_file import check_output, read_posts, write_flags
    from store import Database

    settings = _settings()
    posts = read_posts(input, settings.max_post_chars)
    check_output(output)  # before the scoring, not after it
    ensure_claims(settings)
    with Database(settings.database) as db, _progress() as bar:
        flagger = build_flagger(settings, db, load_embedder(settings))
        task = bar.add_task("flagging", total=len(posts))
        flags = []
        for f in flagger.flag(posts):
            flags.append(f)
            bar.advance(task)
    write_flags(output, flags)
    console.print(f"{len(flags)} posts scored, {sum(f.flagged for f in flags)} flagged -> {output}")


@claims_app.command("import")
def claims_import(
    file: Annotated[Path, typer.Argument(help="Claims: .jsonl/.csv, or ClaimReview .json/.jsonld")],
    topic: Annotated[str | None, typer.Option(help="Field for ClaimReviews that name none")] = None,
) -> None:
    """Import claims (id, text, lang, verdict, topic, explanation, source) or ClaimReview
    JSON-LD; all or nothing, edits become new versions.

    Example: kepu claims import data/claims/claims.jsonl
    """
    from kepu.screening.claims import import_claims

    counts = import_claims(_settings(), file, topic)
    console.print(f"claims: {json.dumps(counts)}")


def _score(settings: Settings, rescore: bool, workers: int | None) -> tuple[int, int]:
    """(scored, flagged): in this process, or on Dask when asked (only then is Dask imported)."""
    if workers or settings.dask_address:
        from flows.dask_scoring import score_on_dask

        result = score_on_dask(settings, workers, rescore=rescore)
        return int(result["scored"]), int(result["flagged"])
    from kepu.screening.scoring import score_posts
    from pipeline.embedders import load_embedder
    from store import Database

    with Database(settings.database) as db:
        flags = score_posts(settings, db, load_embedder(settings), rescore=rescore)
    return len(flags), sum(f.flagged for f in flags)


@app.command()
def score(rescore: Annotated[bool, typer.Option(help="Re-score posts already scored")] = False,
          workers: Annotated[int | None, typer.Option(
              min=1, help="Score on a local Dask cluster of N worker processes (KEPU_DASK_"
              "ADDRESS: join that cluster instead); default: in this process")] = None,
          ) -> None:
    """Score stored posts, flag probable pseudo-science and queue flags for review.

    Example: kepu score --rescore --workers 2
    """
    from kepu.reviewing.enqueue import enqueue_flagged

    settings = _settings()
    scored, flagged = _score(settings, rescore, workers)
    queued = enqueue_flagged(settings)
    console.print(f"{scored} scored, {flagged} flagged, {queued} new review tasks")


@app.command()
def report(
    week: Annotated[str | None, typer.Option(help="ISO week, e.g. 2026-W47")] = None,
    lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
) -> None:
    """Write the weekly trend summary (default: the last full week, Asia/Shanghai).

    Example: kepu report --week 2026-W47 --lang en
    """
    from datetime import UTC, datetime

    from flows.weekly_report import latest_week, weekly_report
    from flows.weeks import last_full_week

    settings = _settings()
    chosen = week or last_full_week(datetime.now(UTC))
    path = weekly_report(settings, chosen, lang)
    console.print(f"report: {path.resolve()}\nPDF: {path.with_suffix('.pdf').resolve()}",
                  soft_wrap=True)  # paths stay whole, to be copied
    newest = latest_week(settings)
    if newest is not None and newest < chosen:
        console.print(f"no post was collected in {chosen} (the newest are from {newest}): "
                      f"kepu report --week {newest}", soft_wrap=True)


@site_app.command("build")
def site_build(
    source: Annotated[Path, typer.Option(help="Articles JSON lines")] = Path(
        "data/site_src/articles.jsonl"),
    target: Annotated[Path, typer.Option(help="Output folder")] = Path("data/site"),
) -> None:
    """Rebuild the sample site pages, feed and sitemap from the articles file.

    Example: kepu sample-site build
    """
    from crawlers.sample_site import build_site

    console.print(f"{build_site(source, target)} article pages written to {target}")


_register_command_modules()


def main() -> None:
    """Entry point: logging once, domain errors as one clear line and exit status 2."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except KepuError as exc:
        # One line however long the path in it: people grep and paste these.
        console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
