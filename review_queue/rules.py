"""The review rules (pure): what a valid review is, who may give it, and what the verdict is.

Blind double review and arbitration are decided here, not in Label Studio (its own versions of
these are Enterprise-only): each review round is a separate task shown to one reviewer, and these
functions say when a task needs another round, an arbiter, or is final.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from common.errors import ReviewError
from common.records import Decision, Panel

REVIEW_VERDICTS: tuple[str, ...] = (
    "accurate", "oversimplified", "outdated", "unsupported", "pseudoscience",
    "harmful_advice", "not_science",
)
VERDICT_LABELS: dict[str, tuple[str, str]] = {
    "accurate": ("准确", "Accurate"),
    "oversimplified": ("过度简化", "Oversimplified"),
    "outdated": ("过时", "Outdated"),
    "unsupported": ("缺乏证据", "Unsupported"),
    "pseudoscience": ("伪科学", "Pseudoscience"),
    "harmful_advice": ("有害建议", "Harmful advice"),
    "not_science": ("非科普内容", "Not science"),
}
HARM_LEVELS: tuple[str, ...] = ("none", "low", "medium", "high")
NO_JUSTIFICATION_NEEDED = frozenset({"accurate", "not_science"})
CONFIRMED_PSEUDOSCIENCE = frozenset({"pseudoscience", "harmful_advice"})
ROLES = ("first", "second", "arbiter")


@dataclass(frozen=True)
class Outcome:
    """Where a task stands after its decisions: `decided` (final verdict), or the next round."""

    state: str  # "waiting" | "arbitration" | "decided"
    verdict: str | None = None
    harm: str | None = None
    method: str | None = None  # "single" | "agreed" | "arbitrated"
    decided_by: tuple[str, ...] = ()


def validate_decision(decision: Decision) -> None:
    """Raise ReviewError when the verdict scheme of DESIGN.md is not met."""
    where = f"task {decision.task_id} ({decision.reviewer})"
    if decision.verdict not in REVIEW_VERDICTS:
        raise ReviewError(f"{where}: unknown verdict {decision.verdict!r}")
    if decision.harm not in HARM_LEVELS:
        raise ReviewError(f"{where}: unknown harm level {decision.harm!r}")
    if decision.verdict in NO_JUSTIFICATION_NEEDED:
        return
    if not decision.rationale.strip():
        raise ReviewError(f"{where}: verdict {decision.verdict} needs a written rationale")
    if not any(ref.strip() for ref in decision.references):
        raise ReviewError(f"{where}: verdict {decision.verdict} needs at least one reference")


def check_reviewer(role: str, reviewer: str, panel: Panel, earlier: Sequence[str]) -> None:
    """Raise ReviewError unless `reviewer` may give the `role` review on this task.

    Reviews come from the panel's experts; arbitration from its seniors; nobody reviews the
    same item twice (the second review must be independent, the arbiter a third person).
    """
    allowed = panel.seniors if role == "arbiter" else panel.experts + panel.seniors
    if reviewer not in allowed:
        kind = "a senior" if role == "arbiter" else "an expert"
        raise ReviewError(f"{reviewer} is not {kind} of panel {panel.topic}")
    if reviewer in earlier:
        raise ReviewError(f"{reviewer} already reviewed this item")


def agree(a: Decision, b: Decision) -> bool:
    """Two blind reviews agree when their verdicts are the same (harm may differ by one level)."""
    gap = abs(HARM_LEVELS.index(a.harm) - HARM_LEVELS.index(b.harm))
    return a.verdict == b.verdict and gap <= 1


def outcome(required_reviews: int, decisions: Sequence[Decision]) -> Outcome:
    """The state of a task given its accepted decisions so far (in the order they came)."""
    arbiter = [d for d in decisions if d.role == "arbiter"]
    reviews = [d for d in decisions if d.role != "arbiter"]
    if arbiter:
        final = arbiter[0]
        return Outcome("decided", final.verdict, final.harm, "arbitrated",
                       tuple(d.reviewer for d in (*reviews, final)))
    if len(reviews) < required_reviews:
        return Outcome("waiting")
    if required_reviews == 1:
        only = reviews[0]
        return Outcome("decided", only.verdict, only.harm, "single", (only.reviewer,))
    first, second = reviews[0], reviews[1]
    if not agree(first, second):
        return Outcome("arbitration")
    harm = max(first.harm, second.harm, key=HARM_LEVELS.index)
    return Outcome("decided", first.verdict, harm, "agreed", (first.reviewer, second.reviewer))


def pick_reviewers(panel: Panel, languages: Mapping[str, Sequence[str]], lang: str | None,
                   count: int, seed: str) -> list[str]:
    """Assign `count` distinct experts, preferring those who read the post's language.

    A stable seed spreads the load; assignment is shown on the task, and any eligible expert
    may still answer it (check_reviewer decides).
    """
    pool = list(panel.experts)
    readers = [e for e in pool if not lang or lang in languages.get(e, ())]
    ordered = _rotate(readers, seed) + _rotate([e for e in pool if e not in readers], seed)
    return ordered[:count]


def _rotate(items: list[str], seed: str) -> list[str]:
    if not items:
        return []
    start = int(hashlib.sha1(seed.encode("utf-8")).hexdigest(), 16) % len(items)
    return items[start:] + items[:start]


def pick_arbiter(panel: Panel, seed: str, exclude: Sequence[str] = ()) -> str | None:
    """A senior of the panel who did not review the item."""
    pool = _rotate([s for s in panel.seniors if s not in exclude], seed)
    return pool[0] if pool else None
