"""Review rounds (pure): one round = one reviewer's look at one flagged post, with its evidence.

A task needing double review gets two rounds at once, each a separate Label Studio task, so the
second reviewer never sees the first verdict; an arbitration round is added on disagreement and
is the only one that shows the earlier reviews.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from common.records import Decision, ReviewTask
from review_queue.rules import VERDICT_LABELS

STANCES = ("asserts", "debunks", "neutral")
ROUND_LABELS = {
    "first": "审查 Review (blind, 1 of {n})",
    "second": "审查 Review (blind, 2 of {n})",
    "arbiter": "仲裁 Arbitration (senior expert: the two reviews disagree)",
}


@dataclass(frozen=True)
class ShownClaim:
    """A claims-base entry the post matched, as the reviewer sees it."""

    claim_id: str
    version: int
    text: str
    verdict: str
    explanation: str
    similarity: float
    stance: str
    sentence: str


@dataclass(frozen=True)
class Evidence:
    """Everything a reviewer is shown about a post; kept with each decision."""

    post_id: str
    title: str
    text: str
    url: str
    lang: str
    score: float
    stance: str
    reason: str
    model_version: str
    claims: tuple[ShownClaim, ...] = ()
    origin: str = "flagged"  # or "active_learning": unflagged, the classifier was unsure

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Evidence:
        raw = json.loads(text)
        raw["claims"] = tuple(ShownClaim(**c) for c in raw.get("claims", ()))
        return cls(**raw)


@dataclass(frozen=True)
class Round:
    """One review round of a task, assigned to one reviewer."""

    id: str
    task_id: str
    panel: str
    role: str  # "first" | "second" | "arbiter"
    assigned_to: str
    earlier: tuple[Decision, ...] = field(default_factory=tuple)


def round_id(task_id: str, role: str) -> str:
    return f"{task_id}-{role}"


def review_rounds(task: ReviewTask, reviewers: Sequence[str]) -> list[Round]:
    """The blind review rounds of a task: one per required review, each to its own reviewer."""
    roles = ("first", "second")[: task.required_reviews]
    return [Round(round_id(task.id, role), task.id, task.panel, role,
                  reviewers[i] if i < len(reviewers) else "")
            for i, role in enumerate(roles)]


def arbitration_round(task_id: str, panel: str, arbiter: str, reviews: Sequence[Decision],
                      withdrawn: int = 0) -> Round:
    """The senior's round; after `withdrawn` earlier ones were taken back (a review they settled
    was), a new id, so that nothing recorded against an earlier one follows it."""
    role = "arbiter" if withdrawn == 0 else f"arbiter-{withdrawn + 1}"
    return Round(round_id(task_id, role), task_id, panel, "arbiter", arbiter, tuple(reviews))


ACTIVE_LABEL = "主动学习 Active learning: not flagged, the model is unsure · "


def _claims_text(claims: Sequence[ShownClaim], origin: str) -> str:
    if not claims and origin == "active_learning":
        return "（无匹配）No claim matched; the post was not flagged."
    if not claims:
        return "（无匹配）No claim matched: the classifier flagged the post."
    return "\n\n".join(
        f"[{c.claim_id} v{c.version}] {c.verdict.upper()} · similarity {c.similarity:.2f} · "
        f"stance {c.stance}\n{c.text}\n→ {c.explanation}\nsentence: {c.sentence}"
        for c in claims)


def _earlier_text(earlier: Sequence[Decision]) -> str:
    """Blind rounds show nothing; arbitration shows the reviews without naming the reviewers
    (any member of the review UI can read any task)."""
    if not earlier:
        return "（盲审：不显示其他审查结论）Blind review: other verdicts are not shown."
    return "\n\n".join(
        f"审查 {i} Review {i}: {d.verdict} ({VERDICT_LABELS[d.verdict][0]}), harm {d.harm}\n"
        f"{d.rationale or '—'}\nreferences: {'; '.join(d.references) or '—'}"
        for i, d in enumerate(earlier, start=1))


REOPENED_LABEL = "重新审查 Reopened ({times}): {reason} · "


def reopened_payload(payload: Mapping[str, Any], reason: str, times: int) -> dict[str, Any]:
    """The same round sent again, its header saying why and how many times (so every copy's data
    differs: the earlier copy was not trusted)."""
    data = dict(payload["data"])
    label = re.sub(r"^重新审查 Reopened \(\d+\): [^·]*· ", "", str(data["round_label"]))
    data["round_label"] = REOPENED_LABEL.format(times=times, reason=reason.replace("·", "-")) + label
    return {**payload, "data": data}


def task_payload(rnd: Round, evidence: Evidence, required_reviews: int) -> dict[str, Any]:
    """The Label Studio task (data + the model's pre-annotation) for one round."""
    data = {
        "round_id": rnd.id, "task_id": rnd.task_id, "post_id": evidence.post_id,
        "round_label": (ACTIVE_LABEL if evidence.origin == "active_learning" else "")
                       + ROUND_LABELS[rnd.role].format(n=required_reviews),
        "origin": evidence.origin,
        "assignment": f"panel {rnd.panel} · assigned to {rnd.assigned_to or 'any expert'}",
        "title": evidence.title or "(no title)", "url": evidence.url or "—",
        "text": evidence.text, "claims": _claims_text(evidence.claims, evidence.origin),
        "model": f"stance {evidence.stance} · score {evidence.score:.2f} · "
                 f"{evidence.model_version}\n{evidence.reason}",
        "earlier": _earlier_text(rnd.earlier),
    }
    result = []
    if evidence.stance in STANCES:
        result.append({"from_name": "stance", "to_name": "post", "type": "choices",
                       "value": {"choices": [evidence.stance]}})
    prediction = {"model_version": evidence.model_version, "score": evidence.score,
                  "result": result}
    return {"data": data, "predictions": [prediction]}


def parse_result(result: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """An annotation's result list -> verdict, harm, rationale, references, claim, stance."""
    values: dict[str, Any] = {}
    for item in result:
        name, value = item.get("from_name"), item.get("value") or {}
        if "choices" in value:
            values[name] = (value["choices"] or [""])[0]
        elif "text" in value:
            text = value["text"]
            values[name] = "\n".join(text) if isinstance(text, list) else str(text)
    references = tuple(r.strip() for r in str(values.get("references", "")).splitlines()
                       if r.strip())
    return {"verdict": values.get("verdict", ""), "harm": values.get("harm", "none"),
            "rationale": str(values.get("rationale", "")).strip(), "references": references,
            "claim": str(values.get("claim", "")).strip(), "stance": values.get("stance", "")}
