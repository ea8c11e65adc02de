"""What comes next in the queue: priority = risk × reach × recency, and the SLA it implies."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

SLA_HOURS = {"urgent": 4, "high": 24, "normal": 72, "low": 168}


def reach_factor(audience: int, reposts: int) -> float:
    """Grows with the log of the source's audience and the copies seen (1.0 for a small source)."""
    return 1.0 + math.log10(max(audience, 1) / 1000 + 1) + 0.5 * math.log2(reposts + 1)


def recency_factor(published: datetime | None, now: datetime, half_life_days: float = 3.0) -> float:
    """1.0 for a post published now, halving every `half_life_days` (unknown dates count as new)."""
    if published is None:
        return 1.0
    age_days = max((now - published).total_seconds() / 86400, 0.0)
    return 0.5 ** (age_days / half_life_days)


def priority(score: float, audience: int, reposts: int, published: datetime | None,
             now: datetime) -> float:
    return round(score * reach_factor(audience, reposts) * recency_factor(published, now), 4)


def priority_band(value: float) -> str:
    if value >= 1.5:
        return "urgent"
    if value >= 0.8:
        return "high"
    if value >= 0.3:
        return "normal"
    return "low"


def due_at(value: float, created: datetime) -> datetime:
    return created + timedelta(hours=SLA_HOURS[priority_band(value)])


def needs_double_review(score: float, reach: float, reach_threshold: float) -> bool:
    """High-risk items get two blind reviews: a very likely flag, or wide reach."""
    return score >= 0.8 or reach >= reach_threshold
