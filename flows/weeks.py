"""ISO weeks in Asia/Shanghai time, as UTC instants the store can compare against."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from common.errors import InputError

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
_WEEK = re.compile(r"(\d{4})-W(\d{2})", re.ASCII)  # ASCII digits only, matched whole
YEARS = (1900, 9998)  # the report reaches weeks around the one asked for: no date overflow


def check_week(week: str) -> str:
    """`week` when it is a real ISO week written `YYYY-Www` (ASCII, nothing around it) in
    YEARS; it becomes part of file names, so anything else is an InputError."""
    _monday(week)
    return week


def _monday(week: str) -> date:
    m = _WEEK.fullmatch(week)
    if not m:
        raise InputError("--week", f"expected an ISO week like 2026-W47, got {week!r}")
    if not YEARS[0] <= int(m[1]) <= YEARS[1]:
        raise InputError("--week", f"{week}: weeks of the years {YEARS[0]} to {YEARS[1]} only")
    try:
        return date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError as exc:
        raise InputError("--week", f"no such week {week!r}: {exc}") from exc


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """[start, end) of an ISO week like 2026-W47, Monday 00:00 Asia/Shanghai, in UTC."""
    monday = _monday(week)
    start = datetime.combine(monday, datetime.min.time(), SHANGHAI).astimezone(UTC)
    return start, start + timedelta(days=7)


def last_full_week(now: datetime) -> str:
    """The most recent ISO week that has ended, in Asia/Shanghai time."""
    local = now.astimezone(SHANGHAI) - timedelta(days=7)
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def previous_week(week: str) -> str:
    start, _ = week_bounds(week)
    year, number, _ = (start.astimezone(SHANGHAI) - timedelta(days=7)).isocalendar()
    return f"{year}-W{number:02d}"
