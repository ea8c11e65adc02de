"""The weekly summary's charts as matplotlib Figures (Agg, no pyplot state), and one converter
to a base64 PNG for the page's data: URLs.

Registers a CJK font (Noto Sans CJK from Debian's fonts-noto-cjk) so Chinese labels render.
Count axes show whole numbers from 0 (at least up to 1); legends sit above the axes, never on
the bars. Each builder returns the Figure (or None when there is nothing to draw) so a test can
read its axes.
"""

from __future__ import annotations

import base64
import glob
import io
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from flows.report_figures import Count, MythTrend

log = logging.getLogger(__name__)

CJK_FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                  "/usr/share/fonts/**/NotoSansCJK*-Regular.tt*",
                  "/usr/share/fonts/**/NotoSansSC-Regular.*", "/usr/share/fonts/**/wqy-zenhei.ttc")
POSTS, FLAGGED, BEFORE, GREY = "#9ecae1", "#de2d26", "#fcae91", "#bdbdbd"
ROW_INCHES = 0.24
SMALL_INCHES = 1.1  # height of the summary's small charts
VOLUME_ROWS = 8  # bars in a volume chart: short enough to share page 1 with the summary


@cache
def cjk_families() -> tuple[str, ...]:
    """Font families to try in order; the CJK ones found on this machine first."""
    from matplotlib import font_manager

    found: list[str] = []
    for pattern in CJK_FONT_FILES:
        for path in sorted(glob.glob(pattern, recursive=True)):
            font_manager.fontManager.addfont(path)
            name = font_manager.FontProperties(fname=path).get_name()
            if name not in found:
                found.append(name)
    if not found:
        log.warning("no CJK font found: Chinese chart labels will not render "
                    "(install fonts-noto-cjk: scripts/setup.d/20-report.sh)")
    return (*found, "DejaVu Sans")


@contextmanager
def chart_style() -> Iterator[None]:
    """CJK fonts first, for both building a Figure and drawing it (fonts resolve at draw time)."""
    from matplotlib import rc_context

    with rc_context({"font.family": "sans-serif", "font.sans-serif": list(cjk_families()),
                     "axes.unicode_minus": False, "font.size": 9,
                     "axes.spines.top": False, "axes.spines.right": False}):
        yield


def _figure(width: float, height: float) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    with chart_style():
        fig = Figure(figsize=(width, height), layout="constrained")
        return fig, fig.subplots()


def png_base64(fig: Any | None, dpi: int = 110) -> str:
    """The Figure as a base64 PNG ("" for no figure)."""
    if fig is None:
        return ""
    buffer = io.BytesIO()
    with chart_style():
        fig.savefig(buffer, format="png", dpi=dpi)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def count_axis(ax: Any, which: str, largest: float, room: float = 1.0,
               bins: int | str = "auto") -> None:
    """Whole-number ticks from 0 up to at least 1 on the x or y count axis of `ax`."""
    from matplotlib.ticker import MaxNLocator

    locator = MaxNLocator(nbins=bins, integer=True, min_n_ticks=2)
    getattr(ax, f"{which}axis").set_major_locator(locator)
    getattr(ax, f"set_{which}lim")(0, max(float(largest), 1.0) * room)


def plain_text(name: str) -> str:
    """A name from a claims base or a crawled source as chart text, shown as written: "$" would
    start TeX (and a bad formula fails the whole report), and matplotlib leaves out legend
    entries whose label starts with "_"."""
    name = name.replace("$", "\\$")
    return "\u200b" + name if name.startswith("_") else name


def _legend_above(ax: Any, columns: int, handles: list[Any] | None = None) -> None:
    """The legend in a row above the axes, where it cannot cover a bar or a line."""
    extra = {"handles": handles} if handles else {}
    ax.legend(**extra, loc="lower left", bbox_to_anchor=(0, 1.02), ncol=columns, frameon=False,
              fontsize=8, borderaxespad=0, handlelength=1.5, columnspacing=1.2)


