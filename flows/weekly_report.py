"""The authority's weekly report: the week's figures written as an HTML page and a PDF beside it."""

from __future__ import annotations

import logging
from pathlib import Path

from common.settings import Settings
from flows.report_render import render_weekly
from store import Database

log = logging.getLogger(__name__)


def weekly_report(settings: Settings, week: str, lang: str) -> Path:
    """Compute the week's figures, write the HTML page and a PDF of it beside; returns the HTML."""
    from flows.chromium import print_pdf
    from flows.report_data import collect_figures
    from flows.report_render import check_lang
    from flows.weeks import check_week

    check_lang(lang)
    check_week(week)
    with Database(settings.database) as db:
        figures = collect_figures(db, week, settings)
    html = render_weekly(figures, lang, settings.reports)
    print_pdf(html, html.with_suffix(".pdf"), settings.chromium_path)
    log.info("weekly report %s %s -> %s", week, lang, html)
    return html



def latest_week(settings: Settings) -> str | None:
    """The ISO week (Asia/Shanghai) of the newest post, for demos on bundled data."""
    from flows.weeks import SHANGHAI

    with Database(settings.database) as db:
        newest = db.scalar("SELECT max(coalesce(published, fetched_at)) FROM posts "
                           "WHERE duplicate_of IS NULL")
    if newest is None:
        return None
    year, week, _ = newest.astimezone(SHANGHAI).isocalendar()
    return f"{year}-W{week:02d}"
