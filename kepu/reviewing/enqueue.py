"""Putting posts in the expert queue: every flagged post, plus the unflagged posts the
classifier is least sure about (active learning)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from common.settings import Settings
from models.active import select_for_review
from review_queue.panels import read_panels
from review_queue.queue import ACTIVE_LEARNING, build_tasks, build_uncertain_tasks
from store import Database
from store.flags import flagged_posts
from store.models import unflagged_scores
from store.review import active_learning_count, save_tasks, uncertain_candidates


def enqueue_flagged(settings: Settings, panels_path: Path | None = None) -> int:
    """Create review tasks for flagged posts not yet queued; returns how many are new."""
    panels = read_panels(panels_path or settings.panels)
    with Database(settings.database) as db:
        tasks = build_tasks(flagged_posts(db), panels, datetime.now(UTC),
                            settings.review_reach_double, settings.detector_priority_factor)
        return save_tasks(db, tasks)



def enqueue_uncertain(settings: Settings, share: float, panels_path: Path | None = None) -> int:
    """Add review tasks for the unflagged posts the classifier is least sure about, so that they
    make up `share` of the unflagged scored posts (0 adds none); returns how many are new."""
    if share <= 0:
        return 0
    panels = read_panels(panels_path or settings.panels)
    with Database(settings.database) as db:
        picked = select_for_review(unflagged_scores(db), share, active_learning_count(db))
        tasks = build_uncertain_tasks(uncertain_candidates(db, picked), panels, datetime.now(UTC))
        return save_tasks(db, tasks, actor=ACTIVE_LEARNING)
