"""`kepu bench report`: the weekly report over synthetic posts in a temporary DuckDB file, timed.

The data are generated in SQL (store.report.generate_synthetic); the timed part is exactly
what `kepu report` runs: figures (SQL + narrative clustering), the HTML page, optionally the PDF.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common.settings import Settings
from flows.report_data import collect_figures
from flows.report_figures import WeeklyFigures
from flows.report_render import render_weekly
from flows.weeks import week_bounds
from store import Database
from store.report import generate_synthetic


@dataclass(frozen=True)
class BenchResult:
    posts: int
    generate_s: float
    figures_s: float
    html_s: float
    pdf_s: float | None
    figures: WeeklyFigures
    html: Path


def bench_report(settings: Settings, posts: int, week: str = "2026-W47", lang: str = "zh",
                 pdf: bool = True, weeks: int = 10, workdir: Path | None = None) -> BenchResult:
    """Generate `posts` posts over `weeks` weeks ending with `week`, then time the report."""
    from flows.chromium import print_pdf

    _, end = week_bounds(week)
    tmp = workdir or Path(tempfile.mkdtemp(prefix="kepu-bench-"))
    run_settings = settings.model_copy(update={"home": tmp})
    with Database(tmp / "bench.duckdb") as db:
        t0 = time.perf_counter()
        generate_synthetic(db, posts, end, weeks)
        t1 = time.perf_counter()
        figures = collect_figures(db, week, run_settings)
        t2 = time.perf_counter()
    (tmp / "bench.duckdb").unlink()  # ~150 MB; the report it produced stays
    html = render_weekly(figures, lang, tmp / "reports")
    t3 = time.perf_counter()
    pdf_s = None
    if pdf:
        print_pdf(html, html.with_suffix(".pdf"), settings.chromium_path)
        pdf_s = time.perf_counter() - t3
    return BenchResult(posts, t1 - t0, t2 - t1, t3 - t2, pdf_s, figures, html)


def describe(result: BenchResult) -> str:
    """The timings and the main figures, one per line."""
    f, r = result.figures, result.figures.reviews
    timed = result.figures_s + result.html_s + (result.pdf_s or 0.0)
    lines = [
        f"posts generated: {result.posts:,} in {result.generate_s:.1f} s (not timed below)",
        f"weekly report {f.week}: figures (SQL + narratives) {result.figures_s:.2f} s, "
        f"HTML with charts {result.html_s:.2f} s"
        + (f", PDF {result.pdf_s:.2f} s" if result.pdf_s is not None else "")
        + f"; total {timed:.2f} s",
        f"week posts {f.totals.posts:,} (last week {f.totals.posts_prev:,}), flagged "
        f"{f.totals.flagged:,} (last week {f.totals.flagged_prev:,})",
        f"top myth: {f.myths[0].claim_id} {f.myths[0].posts} posts" if f.myths else "no myths",
        f"narratives: {len(f.narratives)}, largest {f.narratives[0].size} posts"
        if f.narratives else "no narratives",
        f"reviews: {r.decided:,} decided, median {r.median_hours or 0:.1f} h, false-positive rate "
        f"{(r.false_positive_rate or 0):.1%}, agreement {(r.agreement or 0):.1%} over {r.pairs} "
        f"pairs (kappa {(r.kappa or 0):.2f}), overdue {r.overdue_total:,}",
        f"report: {result.html}",
    ]
    return "\n".join(lines)
