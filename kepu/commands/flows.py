"""Flows area commands: `kepu run FLOW`, `kepu serve`, `kepu bench report`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

FlowArg = Annotated[str, typer.Argument(
    help="crawl, score, review-sync, weekly-report, retrain or all")]


def run(flow: FlowArg,
        week: Annotated[str | None, typer.Option(help="ISO week for weekly-report")] = None,
        lang: Annotated[str | None, typer.Option(help="Report language: zh or en")] = None,
        sources: Annotated[Path | None, typer.Option(help="Sources file for crawl")] = None,
        rescore: Annotated[bool, typer.Option(help="Re-score scored posts")] = False) -> None:
    """Run one Prefect flow now (Prefect's local mode, no server to start), or `all` of them.

    Example: kepu run weekly-report --week 2026-W47 --lang en
    """
    from flows.pipeline import run_named
    from kepu.cli import _settings, console

    result = run_named(flow, _settings(), week=week, lang=lang, sources=sources, rescore=rescore)
    console.print(f"{flow}: {result}")


def serve(limit: Annotated[int, typer.Option(help="Flow runs at a time")] = 1) -> None:
    """Serve the flows on their schedules until Ctrl-C (crawl+score hourly, review-sync every
    10 minutes, weekly report Monday 08:00 Asia/Shanghai, retrain weekly).

    Example: kepu serve
    """
    from flows.schedules import serve_all
    from kepu.cli import _settings

    serve_all(_settings(), limit)


def bench_report(
    posts: Annotated[int, typer.Option(help="Synthetic posts to generate")] = 1_000_000,
    week: Annotated[str, typer.Option(help="Report week (the newest of ten)")] = "2026-W47",
    pdf: Annotated[bool, typer.Option(help="Also time the PDF (Chromium)")] = True,
) -> None:
    """Time the weekly report over synthetic posts in a temporary DuckDB file; print figures.

    Example: kepu bench report --posts 1000000
    """
    from kepu.cli import _settings, console
    from kepu.evaluation.bench_report import bench_report as run_bench
    from kepu.evaluation.bench_report import describe

    console.print(describe(run_bench(_settings(), posts, week, pdf=pdf)), highlight=False)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.command("run")(run)
    app.command("serve")(serve)
    groups["bench"].command("report")(bench_report)
