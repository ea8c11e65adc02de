"""Whether a remote review task and its answers can be trusted (pure).

Label Studio's open-source edition lets any member read, edit and delete any task or annotation
through its API. So an answer counts only when the account that created it and the account that
last changed it are both the round's assigned reviewer, and only on a task whose data is still
what kepu sent (compared by hash). Anything else is a finding: the round is sent again to its
reviewer ("reopen"), the reviewer's own changed verdict after a decision is taken as their new
answer ("reanswer"), or, where nothing kepu relies on changed, it is only recorded ("note").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from review_queue.backend import Annotation, RemoteTask
from review_queue.rounds import parse_result

REOPEN, REANSWER, NOTE = "reopen", "reanswer", "note"
# What the reviewer is told on the copy sent again: it names nobody (any member can read it).
REOPEN_NOTICE = {
    "not_assigned": "someone other than the assigned reviewer answered or changed the earlier copy",
    "task_changed": "the earlier copy of this task was changed by someone",
    "task_missing": "the earlier copy of this task was deleted",
}


def _digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def data_hash(data: Mapping[str, Any]) -> str:
    """The hash of a task's data (what the reviewer is shown)."""
    return _digest(dict(data))


def result_hash(result: Sequence[Mapping[str, Any]]) -> str:
    """The hash of an answer as the review UI holds it."""
    return _digest([dict(r) for r in result])


def changed_fields(sent: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """The task-data fields that differ from what was sent (added, removed or edited)."""
    return sorted(k for k in set(sent) | set(now) if sent.get(k) != now.get(k))


def author_problem(ann: Annotation, assigned: str) -> str | None:
    """Why an answer is not the assigned reviewer's own (None: it is)."""
    if not ann.updated_by:
        return f"annotation {ann.annotation_id}: the review UI does not say who last changed it"
    if ann.updated_by != ann.completed_by:
        return (f"{ann.updated_by} changed the answer of {ann.completed_by} "
                f"(annotation {ann.annotation_id})")
    if assigned and ann.completed_by != assigned:
        return f"{ann.completed_by} answered a round assigned to {assigned}"
    return None


@dataclass(frozen=True)
class Decided:
    """The answer a round's recorded decision came from."""

    annotation_id: str
    result_hash: str | None
    verdict: str
    harm: str


@dataclass(frozen=True)
class SentRound:
    """What kepu knows about a round it sent: who must answer, what it sent, what it decided."""

    round_id: str
    assigned_to: str
    remote_task_id: int
    data_hash: str
    sent_data: Mapping[str, Any]
    decided: Decided | None = None


@dataclass(frozen=True)
class Finding:
    """Something about a sent round kepu must act on once (`what`: what makes it new)."""

    kind: str
    what: str
    reason: str
    action: str  # REOPEN | REANSWER | NOTE
    annotation: Annotation | None = None

    @property
    def key(self) -> str:
        """Recorded once under this key (never an answer's own key, which a re-answer needs)."""
        return f"{self.kind}:{self.what}"


def check_round(rnd: SentRound, task: RemoteTask | None
                ) -> tuple[list[Finding], list[Annotation]]:
    """Findings about one sent round, and the answers that may be taken (undecided rounds)."""
    after = "_after_decision" if rnd.decided else ""
    action = NOTE if rnd.decided else REOPEN
    if task is None:
        return [Finding("task_missing" + after, f"task:{rnd.remote_task_id}:missing",
                        f"remote task {rnd.remote_task_id} was deleted", action)], []
    now_hash = data_hash(task.data)
    if now_hash != rnd.data_hash:
        fields = ", ".join(changed_fields(rnd.sent_data, task.data))
        return [Finding("task_changed" + after, f"task:{task.remote_task_id}:{now_hash}",
                        f"remote task {task.remote_task_id} data changed ({fields})",
                        action)], []
    answers = sorted(task.annotations, key=lambda a: (a.updated_at, a.annotation_id))
    if rnd.decided:
        return _after_decision(rnd, rnd.decided, answers), []
    for ann in answers:
        problem = author_problem(ann, rnd.assigned_to)
        if problem:
            return [Finding("not_assigned", ann.key, problem, REOPEN, ann)], []
    return [], [a for a in answers if not a.cancelled and a.result]


def _after_decision(rnd: SentRound, decided: Decided, answers: Sequence[Annotation]
                    ) -> list[Finding]:
    findings = []
    if not any(a.annotation_id == decided.annotation_id for a in answers):
        findings.append(Finding("changed_after_decision", f"ann:{decided.annotation_id}:deleted",
                                f"annotation {decided.annotation_id} the decision came from was "
                                "deleted; the decision stands", NOTE))
    for ann in answers:
        problem = author_problem(ann, rnd.assigned_to)
        if ann.annotation_id != decided.annotation_id:
            findings.append(Finding("extra_after_decision", ann.key,
                                    problem or f"{ann.completed_by} added another answer "
                                    f"(annotation {ann.annotation_id}); the decision stands",
                                    NOTE, ann))
        elif problem:
            findings.append(Finding("not_assigned", ann.key, problem + " after the decision",
                                    REOPEN, ann))
        elif decided.result_hash and result_hash(ann.result) != decided.result_hash:
            findings.append(_own_change(decided, ann))
    return findings


def _own_change(decided: Decided, ann: Annotation) -> Finding:
    fields = parse_result(ann.result)
    new = (fields["verdict"], fields["harm"] or "none")
    if new == (decided.verdict, decided.harm):
        return Finding("changed_after_decision", ann.key,
                       f"{ann.completed_by} edited the answer after the decision; verdict "
                       f"unchanged ({decided.verdict}, harm {decided.harm})", NOTE, ann)
    return Finding("changed_after_decision", ann.key,
                   f"{ann.completed_by} changed the verdict after the decision: "
                   f"{decided.verdict}/{decided.harm} -> {new[0]}/{new[1]}", REANSWER, ann)
