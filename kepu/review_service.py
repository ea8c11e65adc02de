"""Review use cases: push rounds to the review UI, pull annotations back, feed verdicts back.

Push turns open tasks into review rounds (blind, one remote task per round) queued in an outbox,
then sends what the outbox holds; an unreachable UI leaves them there for the next push. Pull
applies the rules of review_queue.rules to each new annotation and keeps every decision.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

from kepu.errors import InputError, ReviewError
from kepu.records import Claim, Decision, ReviewTask, post_text
from kepu.settings import Settings
from kepu.store import Database
from kepu.store import review as store
from kepu.store.claims import save_claims
from review_queue.backend import Annotation, BackendUnavailable, ReviewBackend
from review_queue.panels import read_expert_languages, read_panels
from review_queue.rounds import (
    Evidence,
    ShownClaim,
    arbitration_round,
    parse_result,
    review_rounds,
    task_payload,
)
from review_queue.rules import (
    CONFIRMED_PSEUDOSCIENCE,
    check_reviewer,
    outcome,
    pick_arbiter,
    pick_reviewers,
    validate_decision,
)

log = logging.getLogger(__name__)


def label_config() -> str:
    """The Label Studio labeling config shipped with review_queue."""
    return resources.files("review_queue").joinpath("labeling_config.xml").read_text("utf-8")


def open_backend(settings: Settings) -> ReviewBackend:
    """The Label Studio client for KEPU_LABELSTUDIO_URL / KEPU_LABELSTUDIO_TOKEN."""
    if not settings.labelstudio_url or not settings.labelstudio_token:
        raise InputError("KEPU_LABELSTUDIO_URL / KEPU_LABELSTUDIO_TOKEN",
                         "set both to use Label Studio as the review UI")
    from review_queue.labelstudio_client import LabelStudioBackend

    return LabelStudioBackend(settings.labelstudio_url, settings.labelstudio_token,
                              settings.labelstudio_timeout_s)


def _panels_path(settings: Settings, panels_path: Path | None) -> Path:
    return panels_path or settings.data_dir / "panels.toml"


def _evidence(raw: dict[str, Any]) -> Evidence:
    claims = tuple(ShownClaim(**c) for c in raw.pop("claims", []))
    return Evidence(**{**raw, "score": float(raw["score"])}, claims=claims)


def plan_rounds(settings: Settings, db: Database, panels_path: Path | None = None) -> int:
    """Turn open tasks into blind review rounds in the outbox; returns how many rounds are new."""
    path = _panels_path(settings, panels_path)
    panels, languages = read_panels(path), read_expert_languages(path)
    created = 0
    for task_row in store.tasks_without_rounds(db):
        raw = store.post_evidence(db, task_row["post_id"])
        if not raw:
            continue
        evidence = _evidence({**raw, "origin": task_row["origin"]})
        task = _task(task_row)
        panel = panels.get(task.panel, panels["general"])
        reviewers = pick_reviewers(panel, languages, evidence.lang, task.required_reviews, task.id)
        with db.transaction():
            for rnd in review_rounds(task, reviewers):
                payload = task_payload(rnd, evidence, task.required_reviews)
                created += store.add_round(db, rnd.id, rnd.task_id, rnd.panel, rnd.role,
                                           rnd.assigned_to, evidence.to_json(),
                                           _json(payload), "queue")
            store.set_task_status(db, task.id, "in_review", "queue")
    return created


def _task(row: dict[str, Any]) -> ReviewTask:
    return ReviewTask(id=row["id"], post_id=row["post_id"], panel=row["panel"],
                      priority=row["priority"], status=row["status"], due_at=row["due_at"],
                      required_reviews=int(row["required_reviews"]), origin=row["origin"])


def _json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


def flush_outbox(settings: Settings, db: Database, backend: ReviewBackend) -> dict[str, int]:
    """Send pending rounds, one project per panel; an outage leaves them pending."""
    by_panel: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in store.pending_outbox(db):
        by_panel[row["panel"]].append(row)
    sent = 0
    for panel, rows in sorted(by_panel.items()):
        try:
            sent += _send_panel(settings, db, backend, panel, rows)
        except BackendUnavailable as exc:
            log.warning("review UI unreachable; %d rounds stay in the outbox", len(rows))
            store.mark_failed(db, [r["round_id"] for r in rows], str(exc), backend.name)
    return {"sent": sent, "pending": len(store.pending_outbox(db))}


def _send_panel(settings: Settings, db: Database, backend: ReviewBackend, panel: str,
                rows: list[dict[str, Any]]) -> int:
    project = backend.ensure_project(f"{settings.labelstudio_project_prefix} · {panel}",
                                     label_config())
    already = backend.imported_rounds(project)  # a push cut off after import sent these
    known = {r["round_id"]: already[r["round_id"]] for r in rows if r["round_id"] in already}
    todo = [r for r in rows if r["round_id"] not in already]
    ids = backend.import_tasks(project, [r["payload"] for r in todo])
    store.mark_sent(db, backend.name, project,
                    {**known, **{r["round_id"]: i for r, i in zip(todo, ids, strict=True)}})
    return len(rows)


def push(settings: Settings, backend: ReviewBackend, panels_path: Path | None = None,
         active_share: float | None = None) -> dict[str, int]:
    """Add active-learning tasks (`active_share`, default settings.active_learning_share; 0: none),
    queue rounds for open tasks and send the outbox (idempotent; safe during an outage)."""
    from kepu.services import enqueue_uncertain

    share = settings.active_learning_share if active_share is None else active_share
    added = enqueue_uncertain(settings, share, panels_path)
    with Database(settings.database) as db:
        created = plan_rounds(settings, db, panels_path)
        return {"active_learning": added, "rounds_created": created,
                **flush_outbox(settings, db, backend)}


def pull(settings: Settings, backend: ReviewBackend, panels_path: Path | None = None
         ) -> dict[str, int]:
    """Read annotations back, apply the review rules, open arbitration, feed verdicts back."""
    path = _panels_path(settings, panels_path)
    panels = read_panels(path)
    counts = {"decisions": 0, "rejected": 0, "arbitration": 0, "decided": 0, "recorded": 0}
    with Database(settings.database) as db:
        annotations = [a for p in store.sent_projects(db) for a in backend.annotations(p)]
        for ann in sorted(annotations, key=lambda a: (a.updated_at, a.annotation_id)):
            result = _apply(db, panels, ann)
            if result:
                counts[result] += 1
                counts["decisions"] += result != "rejected"
        counts.pop("recorded")
        counts.update(flush_outbox(settings, db, backend))
        counts["fed_back"] = feed_back(db)
    return counts


def sync_reviews(settings: Settings) -> dict[str, dict[str, int]]:
    """The scheduled review-sync: push new rounds (and the outbox), then pull verdicts back."""
    backend = open_backend(settings)
    return {"push": push(settings, backend), "pull": pull(settings, backend)}


def _apply(db: Database, panels: dict[str, Any], ann: Annotation) -> str | None:
    """Accept or reject one annotation; returns what happened (None: nothing new)."""
    rnd = store.round_info(db, ann.round_id)
    if rnd is None or rnd["decided"] or store.is_rejected(db, ann.key):
        return None
    fields = parse_result(ann.result)
    decision = Decision(task_id=rnd["task_id"], reviewer=ann.reviewer, verdict=fields["verdict"],
                        harm=fields["harm"] or "none", rationale=fields["rationale"],
                        references=fields["references"], role=rnd["role"])
    earlier = store.task_decisions(db, rnd["task_id"])
    panel = panels.get(rnd["panel"], panels["general"])
    try:
        validate_decision(decision)
        check_reviewer(rnd["role"], ann.reviewer, panel, [d.reviewer for d in earlier])
    except ReviewError as exc:
        store.save_rejection(db, ann.key, ann.round_id, ann.reviewer, str(exc))
        return "rejected"
    evidence = Evidence.from_json(rnd["evidence"])
    state = outcome(int(rnd["required_reviews"]), [*earlier, decision])
    with db.transaction():
        store.add_decision(db, decision, ann.round_id, ann.annotation_id,
                           evidence.model_version, rnd["evidence"], fields["claim"])
        if state.state == "decided":
            store.add_outcome(db, rnd["task_id"], state.verdict or "", state.harm or "none",
                              state.method or "", state.decided_by)
            store.set_task_status(db, rnd["task_id"], "decided", "review", state.verdict or "")
            return "decided"
        if state.state == "arbitration":
            reviews = [*earlier, decision]
            arbiter = pick_arbiter(panel, rnd["task_id"], [d.reviewer for d in reviews]) or ""
            arb = arbitration_round(rnd["task_id"], panel.topic, arbiter, reviews)
            payload = task_payload(arb, evidence, int(rnd["required_reviews"]))
            store.add_round(db, arb.id, arb.task_id, rnd["panel"], "arbiter", arbiter,
                            rnd["evidence"], _json(payload), "review")
            store.set_task_status(db, rnd["task_id"], "arbitration", "review",
                                  " vs ".join(f"{d.reviewer}={d.verdict}" for d in reviews))
            return "arbitration"
    return "recorded"


def feed_back(db: Database) -> int:
    """Confirmed pseudo-science -> claims base (new version) + positive example; accurate -> a
    labelled false positive. Each outcome once."""
    done = 0
    for row in store.outcomes_to_feed_back(db):
        claim = None
        example = None
        if row["verdict"] in CONFIRMED_PSEUDOSCIENCE:
            claim = _claim_from_review(db, row)
            example = _example(row, 1, "confirmed")
        elif row["verdict"] == "accurate":
            flagged = row["origin"] != "active_learning"
            example = _example(row, 0, "false_positive" if flagged else "accurate")
        store.save_feedback(db, row["task_id"], claim, example)
        done += 1
    return done


def _example(row: dict[str, Any], label: int, kind: str) -> dict[str, Any]:
    text = post_text(row["title"], row["text"])
    source = "active_learning" if row["origin"] == "active_learning" else "review"
    return {"post_id": row["post_id"], "text": text, "lang": row["lang"], "label": label,
            "verdict": row["verdict"], "kind": kind, "source": source,
            "decided_at": row["decided_at"]}


MAX_VARIANTS = 24


def with_variant(variants: tuple[str, ...], sentence: str, claim_text: str) -> tuple[str, ...]:
    """The claim's variants plus a sentence experts confirmed asserts it (how the myth really
    circulates), so that the next post worded like it is matched; the oldest go past
    MAX_VARIANTS."""
    sentence = " ".join(sentence.split())
    if not sentence or sentence == claim_text or sentence in variants:
        return variants
    return (*variants, sentence)[-MAX_VARIANTS:]


def _claim_from_review(db: Database, row: dict[str, Any]) -> tuple[str, int]:
    """Update the claim the post asserted, or add the claim the reviewers wrote down."""
    source = f"review:{row['task_id']} " + "; ".join(dict.fromkeys(row["refs"] or []))
    rationale = (row["rationale"] or "").strip() or "confirmed by expert review"
    known = store.asserted_claim(db, row["post_id"])
    if known and not row["claim_text"]:
        claim = Claim(known["id"], known["text"], known["lang"], "false", known["topic"],
                      rationale, source.strip(),
                      variants=with_variant(tuple(known["variants"] or ()),
                                            known["asserted_sentence"], known["text"]))
    else:
        text = row["claim_text"] or row["title"] or row["text"][:200]
        claim_id = "rv-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
        claim = Claim(claim_id, text, row["lang"] or "zh", "false", row["panel"], rationale,
                      source.strip())
    save_claims(db, [claim], actor="review")
    version = db.scalar("SELECT max(version) FROM claims WHERE id = ?", [claim.id])
    return claim.id, int(version)


def review_status(settings: Settings) -> dict[str, Any]:
    """Open/overdue tasks per panel, the outbox size and overdue tasks (SLA)."""
    with Database(settings.database) as db:
        return {"panels": store.queue_summary(db), "overdue": store.overdue_tasks(db),
                "outbox": len(store.pending_outbox(db))}
