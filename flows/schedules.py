"""Deployments with their schedules, apart from the flow code: what `kepu serve` runs.

Prefect's own scheduler (`serve`) runs them from this process; with no PREFECT_API_URL set,
Prefect starts its temporary local server, so there is nothing to install by hand.
"""

from __future__ import annotations

from typing import Any

from prefect.schedules import Cron

from common.settings import Settings
from flows.pipeline import crawl_flow, retrain_flow, review_sync_flow, weekly_report_flow


def schedule_table(settings: Settings) -> list[tuple[str, Any, str, dict[str, Any]]]:
    """(deployment name, flow, cron, parameters): crawl hourly with scoring after it,
    review-sync every 10 minutes, the report Monday 08:00, retraining weekly."""
    return [
        ("crawl-hourly", crawl_flow, settings.schedule_crawl, {"score_after": True}),
        ("review-sync", review_sync_flow, settings.schedule_review_sync, {}),
        ("weekly-report", weekly_report_flow, settings.schedule_report,
         {"lang": settings.report_lang}),
        ("retrain-weekly", retrain_flow, settings.schedule_retrain, {}),
    ]


def build_deployments(settings: Settings) -> list[Any]:
    """RunnerDeployments for `prefect.serve`, each with a cron schedule in the settings' zone.

    Parameters hold no settings object: each run builds its settings from the environment.
    """
    return [
        flow_.to_deployment(name=name, parameters=params,
                            schedules=[Cron(cron, timezone=settings.schedule_timezone)],
                            tags=["kepu"], description=flow_.description)
        for name, flow_, cron, params in schedule_table(settings)
    ]


def serve_all(settings: Settings, limit: int = 1) -> None:
    """Serve every deployment until interrupted; `limit` runs at a time (one DuckDB writer)."""
    from prefect import serve

    serve(*build_deployments(settings), limit=limit)
