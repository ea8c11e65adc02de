"""The weekly summary's charts: matplotlib (Agg, no pyplot state) PNGs as base64 for data: URLs.

Registers a CJK font (Noto Sans CJK from Debian's fonts-noto-cjk) so Chinese labels render.
"""

from __future__ import annotations

import base64
import glob
import io
import logging
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from flows.report_figures import Count, MythTrend

log = logging.getLogger(__name__)

CJK_FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                  "/usr/share/fonts/**/NotoSansCJK*-Regular.tt*",
                  "/usr/share/fonts/**/NotoSansSC-Regular.*", "/usr/share/fonts/**/wqy-zenhei.ttc")


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


def _chart(width: float, height: float, draw: Callable[[Any], None]) -> str:
    """Draw on a fresh Figure with the CJK fonts first and return the PNG as base64."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    style = {"font.family": "sans-serif", "font.sans-serif": list(cjk_families()),
             "axes.unicode_minus": False}
    with rc_context(style):
        fig = Figure(figsize=(width, height), layout="tight")
        draw(fig.subplots())
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def volume_chart(rows: Sequence[Count], label: Callable[[str], str],
                 names: tuple[str, str, str]) -> str:
    """Posts and flagged posts per key this week, last week's flagged as a marker."""
    shown = list(rows)[:14]

    def draw(ax: Any) -> None:
        y = list(range(len(shown)))
        ax.barh(y, [r.posts for r in shown], color="#9ecae1", label=names[0])
        ax.barh(y, [r.flagged for r in shown], color="#de2d26", label=names[1])
        ax.plot([r.flagged_prev for r in shown], y, "k|", markersize=14, label=names[2])
        ax.set_yticks(y, [label(r.key) for r in shown])
        ax.invert_yaxis()
        ax.legend(loc="lower right", fontsize=8)

    return _chart(8, 0.4 * len(shown) + 1.2, draw) if shown else ""


def myth_chart(myths: Sequence[MythTrend], week_labels: Sequence[str]) -> str:
    """Weekly flagged posts for the top five myths (claim ids in the legend)."""

    def draw(ax: Any) -> None:
        for m in list(myths)[:5]:
            ax.plot(list(week_labels), list(m.weekly), marker="o", label=m.claim_id)
        ax.tick_params(axis="x", labelsize=8)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8)

    return _chart(8, 3.2, draw) if myths else ""


def verdict_chart(verdicts: Sequence[tuple[str, int]], label: Callable[[str], str]) -> str:
    """Share of each final verdict reached this week."""
    total = sum(n for _, n in verdicts)

    def draw(ax: Any) -> None:
        ax.barh([label(v) for v, _ in verdicts], [n / total for _, n in verdicts],
                color="#6baed6")
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter("{x:.0%}")

    return _chart(8, 0.4 * len(verdicts) + 1.0, draw) if total else ""
