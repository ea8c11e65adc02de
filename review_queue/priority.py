"""What comes next in the queue: priority = risk × reach × recency, and the SLA it implies.

- risk: the flag score (the calibrated probability that the post is pseudo-science), 0..1;
- reach: 1 + log10(audience / 1000 + 1) + 0.5·log2(reposts + 1) (1.0 for a tiny source, 2.3 for
  20k followers, 3.0 for 100k, +1 for three reposts);
- recency: 0.5 + 0.5·0.5^(age / 3 days), so from 1.0 (new) down to 0.5, never lower: age halves
  a post's priority at most, and an old 0.99 flag still outranks every active-learning task.

A flag raised by the pseudo-science detector alone gets `detector_priority_factor` (0.5) of that.
Flagged posts get at least FLAGGED_FLOOR; unflagged posts picked by active learning at most
ACTIVE_CEILING (below every flag). Bands (and their SLA, hours from queueing): urgent >= 2.5 (4 h),
high >= 1.5 (24 h), normal >= 0.75 (72 h), low below (168 h).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

SLA_HOURS = {"urgent": 4, "high": 24, "normal": 72, "low": 168}
BANDS = (("urgent", 2.5), ("high", 1.5), ("normal", 0.75), ("low", float("-inf")))
RECENCY_FLOOR = 0.5
HALF_LIFE_DAYS = 3.0
FLAGGED_FLOOR = 0.1
ACTIVE_CEILING = 0.099


def reach_factor(audience: int, reposts: int) -> float:
    """Grows with the log of the source's audience and the copies seen (1.0 for a tiny source)."""
    return 1.0 + math.log10(max(audience, 0) / 1000 + 1) + 0.5 * math.log2(max(reposts, 0) + 1)


def recency_factor(published: datetime | None, now: datetime,
                   half_life_days: float = HALF_LIFE_DAYS) -> float:
    """1.0 for a post published now, falling towards RECENCY_FLOOR with a `half_life_days`
    half-life (unknown dates count as new)."""
    if published is None:
        return 1.0
    age_days = max((now - published).total_seconds() / 86400, 0.0)
    return RECENCY_FLOOR + (1 - RECENCY_FLOOR) * 0.5 ** (age_days / half_life_days)


def priority(score: float, audience: int, reposts: int, published: datetime | None,
             now: datetime) -> float:
    """A flagged post's priority (>= FLAGGED_FLOOR)."""
    value = score * reach_factor(audience, reposts) * recency_factor(published, now)
    return round(max(value, FLAGGED_FLOOR), 4)


def detector_priority(value: float, factor: float) -> float:
    """A flag raised by the pseudo-science detector alone (no known claim; no expert has called
    its claim false yet) ranks `factor` times a matched myth's, still above every
    active-learning task."""
    return round(max(value * factor, FLAGGED_FLOOR), 4)


def active_priority(uncertainty: float) -> float:
    """An active-learning task's priority: the classifier's uncertainty (0..1) scaled below
    every flag."""
    return round(ACTIVE_CEILING * min(max(uncertainty, 0.0), 1.0), 4)


def priority_band(value: float) -> str:
    return next(name for name, lower in BANDS if value >= lower)


def due_at(value: float, created: datetime) -> datetime:
    return created + timedelta(hours=SLA_HOURS[priority_band(value)])


def needs_double_review(score: float, reach: float, reach_threshold: float) -> bool:
    """High-risk items get two blind reviews: a very likely flag, or wide reach."""
    return score >= 0.8 or reach >= reach_threshold
