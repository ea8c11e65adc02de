"""Open tasks become review rounds in an outbox; the outbox goes to the review UI.

One project per reviewer (a reviewer's project never holds a sibling round of the same post);
rounds without an assignee go to their panel's "unassigned" project. What cannot be sent stays in
the outbox for the next push; a push cut off after the import is recognised by the data hash.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

from common.records import ReviewTask
from common.settings import Settings
from review_queue.backend import BackendUnavailable, ReviewBackend
from review_queue.integrity import data_hash
from review_queue.panels import read_expert_languages, read_panels
from review_queue.rounds import Evidence, ShownClaim, review_rounds, task_payload
from review_queue.rules import pick_reviewers
from store import Database
from store import review as store
from store import review_integrity as integrity_store

log = logging.getLogger(__name__)


def label_config() -> str:
    """The Label Studio labeling config shipped with review_queue."""
    return resources.files("review_queue").joinpath("labeling_config.xml").read_text("utf-8")


def panels_path(settings: Settings, given: Path | None) -> Path:
    return given or settings.panels


TITLE_MAX = 50  # Label Studio refuses longer project titles


def project_owner(panel: str, assigned_to: str) -> str:
    """Whose project a round goes to: its reviewer's, or its panel's for unassigned rounds."""
    return assigned_to or f"{panel} · unassigned"


def project_title(prefix: str, owner: str) -> str:
    """`prefix · owner`, cut to Label Studio's 50 characters with a short hash of the owner
    (so two long e-mails never share a project; the description holds the full owner)."""
    title = f"{prefix} · {owner}"
    if len(title) <= TITLE_MAX:
        return title
    tag = hashlib.sha1(owner.encode("utf-8")).hexdigest()[:6]
    return f"{title[:TITLE_MAX - len(tag) - 1]}…{tag}"


def _evidence(raw: dict[str, Any]) -> Evidence:
    claims = tuple(ShownClaim(**c) for c in raw.pop("claims", []))
    return Evidence(**{**raw, "score": float(raw["score"])}, claims=claims)


def to_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


def plan_rounds(settings: Settings, db: Database, panels_file: Path | None = None) -> int:
    """Turn open tasks into blind review rounds in the outbox; returns how many rounds are new."""
    path = panels_path(settings, panels_file)
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
                                           to_json(payload), "queue")
            store.set_task_status(db, task.id, "in_review", "queue")
    return created


def _task(row: dict[str, Any]) -> ReviewTask:
    return ReviewTask(id=row["id"], post_id=row["post_id"], panel=row["panel"],
                      priority=row["priority"], status=row["status"], due_at=row["due_at"],
                      required_reviews=int(row["required_reviews"]), origin=row["origin"])


def flush_outbox(settings: Settings, db: Database, backend: ReviewBackend) -> dict[str, int]:
    """Send pending rounds, each to its reviewer's project; an outage leaves them pending."""
    by_owner: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in store.pending_outbox(db):
        by_owner[project_owner(row["panel"], row["assigned_to"])].append(row)
    sent = 0
    for owner, rows in sorted(by_owner.items()):
        title = project_title(settings.labelstudio_project_prefix, owner)
        try:
            sent += _send_project(db, backend, title, owner, rows)
        except BackendUnavailable as exc:
            log.warning("review UI unreachable; %d rounds stay in the outbox", len(rows))
            store.mark_failed(db, [r["round_id"] for r in rows], str(exc), backend.name)
    return {"sent": sent, "pending": len(store.pending_outbox(db))}


def _send_project(db: Database, backend: ReviewBackend, title: str, owner: str,
                  rows: list[dict[str, Any]]) -> int:
    project = backend.ensure_project(title, label_config(),
                                     f"kepu-review rounds for {owner}; one task per round")
    taken = integrity_store.mapped_task_ids(db)  # every reopened copy has its own data
    already = {data_hash(t.data): t.remote_task_id for t in backend.tasks(project) or []
               if t.remote_task_id not in taken}  # a push cut off after import sent these
    hashes = {r["round_id"]: data_hash(r["payload"]["data"]) for r in rows}
    known = {r["round_id"]: already[hashes[r["round_id"]]] for r in rows
             if hashes[r["round_id"]] in already}
    todo = [r for r in rows if r["round_id"] not in known]
    ids = backend.import_tasks(project, [r["payload"] for r in todo])
    sent = {**known, **{r["round_id"]: i for r, i in zip(todo, ids, strict=True)}}
    store.mark_sent(db, backend.name, project,
                    {round_id: (remote, hashes[round_id]) for round_id, remote in sent.items()})
    return len(rows)