def volume_figure(rows: Sequence[Count], label: Callable[[str], str],
                  names: tuple[str, str, str], axis_label: str,
                  limit: int = VOLUME_ROWS) -> Any | None:
    """Posts and flagged posts for the first `limit` keys (the store orders them by flagged
    posts) this week, last week's flagged as a black tick; the table beside lists them all."""
    shown = list(rows)[:limit]
    if not shown:
        return None
    fig, ax = _figure(7.5, ROW_INCHES * len(shown) + 0.9)
    y = list(range(len(shown)))
    handles = [ax.barh(y, [r.posts for r in shown], color=POSTS, label=names[0]),
               ax.barh(y, [r.flagged for r in shown], color=FLAGGED, height=0.5, label=names[1]),
               *ax.plot([r.flagged_prev for r in shown], y, "k|", markersize=11, label=names[2])]
    ax.set_yticks(y, [plain_text(label(r.key)) for r in shown])
    ax.invert_yaxis()
    count_axis(ax, "x", max(max(r.posts, r.flagged_prev) for r in shown), 1.04)
    ax.set_xlabel(axis_label)
    _legend_above(ax, 3, handles)
    return fig


def myth_figure(myths: Sequence[MythTrend], week_labels: Sequence[str],
                axis_label: str) -> Any | None:
    """Weekly flagged posts for the top five myths (claim ids in the legend)."""
    top = list(myths)[:5]
    if not top:
        return None
    fig, ax = _figure(7.5, 2.6)
    for m in top:
        ax.plot(list(week_labels), list(m.weekly), marker="o", markersize=4,
                label=plain_text(m.claim_id),
                clip_on=False)
    ax.tick_params(axis="x", labelsize=8)
    count_axis(ax, "y", max(max(m.weekly) for m in top), 1.08)
    ax.set_ylabel(axis_label)
    _legend_above(ax, 5)
    return fig


def verdict_figure(verdicts: Sequence[tuple[str, int]], label: Callable[[str], str],
                   axis_label: str) -> Any | None:
    """Share of each final verdict reached this week (the count beside each bar)."""
    total = sum(n for _, n in verdicts)
    if not total:
        return None
    fig, ax = _figure(7.5, ROW_INCHES * len(verdicts) + 0.9)
    bars = ax.barh([label(v) for v, _ in verdicts], [n / total for _, n in verdicts],
                   color="#6baed6")
    ax.bar_label(bars, labels=[str(n) for _, n in verdicts], padding=3, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.05)
    ax.xaxis.set_major_formatter("{x:.0%}")
    ax.set_xlabel(axis_label)
    return fig


def change_figure(before: int, now: int, names: tuple[str, str], axis_label: str) -> Any:
    """A small two-bar chart, last week against this week, for one line of the summary."""
    fig, ax = _figure(3.3, SMALL_INCHES)
    bars = ax.barh([names[0], names[1]], [before, now], color=[GREY, FLAGGED], height=0.6)
    ax.bar_label(bars, padding=3, fontsize=8)
    ax.invert_yaxis()
    count_axis(ax, "x", max(before, now), 1.2, bins=4)
    ax.set_xlabel(axis_label, fontsize=8)
    return fig


def weekly_figure(weekly: Sequence[int], week_labels: Sequence[str], axis_label: str) -> Any:
    """A small column chart of one myth's weekly counts, this week in red."""
    fig, ax = _figure(3.3, SMALL_INCHES)
    colours = [GREY] * (len(weekly) - 1) + [FLAGGED]
    ax.bar(list(week_labels), list(weekly), color=colours, width=0.7)
    ax.tick_params(axis="x", labelsize=6.5, rotation=0)
    count_axis(ax, "y", max(weekly), 1.1, bins=3)
    ax.set_ylabel(axis_label, fontsize=8)
    return fig
