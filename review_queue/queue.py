"""Turn flagged posts, and the unflagged ones active learning picked, into review tasks routed to
their field's panel (pure)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from common.records import Panel, ReviewTask
from models.active import uncertainty
from review_queue.panels import route
from review_queue.priority import (
    active_priority,
    detector_priority,
    due_at,
    needs_double_review,
    priority,
    reach_factor,
)

ACTIVE_LEARNING = "active_learning"


def task_id_for(post_id: str) -> str:
    """Stable task id: re-enqueueing the same post yields the same task."""
    return "rt-" + hashlib.sha1(post_id.encode("utf-8")).hexdigest()[:12]


def build_tasks(flagged: Iterable[Mapping[str, Any]], panels: dict[str, Panel], now: datetime,
                reach_threshold: float, detector_factor: float = 0.5) -> list[ReviewTask]:
    """One task per flagged post, highest priority first; a flag the detector raised alone
    (`basis` "detector") ranks `detector_factor` times a matched myth's."""
    tasks = []
    for row in flagged:
        audience, reposts = int(row.get("audience") or 1000), int(row.get("reposts") or 0)
        value = priority(float(row["score"]), audience, reposts, row.get("published"), now)
        if row.get("basis") == "detector":
            value = detector_priority(value, detector_factor)
        double = needs_double_review(float(row["score"]), reach_factor(audience, reposts),
                                     reach_threshold)
        tasks.append(ReviewTask(
            id=task_id_for(str(row["post_id"])), post_id=str(row["post_id"]),
            panel=route(row.get("topic"), panels).topic, priority=value,
            due_at=due_at(value, now), required_reviews=2 if double else 1,
        ))
    return sorted(tasks, key=lambda t: -t.priority)


def build_uncertain_tasks(candidates: Iterable[Mapping[str, Any]], panels: dict[str, Panel],
                          now: datetime) -> list[ReviewTask]:
    """One single-review task per unflagged post picked by active learning, marked as such.

    Routed by the post's topic (its best-matched claim's) or to the general panel; ranked by how
    unsure the classifier is, always below flagged posts (low band, weekly SLA).
    """
    tasks = []
    for row in candidates:
        value = active_priority(uncertainty(float(row["classifier_score"])))
        tasks.append(ReviewTask(
            id=task_id_for(str(row["post_id"])), post_id=str(row["post_id"]),
            panel=route(row.get("topic"), panels).topic, priority=value,
            due_at=due_at(value, now), required_reviews=1, origin=ACTIVE_LEARNING,
        ))
    return sorted(tasks, key=lambda t: -t.priority)
