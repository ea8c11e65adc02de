"""Prefect flows: crawl, score (+ enqueue), review-sync, weekly-report, retrain, and all together.

Flows only orchestrate; each task calls one use case (kepu.screening, kepu.reviewing,
kepu.research, flows.weekly_report). Retries only on
I/O (crawl, review sync). Every flow takes `settings=None` so a scheduled run builds its own
from the environment (the flow run is then the entry point).

Prefect stores a flow run's parameters in its database, so a settings parameter never carries
a secret: Settings leaves secrets out of every dump, callers pass `settings.without_secrets()`,
and each flow reads the secrets it needs from the environment again.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NONE

from common.errors import InputError, KepuError, ModelError, ReviewError
from common.settings import Settings, load_settings
from flows.weekly_report import latest_week, weekly_report
from flows.weeks import check_week, last_full_week
from kepu.reviewing.enqueue import enqueue_flagged
from kepu.screening.claims import import_claims
from kepu.screening.crawling import crawl

FLOWS = ("crawl", "score", "review-sync", "weekly-report", "retrain", "all")


def _settings(settings: Settings | None) -> Settings:
    if settings is not None:
        return settings.with_environment_secrets()
    from store import Database

    built = load_settings()
    built.export_runtime_env()
    Database.lock_wait_s = built.db_lock_wait_s  # a scheduled run is its own entry point
    return built


def _sources_file(settings: Settings, sources: Path | None) -> Path:
    path = Path(sources or settings.sources_file)
    if not path.exists():
        raise InputError(str(path), "no sources file (set KEPU_CRAWL_SOURCES or pass --sources)")
    return path


@task(retries=2, retry_delay_seconds=10, cache_policy=NONE)
def crawl_task(settings: Settings, sources: Path) -> dict[str, int]:
    return crawl(settings, sources)


@task(cache_policy=NONE)
def import_claims_task(settings: Settings, path: Path) -> dict[str, int]:
    return import_claims(settings, path)


@task(cache_policy=NONE)
def score_task(settings: Settings, rescore: bool = False) -> dict[str, int]:
    from kepu.screening.scoring import score_posts
    from pipeline.embedders import load_embedder
    from store import Database

    embedder = load_embedder(settings)
    with Database(settings.database) as db:
        flags = score_posts(settings, db, embedder, rescore=rescore)
    return {"scored": len(flags), "flagged": sum(f.flagged for f in flags)}


@task(cache_policy=NONE)
def enqueue_task(settings: Settings) -> int:
    return enqueue_flagged(settings)


@task(retries=3, retry_delay_seconds=30, cache_policy=NONE)
def review_sync_task(settings: Settings) -> Any:
    """Push new review rounds to the review UI and pull verdicts back (the review area's code)."""
    from kepu.reviewing.sync import sync_reviews

    return sync_reviews(settings)


@task(cache_policy=NONE)
def retrain_task(settings: Settings) -> Any:
    """Train a candidate classifier on reviewed examples (promotion: the models area's gate)."""
    from kepu.research.classifier import retrain

    return retrain(settings)


def report_cache_key(_context: object, parameters: dict[str, Any]) -> str | None:
    """Same database, week, language and data -> same report, reused while its HTML and PDF
    still exist (None, i.e. no caching, when they do not)."""
    from store import Database
    from store.report import data_fingerprint

    settings: Settings = parameters["settings"]
    week, lang = parameters["week"], parameters["lang"]
    html = settings.reports / f"report-{week}-{lang}.html"
    if not (html.exists() and html.with_suffix(".pdf").exists()):
        return None
    with Database(settings.database) as db:
        data = data_fingerprint(db)
    key = f"{settings.database.resolve()}|{week}|{lang}|{data}"
    return "weekly-report-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@task(cache_key_fn=report_cache_key, persist_result=True)
def report_task(settings: Settings, week: str, lang: str) -> Path:
    return weekly_report(settings, week, lang)


@flow(name="crawl")
def crawl_flow(settings: Settings | None = None, sources: Path | None = None,
               score_after: bool = False) -> dict[str, Any]:
    """Crawl the declared sources once; the hourly schedule scores right after (score_after)."""
    settings = _settings(settings)
    counts = crawl_task(settings, _sources_file(settings, sources))
    if not score_after:
        return counts
    return {"crawl": counts, "score": score_flow(settings)}


@flow(name="score")
def score_flow(settings: Settings | None = None, rescore: bool = False) -> dict[str, int]:
    """Score unscored posts, then queue the new flags for expert review."""
    settings = _settings(settings)
    scored = score_task(settings, rescore)
    return {**scored, "enqueued": enqueue_task(settings)}


def _require(module: str, name: str, error: type[KepuError]) -> None:
    """Fail fast, once and clearly (no retries), when another area's entry point is missing."""
    import importlib

    try:
        found = hasattr(importlib.import_module(module), name)
    except ImportError:
        found = False
    if not found:
        raise error(f"{module}.{name} is not available in this installation")


@flow(name="review-sync")
def review_sync_flow(settings: Settings | None = None) -> Any:
    """Exchange review rounds and verdicts with the review UI."""
    _require("kepu.reviewing.sync", "sync_reviews", ReviewError)
    return review_sync_task(_settings(settings))


@flow(name="weekly-report")
def weekly_report_flow(settings: Settings | None = None, week: str | None = None,
                       lang: str | None = None) -> Path:
    """The weekly trend summary (HTML + PDF) of `week`, default the last full week."""
    settings = _settings(settings)
    return report_task(settings, check_week(week or last_full_week(datetime.now(UTC))),
                       lang or settings.report_lang)


@flow(name="retrain")
def retrain_flow(settings: Settings | None = None) -> Any:
    """Retrain the post classifier from expert verdicts."""
    _require("kepu.research.classifier", "retrain", ModelError)
    return retrain_task(_settings(settings))


@flow(name="pipeline")
def pipeline_flow(settings: Settings | None = None, sources: Path | None = None,
                  claims: Path | None = None, week: str | None = None, lang: str = "zh",
                  review_sync: bool = False, retrain: bool = False) -> dict[str, Any]:
    """The whole chain once: claims base (if given), crawl, score + enqueue, review sync and
    retraining (when asked), weekly report of `week` (default: the newest post's week)."""
    settings = _settings(settings)
    if week is not None:
        check_week(week)  # before any work, not after the crawl
    result: dict[str, Any] = {}
    if claims is not None:
        result["claims"] = import_claims_task(settings, claims)
    result["crawl"] = crawl_task(settings, _sources_file(settings, sources))
    result["score"] = score_flow(settings)
    if review_sync:
        _require("kepu.reviewing.sync", "sync_reviews", ReviewError)
        result["review_sync"] = review_sync_task(settings)
    if retrain:
        _require("kepu.research.classifier", "retrain", ModelError)
        result["retrain"] = retrain_task(settings)
    result["week"] = week or latest_week(settings) or last_full_week(datetime.now(UTC))
    result["report"] = report_task(settings, check_week(result["week"]), lang)
    return result


def run_named(name: str, settings: Settings, *, week: str | None = None, lang: str | None = None,
              sources: Path | None = None, rescore: bool = False) -> Any:
    """Run one flow by its name (`kepu run NAME`); `all` runs the chain, with review sync when
    a review UI is configured."""
    settings = settings.without_secrets()  # flow parameters are stored: no secret in them
    runs = {
        "crawl": lambda: crawl_flow(settings, sources),
        "score": lambda: score_flow(settings, rescore),
        "review-sync": lambda: review_sync_flow(settings),
        "weekly-report": lambda: weekly_report_flow(settings, week, lang),
        "retrain": lambda: retrain_flow(settings),
        "all": lambda: pipeline_flow(settings, sources, week=week,
                                     lang=lang or settings.report_lang,
                                     review_sync=settings.labelstudio_url is not None),
    }
    if name not in runs:
        raise InputError("FLOW", f"unknown flow {name!r}; choose one of {', '.join(FLOWS)}")
    return runs[name]()
