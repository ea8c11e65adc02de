"""Render the weekly trend summary as one self-contained HTML page (charts embedded as data:
URLs, sparklines as inline SVG, a CSP that forbids any fetch and any script, every crawled
string escaped by jinja2's autoescape)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import jinja2

from common.errors import InputError
from flows.report_charts import (
    VOLUME_ROWS,
    change_figure,
    myth_figure,
    png_base64,
    verdict_figure,
    volume_figure,
    weekly_figure,
)
from flows.report_figures import Count, WeeklyFigures
from flows.report_labels import LABELS, LANGS, term
from flows.report_sparkline import sparkline_svg
from flows.report_summary import Highlight, highlight_sentence, pick_highlights
from flows.weeks import SHANGHAI


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise InputError("--lang", f"expected zh or en, got {lang!r}")
    return lang


@dataclass(frozen=True)
class Chart:
    """One embedded chart: the PNG, its alt text and its numbered caption."""

    png: str
    alt: str
    caption: str


@dataclass(frozen=True)
class SummaryItem:
    sentence: str
    chart: Chart


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    digits = 1 if abs(value) < 0.1 else 0
    return f"{value:+.{digits}%}" if signed else f"{value:.{digits}%}"


def _local(moment: datetime, fmt: str = "%Y-%m-%d") -> str:
    return moment.astimezone(SHANGHAI).strftime(fmt)


def _week_labels(figures: WeeklyFigures) -> list[str]:
    first = figures.start - timedelta(days=7 * (figures.history_weeks - 1))
    return [_local(first + timedelta(days=7 * i), "%m-%d") for i in range(figures.history_weeks)]


class _Captions:
    """Numbers the charts in page order ("图 1", "Figure 1")."""

    def __init__(self, t: dict[str, str]) -> None:
        self.t, self.n = t, 0

    def chart(self, fig: object, alt: str, caption: str) -> Chart:
        self.n += 1
        return Chart(png_base64(fig), alt, f"{self.t['figure'].format(n=self.n)} · {caption}")

    def optional(self, fig: object | None, alt: str, caption: str) -> Chart | None:
        return None if fig is None else self.chart(fig, alt, caption)


def _summary_chart(h: Highlight, figures: WeeklyFigures, t: dict[str, str]) -> object:
    axis = t["tasks_axis"] if h.kind == "backlog" else t["posts_axis"]
    if h.kind == "myth":
        return weekly_figure(h.series, _week_labels(figures), axis)
    return change_figure(h.series[0], h.series[1], (t["last_week"], t["this_week"]), axis)


def _summary(figures: WeeklyFigures, lang: str, captions: _Captions) -> list[SummaryItem]:
    t, items = LABELS[lang], []
    if not figures.totals.posts:  # nothing collected: every "fall" would be the crawl's silence
        return items
    for h in pick_highlights(figures):
        sentence = highlight_sentence(h, lang, figures.history_weeks)
        chart = captions.chart(_summary_chart(h, figures, t), sentence,
                               t[f"cap_{h.kind}"].format(n=figures.history_weeks))
        items.append(SummaryItem(sentence, chart))
    return items


def _volume_caption(t: dict[str, str], what: str, rows: Sequence[Count]) -> str:
    caption = t["cap_volume"].format(what=t[what])
    return caption + t["cap_top"].format(n=VOLUME_ROWS) if len(rows) > VOLUME_ROWS else caption


def _charts(figures: WeeklyFigures, lang: str, captions: _Captions) -> dict[str, Chart | None]:
    t = LABELS[lang]
    names = (t["posts"], t["flagged_short"], t["flagged_prev"])
    topic, platform = partial(term, "topic", lang=lang), partial(term, "platform", lang=lang)
    verdict = partial(term, "review_verdict", lang=lang)
    return {
        "topic": captions.optional(volume_figure(figures.by_topic, topic, names, t["posts_axis"]),
                                   t["by_topic"], _volume_caption(t, "by_topic", figures.by_topic)),
        "platform": captions.optional(
            volume_figure(figures.by_platform, platform, names, t["posts_axis"]),
            t["by_platform"], _volume_caption(t, "by_platform", figures.by_platform)),
        "myths": captions.optional(myth_figure(figures.myths, _week_labels(figures),
                                            t["posts_axis"]), t["myths"], t["cap_myths"]),
        "verdicts": captions.optional(verdict_figure(figures.reviews.verdicts, verdict,
                                                  t["share_axis"]),
                                   t["verdict_share"], t["cap_verdicts"]),
    }


def render_html(figures: WeeklyFigures, lang: str) -> str:
    """The report page as a string."""
    t = LABELS[check_lang(lang)]
    env = jinja2.Environment(loader=jinja2.PackageLoader("flows", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(pct=_pct, local=_local,
                       term=lambda key, kind: term(kind, key, lang),
                       spark=lambda values: sparkline_svg(
                           values, label=t["trend"].format(n=len(values)) + ": "))
    captions = _Captions(t)
    summary = _summary(figures, lang, captions)  # numbered first: it comes first on the page
    return env.get_template("weekly.html").render(
        f=figures, r=figures.reviews, lang=lang, t=t, summary=summary,
        charts=_charts(figures, lang, captions),
        first_day=_local(figures.start), last_day=_local(figures.end - timedelta(days=1)),
        generated=datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        trend_title=t["trend"].format(n=figures.history_weeks))


def render_weekly(figures: WeeklyFigures, lang: str, out_dir: Path) -> Path:
    """Write report-WEEK-LANG.html into out_dir and return its path."""
    html = render_html(figures, lang)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"report-{figures.week}-{lang}.html"
    path.write_text(html, encoding="utf-8")
    return path
