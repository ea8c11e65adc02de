"""`kepu review pull`: read the review UI's tasks back, trust only what the assigned reviewer
answered on the task kepu sent, apply the review rules, and record every finding.

Order: check every sent round (review_queue.integrity), act on the findings (reopen, re-answer,
note), then take the answers that passed in the order they were given, then send what was reopened
or newly opened (arbitration) and feed final verdicts back.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from common.errors import ReviewError
from common.records import Decision
from common.settings import Settings
from kepu.reviewing.feedback import feed_back
from kepu.reviewing.outbox import flush_outbox, panels_path, to_json
from review_queue.backend import Annotation, RemoteTask, ReviewBackend
from review_queue.integrity import (
    NOTE,
    REANSWER,
    REOPEN,
    REOPEN_NOTICE,
    Decided,
    Finding,
    SentRound,
    check_round,
    data_hash,
    result_hash,
)
from review_queue.panels import read_panels
from review_queue.rounds import (
    Evidence,
    arbitration_round,
    parse_result,
    reopened_payload,
    task_payload,
)
from review_queue.rules import check_reviewer, outcome, pick_arbiter, validate_decision
from store import Database
from store import review as store
from store import review_integrity as istore

log = logging.getLogger(__name__)


def pull(settings: Settings, backend: ReviewBackend, panels_file: Path | None = None
         ) -> dict[str, int]:
    """Read answers back, check them, apply the review rules, open arbitration, feed back."""
    panels = read_panels(panels_path(settings, panels_file))
    counts = {"decisions": 0, "rejected": 0, "reopened": 0, "noted": 0, "arbitration": 0,
              "decided": 0, "recorded": 0}
    with Database(settings.database) as db:
        rounds = istore.sent_rounds(db)
        remote = _remote_tasks(backend, {r["project_id"] for r in rounds})
        answers: list[tuple[Annotation, dict[str, Any]]] = []
        for row in rounds:
            if row["role"] == "arbiter" and store.round_info(db, row["round_id"]) is None:
                continue  # withdrawn above with the review it arbitrated
            findings, ok = check_round(_sent_round(row), remote.get(row["remote_task_id"]))
            for finding in findings:
                if istore.is_known(db, finding.key):
                    continue
                counts[_act(db, backend, row, finding, remote)] += 1
                if finding.action == REANSWER and finding.annotation:
                    ok = [finding.annotation]
            answers += [(a, row) for a in ok]
        for ann, row in sorted(answers, key=lambda p: (p[0].updated_at, p[0].annotation_id)):
            result = _apply(db, backend, panels, row, ann)
            if result:
                counts[result] += 1
                counts["decisions"] += result in ("recorded", "arbitration", "decided")
        counts.pop("recorded", None)
        counts.update(flush_outbox(settings, db, backend))
        counts["fed_back"] = feed_back(db)
    return counts


def _remote_tasks(backend: ReviewBackend, projects: set[int]) -> dict[int, RemoteTask]:
    found: dict[int, RemoteTask] = {}
    for project in sorted(projects):
        found.update({t.remote_task_id: t for t in backend.tasks(project) or []})
    return found


def _sent_round(row: dict[str, Any]) -> SentRound:
    sent = row["payload"]["data"]
    decided = None
    if row["annotation_id"] is not None:
        decided = Decided(row["annotation_id"], row["result_hash"], row["verdict"], row["harm"])
    return SentRound(row["round_id"], row["assigned_to"], int(row["remote_task_id"]),
                     row["data_hash"] or data_hash(sent), sent, decided)


def _act(db: Database, backend: ReviewBackend, row: dict[str, Any], finding: Finding,
         remote: dict[int, RemoteTask] | None = None) -> str:
    """Record a finding once and do what it calls for; returns the counter it adds to."""
    who = finding.annotation.updated_by if finding.annotation else ""
    remote_id = int(row["remote_task_id"])
    # A review taken back takes back the arbitration that settled it (see withdraw_arbitration).
    # Its task is deleted first: if a delete fails, nothing is written and the next pull, which
    # sees the same finding, does it all again (a task already gone is no error).
    arbitrated = finding.action != NOTE and row["role"] != "arbiter" and row["annotation_id"]
    arbitration = istore.arbitration_remote_task(db, row["task_id"]) if arbitrated else None
    arbitration_deleted = arbitration is not None and backend.delete_task(arbitration[1])
    deleted = finding.action == REOPEN and backend.delete_task(remote_id)
    with db.transaction():
        store.save_rejection(db, finding.key, row["round_id"], who, finding.reason, finding.kind,
                             remote_id)
        if finding.action == NOTE:
            return "noted"
        istore.supersede_decision(db, row["round_id"], finding.reason)
        if arbitrated:
            reason = f"review {row['round_id']} taken back: {finding.reason}"
            if arbitration is not None:
                _keep_unrecorded(db, arbitration[0], (remote or {}).get(arbitration[1]), reason)
            istore.withdraw_arbitration(db, row["task_id"], reason, bool(arbitration_deleted))
        if finding.action == REANSWER:
            return "reopened"
        times = istore.void_task(db, remote_id, row["round_id"], finding.reason, bool(deleted))
        notice = REOPEN_NOTICE[finding.kind.removesuffix("_after_decision")]
        payload = reopened_payload(row["payload"], notice, times)
        istore.requeue_round(db, row["round_id"], to_json(payload),
                             f"{finding.kind}: {finding.reason}")
    return "reopened"


def _keep_unrecorded(db: Database, round_id: str, task: RemoteTask | None, reason: str) -> None:
    """A senior's answers on an arbitration task being withdrawn that were never recorded (given
    since the last pull): kept as `withdrawn`, with the reason, not silently lost."""
    if task is None:
        return
    for ann in task.annotations:
        if not istore.is_known(db, ann.key) and not istore.is_recorded(db, ann.annotation_id):
            store.save_rejection(db, ann.key, round_id, ann.updated_by or ann.reviewer,
                                 f"arbitration withdrawn before this answer was recorded: "
                                 f"{reason}"[:500], "withdrawn", task.remote_task_id)


def _apply(db: Database, backend: ReviewBackend, panels: dict[str, Any], row: dict[str, Any],
           ann: Annotation) -> str | None:
    """Accept or reject one answer from the assigned reviewer; returns what happened."""
    rnd = store.round_info(db, row["round_id"])
    if rnd is None or rnd["decided"] or istore.is_known(db, ann.key):
        return None
    fields = parse_result(ann.result)
    decision = Decision(task_id=rnd["task_id"], reviewer=ann.reviewer, verdict=fields["verdict"],
                        harm=fields["harm"] or "none", rationale=fields["rationale"],
                        references=fields["references"], role=rnd["role"])
    earlier = store.task_decisions(db, rnd["task_id"])
    panel = panels.get(rnd["panel"], panels["general"])
    try:
        check_reviewer(rnd["role"], ann.reviewer, panel, [d.reviewer for d in earlier])
    except ReviewError as exc:
        if not rnd["assigned_to"]:  # nobody was assigned and someone not allowed answered
            return _act(db, backend, row, Finding("not_assigned", ann.key, str(exc), REOPEN, ann))
        return _reject(db, rnd["id"], ann, exc)  # the assignee left the panel: the lead decides
    try:
        validate_decision(decision)
    except ReviewError as exc:
        return _reject(db, rnd["id"], ann, exc)
    with db.transaction():
        return _record(db, rnd, decision, ann, fields["claim"], panel, earlier)


def _reject(db: Database, round_id: str, ann: Annotation, exc: ReviewError) -> str:
    """An answer breaking a rule: kept with its reason; the reviewer edits it (a new answer)."""
    with db.transaction():
        store.save_rejection(db, ann.key, round_id, ann.reviewer, str(exc), "invalid",
                             ann.remote_task_id)
    return "rejected"


def _record(db: Database, rnd: dict[str, Any], decision: Decision, ann: Annotation, claim: str,
            panel: Any, earlier: list[Decision]) -> str:
    evidence = Evidence.from_json(rnd["evidence"])
    store.add_decision(db, decision, rnd["id"], ann.annotation_id, evidence.model_version,
                       rnd["evidence"], claim, result_hash(ann.result))
    state = outcome(int(rnd["required_reviews"]), [*earlier, decision])
    if state.state == "decided":
        store.add_outcome(db, rnd["task_id"], state.verdict or "", state.harm or "none",
                          state.method or "", state.decided_by)
        store.set_task_status(db, rnd["task_id"], "decided", "review", state.verdict or "")
        return "decided"
    if state.state == "arbitration":
        reviews = [*earlier, decision]
        arbiter = pick_arbiter(panel, rnd["task_id"], [d.reviewer for d in reviews]) or ""
        arb = arbitration_round(rnd["task_id"], panel.topic, arbiter, reviews,
                                istore.withdrawn_arbitrations(db, rnd["task_id"]))
        payload = task_payload(arb, evidence, int(rnd["required_reviews"]))
        store.add_round(db, arb.id, arb.task_id, rnd["panel"], "arbiter", arbiter,
                        rnd["evidence"], to_json(payload), "review")
        store.set_task_status(db, rnd["task_id"], "arbitration", "review",
                              " vs ".join(f"{d.reviewer}={d.verdict}" for d in reviews))
        return "arbitration"
    return "recorded"
