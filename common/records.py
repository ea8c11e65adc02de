"""The records that flow through kepu-review; dicts exist only at the edges."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Verdict = Literal["false", "misleading", "true"]
StanceLabel = Literal["asserts", "debunks", "neutral"]
Lang = Literal["zh", "en"]

TOPICS: dict[str, tuple[str, str]] = {
    "health": ("健康", "Health"),
    "medicine": ("医药", "Medicine"),
    "nutrition": ("营养", "Nutrition"),
    "food_safety": ("食品安全", "Food safety"),
    "vaccines": ("疫苗与传染病", "Vaccines and infectious disease"),
    "environment": ("生态环境", "Environment"),
    "climate": ("气候", "Climate"),
    "energy": ("能源", "Energy"),
    "physics": ("物理", "Physics"),
    "astronomy": ("天文与航天", "Astronomy and spaceflight"),
    "information_technology": ("信息技术", "Information technology"),
    "agriculture": ("农业与转基因", "Agriculture and GM crops"),
    "emergency": ("应急与防灾", "Emergencies and disaster prevention"),
    "life_science": ("生命科学", "Life science"),
}
VERDICTS: tuple[str, ...] = ("false", "misleading", "true")


@dataclass(frozen=True)
class Claim:
    """A reference claim: a known myth or an often-doubted fact, with its verdict and source."""

    id: str
    text: str
    lang: str
    verdict: str
    topic: str
    explanation: str
    source: str
    version: int = 1
    # Other wordings of the same claim, as it circulates; matched like the claim text.
    variants: tuple[str, ...] = ()
    # Records of one claim in other languages share a group ("" when it stands alone): the weekly
    # report counts them as one myth and quotes the one in the report's language.
    group: str = ""


def post_text(title: str, text: str) -> str:
    """A post's title and body as one text, as the classifiers and the stance model read it."""
    return "\n".join(part for part in (title, text) if part)


@dataclass(frozen=True)
class Post:
    """One collected post (article, feed entry, platform dump row)."""

    id: str
    text: str
    title: str = ""
    lang: str = ""
    url: str = ""
    author: str = ""
    platform: str = ""
    published: datetime | None = None
    source_id: str = ""


@dataclass(frozen=True)
class Match:
    """A post sentence that is close to a reference claim."""

    claim_id: str
    similarity: float
    sentence: str
    stance: str = "neutral"


@dataclass(frozen=True)
class Stance:
    """Whether a sentence asserts, refutes or only mentions a claim, and the cue that decided."""

    label: str
    cue: str = ""


@dataclass(frozen=True)
class Flag:
    """The pipeline's decision on one post, with the evidence that explains it."""

    post_id: str
    flagged: bool
    score: float
    stance: str
    matches: tuple[Match, ...] = ()
    reason: str = ""
    topic: str | None = None
    classifier_score: float | None = None
    # Which signal raised the flag: "claim" (a known false/misleading claim asserted) or
    # "detector" (probable pseudo-science, no known claim); the queue ranks detector flags lower.
    basis: str = "claim"
    detector_score: float | None = None


@dataclass(frozen=True)
class Panel:
    """An expert panel for one field."""

    topic: str
    experts: tuple[str, ...]
    seniors: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("zh", "en")


@dataclass(frozen=True)
class ReviewTask:
    """A post waiting for expert review on a panel.

    `origin` is "flagged" (the pipeline flagged it) or "active_learning" (unflagged, but the
    classifier was unsure), so reviewers and the audit trail can tell them apart.
    """

    id: str
    post_id: str
    panel: str
    priority: float
    status: str = "open"
    due_at: datetime | None = None
    required_reviews: int = 1
    origin: str = "flagged"


@dataclass(frozen=True)
class Decision:
    """One expert's verdict on a review task."""

    task_id: str
    reviewer: str
    verdict: str
    harm: str = "none"
    rationale: str = ""
    references: tuple[str, ...] = field(default_factory=tuple)
    role: str = "reviewer"
