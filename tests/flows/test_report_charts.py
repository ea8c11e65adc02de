"""The report's charts read back from their matplotlib Figures, and the table sparklines."""

from __future__ import annotations

import re
from functools import partial

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from common.errors import InputError
from flows.report_charts import (
    change_figure,
    chart_style,
    myth_figure,
    png_base64,
    verdict_figure,
    volume_figure,
    weekly_figure,
)
from flows.report_figures import Count, MythTrend
from flows.report_labels import term
from flows.report_sparkline import sparkline_svg

WEEKS = [f"11-{d:02d}" for d in range(1, 9)]
NAMES = ("收录帖子", "疑似伪科学", "上周疑似伪科学")


def visible_ticks(axis, limits) -> list[float]:
    low, high = sorted(limits)
    return [t for t in axis.get_ticklocs() if low - 1e-9 <= t <= high + 1e-9]


def assert_count_axis(axis, limits) -> None:
    """Whole-number ticks only, from 0, reaching at least 1."""
    ticks = visible_ticks(axis, limits)
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks
    assert min(limits) == 0 and max(limits) >= 1 and 0 in ticks and max(ticks) >= 1


def legend_clear_of_axes(fig) -> bool:
    with chart_style():
        FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    return legend.y0 >= ax.get_window_extent().y1 - 1  # above the plotting area


@pytest.mark.parametrize("counts", [[(1, 0, 0), (0, 0, 1)], [(0, 0, 0)], [(3, 1, 2), (1, 1, 0)]])
def test_volume_chart_counts_on_whole_numbers_and_keeps_the_legend_off_the_bars(counts):
    rows = [Count(key, posts, flagged, 0, prev)
            for key, (posts, flagged, prev) in zip(["unknown", "physics", "x"], counts,
                                                       strict=False)]
    fig = volume_figure(rows, partial(term, "topic", lang="zh"), NAMES, "帖子数")
    ax = fig.axes[0]
    assert_count_axis(ax.xaxis, ax.get_xlim())
    assert legend_clear_of_axes(fig)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "未知" and "unknown" not in labels
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(NAMES)


def test_myth_chart_of_a_single_post_has_ticks_0_and_1():
    myths = [MythTrend("c1", "x", "false", "health", (0,) * 7 + (1,)),
             MythTrend("c2", "y", "false", "health", (0,) * 8)]
    fig = myth_figure(myths, WEEKS, "帖子数")
    ax = fig.axes[0]
    assert visible_ticks(ax.yaxis, ax.get_ylim()) == [0, 1]
    assert_count_axis(ax.yaxis, ax.get_ylim())
    assert legend_clear_of_axes(fig)


def test_summary_charts_count_on_whole_numbers():
    for fig in (change_figure(0, 3, ("上周", "本周"), "帖子数"),
                change_figure(0, 0, ("上周", "本周"), "帖子数")):
        ax = fig.axes[0]
        assert_count_axis(ax.xaxis, ax.get_xlim())
    fig = weekly_figure((0, 0, 0, 1, 0, 0, 0, 2), WEEKS, "帖子数")
    assert_count_axis(fig.axes[0].yaxis, fig.axes[0].get_ylim())
    assert [p.get_height() for p in fig.axes[0].patches] == [0, 0, 0, 1, 0, 0, 0, 2]


def test_verdict_shares_and_empty_charts():
    fig = verdict_figure([("accurate", 1), ("pseudoscience", 3)],
                         partial(term, "review_verdict", lang="zh"), "占比")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["准确", "伪科学"]
    assert [p.get_width() for p in ax.patches] == [0.25, 0.75]
    assert volume_figure([], str, NAMES, "") is None and myth_figure([], WEEKS, "") is None
    assert verdict_figure([], str, "") is None and png_base64(None) == ""
    assert png_base64(fig).startswith("iVBORw0KGgo")  # a PNG, base64


def test_sparkline_is_inline_svg_scaled_from_the_counts():
    svg = str(sparkline_svg([0, 0, 0, 0, 0, 0, 0, 1], label="trend: "))
    assert svg.startswith('<svg class="spark"') and svg.endswith("</svg>")
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert len(heights) == 8 and heights[:7] == [0.0] * 7 and heights[7] > 10
    assert svg.count('fill="#de2d26"') == 1  # this week in red
    assert "trend: 0 · 0 · 0 · 0 · 0 · 0 · 0 · 1" in svg
    flat = str(sparkline_svg([2, 2, 4]))
    assert [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', flat)] == [8, 8, 16]
    assert "<line" in str(sparkline_svg([0, 0]))  # a baseline: zeros read as "none"


def test_sparkline_escapes_its_label_and_refuses_non_counts():
    svg = str(sparkline_svg([1, 2], label='<script>"x"</script>'))
    assert "<script" not in svg and "&lt;script&gt;&quot;x&quot;" in svg
    for bad in ([1, float("nan")], [-1, 2], [float("inf")]):
        with pytest.raises(InputError, match="sparkline"):
            sparkline_svg(bad)
    with pytest.raises(ValueError):
        sparkline_svg(["1); alert(1"])
    assert str(sparkline_svg([])) == ""
