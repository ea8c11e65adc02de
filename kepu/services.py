"""Use cases that wire settings, the store and the pure core: crawl, enqueue, report, claims.

Each function is what a CLI command or a Prefect task calls; none holds global state.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from crawlers.sources import read_sources
from flows.report_render import render_weekly
from flows.weeks import week_bounds
from kepu.errors import CrawlError
from kepu.settings import PROJECT_ROOT, Settings
from kepu.store import Database
from kepu.store.claims import save_claims
from kepu.store.flags import flagged_posts
from kepu.store.posts import upsert_sources
from kepu.store.report import weekly_figures
from kepu.store.review import save_tasks
from pipeline.claims_file import read_claims
from review_queue.panels import read_panels
from review_queue.queue import build_tasks

log = logging.getLogger(__name__)


def import_claims(settings: Settings, path: Path) -> dict[str, int]:
    """Validate the whole file first, then store it in one transaction (all or nothing)."""
    claims = read_claims(path)
    with Database(settings.database) as db:
        return save_claims(db, claims)


def crawl(settings: Settings, sources_path: Path) -> dict[str, int]:
    """Crawl the declared sources in a subprocess and return the run's statistics."""
    sources = read_sources(sources_path)
    with Database(settings.database) as db:
        upsert_sources(db, [s.as_dict() for s in sources])
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "stats.json"
        command = [sys.executable, "-m", "crawlers.run", "--sources", str(sources_path),
                   "--db", str(settings.database), "--stats", str(stats),
                   "--max-bytes", str(settings.crawl_max_bytes),
                   "--timeout", str(settings.crawl_timeout_s)]
        if settings.allow_private_addresses:
            command.append("--allow-private")
        done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT,
                              env={**__import__("os").environ, "HOME": str(Path(tmp))})
        if done.returncode != 0 or not stats.exists():
            tail = (done.stderr or "").strip().splitlines()[-5:]
            raise CrawlError(f"crawl of {sources_path} failed: {' | '.join(tail)}")
        counts = json.loads(stats.read_text(encoding="utf-8"))
    log.info("crawl %s", counts)
    return {k: int(v) for k, v in counts.items()}


def enqueue_flagged(settings: Settings, panels_path: Path | None = None) -> int:
    """Create review tasks for flagged posts not yet queued; returns how many are new."""
    panels = read_panels(panels_path or settings.data_dir / "panels.toml")
    with Database(settings.database) as db:
        tasks = build_tasks(flagged_posts(db), panels, datetime.now(UTC),
                            settings.review_reach_double)
        return save_tasks(db, tasks)


def weekly_report(settings: Settings, week: str, lang: str) -> Path:
    start, end = week_bounds(week)
    with Database(settings.database) as db:
        figures = weekly_figures(db, start, end)
    return render_weekly(figures, week, start, end, lang, settings.reports)


def latest_week(settings: Settings) -> str | None:
    """The ISO week (Asia/Shanghai) of the newest post, for demos on bundled data."""
    from flows.weeks import SHANGHAI

    with Database(settings.database) as db:
        newest = db.scalar("SELECT max(coalesce(published, fetched_at)) FROM posts")
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
            "queue": db.scalar("SELECT count(*) FROM review_tasks WHERE status = 'open'"),
        }


def ensure_claims(settings: Settings) -> None:
    """Load the bundled claims base when the database has none yet."""
    with Database(settings.database) as db:
        count = db.scalar("SELECT count(*) FROM claims")
    if not count:
        import_claims(settings, settings.data_dir / "claims" / "claims.jsonl")
