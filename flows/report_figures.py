"""The weekly summary's figures as records, and the one converter from the store's rows (pure).

Week-over-week change, the myth trend and inter-rater kappa are derived here from counts the
store computed in SQL; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flows.narratives import Narrative


def change(now: int, before: int) -> float | None:
    """Relative week-over-week change (0.25 = +25 %); None when last week had nothing."""
    return (now - before) / before if before else None


@dataclass(frozen=True)
class Count:
    """Posts and flagged posts for one key (a topic, platform or source), this week and last."""

    key: str
    posts: int
    flagged: int
    posts_prev: int = 0
    flagged_prev: int = 0

    @property
    def posts_change(self) -> float | None:
        return change(self.posts, self.posts_prev)

    @property
    def flagged_change(self) -> float | None:
        return change(self.flagged, self.flagged_prev)


def text_in(texts: tuple[tuple[str, str], ...], lang: str, default: str) -> str:
    """A myth as written in `lang` when the base has it so, else `default` (its first wording)."""
    return next((text for lang_, text in texts if lang_ == lang), default)


@dataclass(frozen=True)
class MythTrend:
    """A known claim (or claim group) asserted by flagged posts; `weekly` runs from the oldest
    week to this one; `texts` are its wordings by language."""

    claim_id: str
    text: str
    verdict: str
    topic: str
    weekly: tuple[int, ...]
    texts: tuple[tuple[str, str], ...] = ()

    def text_in(self, lang: str) -> str:
        return text_in(self.texts, lang, self.text)

    @property
    def posts(self) -> int:
        return self.weekly[-1]

    @property
    def posts_prev(self) -> int:
        return self.weekly[-2] if len(self.weekly) > 1 else 0

    @property
    def posts_change(self) -> float | None:
        return change(self.posts, self.posts_prev)


@dataclass(frozen=True)
class ReviewOutcomes:
    """Final verdicts reached this week and the state of the queue at the week's end."""

    decided: int = 0
    verdicts: tuple[tuple[str, int], ...] = ()
    median_hours: float | None = None
    false_positives: int = 0
    decided_prev: int = 0
    false_prev: int = 0
    queue: tuple[tuple[str, int, int], ...] = ()  # (panel, overdue, open) at the week's end
    open_prev: int = 0  # open tasks at last week's end
    overdue_prev: int = 0
    pairs: int = 0
    agreement: float | None = None
    kappa: float | None = None

    @property
    def false_positive_rate(self) -> float | None:
        return self.false_positives / self.decided if self.decided else None

    @property
    def false_positive_rate_prev(self) -> float | None:
        return self.false_prev / self.decided_prev if self.decided_prev else None

    @property
    def overdue_total(self) -> int:
        return sum(row[1] for row in self.queue)

    @property
    def open_total(self) -> int:
        return sum(row[2] for row in self.queue)


@dataclass(frozen=True)
class WeeklyFigures:
    """Everything the weekly summary shows, for one ISO week (Asia/Shanghai)."""

    week: str
    start: datetime
    end: datetime
    totals: Count
    by_topic: tuple[Count, ...]
    by_platform: tuple[Count, ...]
    by_source: tuple[Count, ...]
    myths: tuple[MythTrend, ...]
    narratives: tuple[Narrative, ...]
    reviews: ReviewOutcomes
    history_weeks: int = 8
    narrative_cap: int = 0  # > 0: narratives clustered from only this many newest posts


def counts_from_rows(rows: Iterable[dict[str, Any]]) -> dict[str, tuple[Count, ...]]:
    """Split the store's GROUPING SETS rows by dimension (topic, platform, source, total)."""
    out: dict[str, list[Count]] = {"topic": [], "platform": [], "source": [], "total": []}
    for r in rows:
        out[r["dimension"]].append(Count(str(r["key"]), int(r["posts"]), int(r["flagged"]),
                                         int(r["posts_prev"]), int(r["flagged_prev"])))
    return {k: tuple(v) for k, v in out.items()}


def myths_from_rows(rows: Iterable[dict[str, Any]], weeks: int) -> tuple[MythTrend, ...]:
    """One trend per myth, in the store's order, weekly counts filled with zeros."""
    trends: dict[str, dict[str, Any]] = {}
    for r in rows:
        t = trends.setdefault(r.get("myth", r["claim_id"]),
                              {"label": r["claim_id"], "members": r["members"] or [],
                               "weekly": [0] * weeks})
        if 0 <= r["wk"] < weeks:
            t["weekly"][r["wk"]] = int(r["posts"])
    return tuple(_trend(t["label"], t["members"], tuple(t["weekly"])) for t in trends.values())


def _trend(myth: str, members: list[dict[str, Any]], weekly: tuple[int, ...]) -> MythTrend:
    """A claim no longer in the base (members empty) shows its id."""
    first = members[0] if members else {}
    by_lang: dict[str, str] = {}
    for member in members:
        by_lang.setdefault(str(member["lang"]), str(member["text"]))
    return MythTrend(myth, str(first.get("text") or myth), str(first.get("verdict") or ""),
                     str(first.get("topic") or "unknown"), weekly, tuple(by_lang.items()))


def kappa(agreement: float | None, expected: float | None) -> float | None:
    """Chance-corrected agreement; None when undefined (no pairs, or only one verdict used)."""
    if agreement is None or expected is None or expected >= 1.0:
        return None
    return (agreement - expected) / (1.0 - expected)


def reviews_from_row(row: dict[str, Any]) -> ReviewOutcomes:
    """The store's review dict as a record."""
    return ReviewOutcomes(
        decided=int(row["decided"] or 0),
        verdicts=tuple((str(v["verdict"]), int(v["n"])) for v in row["verdicts"]),
        median_hours=None if row["median_hours"] is None else float(row["median_hours"]),
        false_positives=int(row["false_positives"] or 0),
        decided_prev=int(row["decided_prev"] or 0), false_prev=int(row["false_prev"] or 0),
        queue=tuple((str(o["panel"]), int(o["overdue"]), int(o["open"]))
                      for o in row["overdue"]),
        open_prev=int(row["open_prev"] or 0),
        overdue_prev=int(row["overdue_prev"] or 0),
        pairs=int(row["pairs"] or 0),
        agreement=None if row["agreement"] is None else float(row["agreement"]),
        kappa=kappa(row["agreement"], row["expected"]),
    )
