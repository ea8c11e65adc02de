"""Use cases that wire settings, the store and the pure core: crawl, enqueue, report, claims.

Each function is what a CLI command or a Prefect task calls; none holds global state.
"""

from __future__ import annotations

import json
import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from common.errors import CrawlError
from common.settings import Settings
from crawlers.sources import read_sources
from flows.report_render import render_weekly
from models.active import select_for_review
from pipeline.claims_file import read_claims
from review_queue.panels import read_panels
from review_queue.queue import ACTIVE_LEARNING, build_tasks, build_uncertain_tasks
from store import Database
from store.claims import save_claims
from store.flags import flagged_posts
from store.models import unflagged_scores
from store.posts import upsert_sources
from store.review import active_learning_count, save_tasks, uncertain_candidates

log = logging.getLogger(__name__)


def import_claims(settings: Settings, path: Path, topic: str | None = None) -> dict[str, int]:
    """Validate the whole file first, then store it in one transaction (all or nothing).

    JSON lines / CSV in the claims-base format, or ClaimReview JSON-LD (`topic` is the default
    field for reviews that do not say theirs)."""
    from pipeline.claimreview import looks_like_claimreview, read_claimreviews

    limit = settings.max_claim_chars
    claims = (read_claimreviews(path, topic, limit) if looks_like_claimreview(path)
              else read_claims(path, limit))
    with Database(settings.database) as db:
        return save_claims(db, claims)


def crawl(settings: Settings, sources_path: Path) -> dict[str, int]:
    """Crawl the declared sources (only the due ones when settings.crawl_only_due) in a
    subprocess and return the run's statistics; the subprocess ends the run, marking its
    sources crawled, in one transaction (nothing is written here afterwards). With a shared
    frontier (crawl_frontier_url), crawl_processes subprocesses crawl and this process stores."""
    from crawlers.launch import run_crawl
    from crawlers.schedule import due_sources
    from store.posts import last_crawled

    sources = read_sources(sources_path)
    if settings.crawl_processes > 1 and not settings.crawl_frontier_url:
        raise CrawlError(f"{settings.crawl_processes} crawl processes need a shared frontier: "
                         "set KEPU_CRAWL_FRONTIER_URL (redis://host:port/db)")
    with Database(settings.database) as db:
        upsert_sources(db, [s.as_dict() for s in sources])
        due = (due_sources(sources, last_crawled(db), datetime.now(UTC))
               if settings.crawl_only_due else sources)
    if not due:
        return {"pages": 0, "new": 0, "changed": 0, "unchanged": 0, "duplicate": 0, "errors": 0}
    with tempfile.TemporaryDirectory() as tmp:
        todo = sources_path
        if len(due) < len(sources):
            todo = Path(tmp) / "due-sources.jsonl"
            todo.write_text("".join(json.dumps(s.as_dict()) + "\n" for s in due), encoding="utf-8")
        if settings.crawl_frontier_url:
            from crawlers.frontier_crawl import run_frontier_crawl

            counts = run_frontier_crawl(settings, todo)  # several processes, one writer
        else:
            counts = run_crawl(settings, todo)  # marks the sources crawled when it ends
    log.info("crawl %s", counts)
    return counts


def enqueue_flagged(settings: Settings, panels_path: Path | None = None) -> int:
    """Create review tasks for flagged posts not yet queued; returns how many are new."""
    panels = read_panels(panels_path or settings.data_dir / "panels.toml")
    with Database(settings.database) as db:
        tasks = build_tasks(flagged_posts(db), panels, datetime.now(UTC),
                            settings.review_reach_double, settings.detector_priority_factor)
        return save_tasks(db, tasks)


def enqueue_uncertain(settings: Settings, share: float, panels_path: Path | None = None) -> int:
    """Add review tasks for the unflagged posts the classifier is least sure about, so that they
    make up `share` of the unflagged scored posts (0 adds none); returns how many are new."""
    if share <= 0:
        return 0
    panels = read_panels(panels_path or settings.data_dir / "panels.toml")
    with Database(settings.database) as db:
        picked = select_for_review(unflagged_scores(db), share, active_learning_count(db))
        tasks = build_uncertain_tasks(uncertain_candidates(db, picked), panels, datetime.now(UTC))
        return save_tasks(db, tasks, actor=ACTIVE_LEARNING)


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


def summary(settings: Settings) -> dict[str, object]:
    """Posts, flags by topic and queue size: the demo's closing screen."""
    with Database(settings.database) as db:
        return {
            "posts": db.scalar("SELECT count(*) FROM posts WHERE duplicate_of IS NULL"),
            "duplicates": db.scalar("SELECT count(*) FROM posts WHERE duplicate_of IS NOT NULL"),
            "claims": db.scalar("SELECT count(DISTINCT id) FROM claims"),
            "flagged": db.scalar("SELECT count(*) FROM flags WHERE flagged"),
            "by_topic": db.rows("SELECT coalesce(topic, 'unknown'), count(*) FROM flags "
                                "WHERE flagged GROUP BY 1 ORDER BY 2 DESC, 1"),
            "queue": db.scalar("SELECT count(*) FROM review_tasks WHERE status <> 'decided'"),
        }


def ensure_claims(settings: Settings) -> None:
    """Load the bundled claims base when the database has none yet."""
    with Database(settings.database) as db:
        count = db.scalar("SELECT count(*) FROM claims")
    if not count:
        import_claims(settings, settings.data_dir / "claims" / "claims.jsonl")
