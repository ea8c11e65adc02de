"""Render the weekly trend summary as one self-contained HTML page (charts embedded as data:
URLs, a CSP that forbids any fetch, every crawled string escaped by jinja2's autoescape)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import jinja2

from flows.report_charts import myth_chart, verdict_chart, volume_chart
from flows.report_figures import WeeklyFigures
from flows.report_labels import CLAIM_VERDICTS, LABELS, REVIEW_VERDICTS
from flows.weeks import SHANGHAI
from kepu.errors import InputError
from kepu.records import TOPICS

LANGS = ("zh", "en")


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise InputError("--lang", f"expected zh or en, got {lang!r}")
    return lang


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    digits = 1 if abs(value) < 0.1 else 0
    return f"{value:+.{digits}%}" if signed else f"{value:.{digits}%}"


def _label(table: dict[str, tuple[str, str]], index: int):  # noqa: ANN202 - a jinja filter
    return lambda key: table[key][index] if key in table else key


def _local(moment: datetime, fmt: str = "%Y-%m-%d") -> str:
    return moment.astimezone(SHANGHAI).strftime(fmt)


def _week_labels(figures: WeeklyFigures) -> list[str]:
    first = figures.start - timedelta(days=7 * (figures.history_weeks - 1))
    return [_local(first + timedelta(days=7 * i), "%m-%d") for i in range(figures.history_weeks)]


def render_html(figures: WeeklyFigures, lang: str) -> str:
    """The report page as a string."""
    index = LANGS.index(check_lang(lang))
    t = LABELS[lang]
    topic = _label(TOPICS, index)
    verdict = _label(REVIEW_VERDICTS, index)
    env = jinja2.Environment(loader=jinja2.PackageLoader("flows", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(pct=_pct, local=_local)
    names = (t["posts"], t["flagged"], f"{t['flagged']} · {t['last_week']}")
    charts = {
        "topic": volume_chart(figures.by_topic, topic, names),
        "platform": volume_chart(figures.by_platform, str, names),
        "myths": myth_chart(figures.myths, _week_labels(figures)),
        "verdicts": verdict_chart(figures.reviews.verdicts, verdict),
    }
    return env.get_template("weekly.html").render(
        f=figures, r=figures.reviews, lang=lang, t=t, charts=charts,
        first_day=_local(figures.start), last_day=_local(figures.end - timedelta(days=1)),
        generated=datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        topic_label=topic, plain=str, verdict_label=verdict,
        claim_verdict=_label(CLAIM_VERDICTS, index),
        trend_title=t["trend"].format(n=figures.history_weeks))


def render_weekly(figures: WeeklyFigures, lang: str, out_dir: Path) -> Path:
    """Write report-WEEK-LANG.html into out_dir and return its path."""
    html = render_html(figures, lang)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"report-{figures.week}-{lang}.html"
    path.write_text(html, encoding="utf-8")
    return path
