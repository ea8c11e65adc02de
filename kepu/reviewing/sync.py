"""Review use cases: push rounds to the review UI, pull answers back, status, audit check.

Push turns open tasks into review rounds (blind, one remote task per round, each in its
reviewer's own project) queued in an outbox, then sends what the outbox holds; an unreachable UI
leaves them there for the next push. Pull (kepu.reviewing.pull) checks and applies the answers.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from common.errors import InputError
from common.secret_text import reveal
from common.settings import Settings
from kepu.reviewing.feedback import MAX_VARIANTS, feed_back, with_variant
from kepu.reviewing.outbox import flush_outbox, label_config, plan_rounds
from review_queue.backend import ReviewBackend
from store import Database
from store.audit_chain import ChainReport

__all__ = ["MAX_VARIANTS", "feed_back", "label_config", "open_backend", "plan_rounds", "pull",
           "push", "review_status", "sync_reviews", "verify_audit", "with_variant"]
log = logging.getLogger(__name__)


def open_backend(settings: Settings) -> ReviewBackend:
    """The Label Studio client for KEPU_LABELSTUDIO_URL / KEPU_LABELSTUDIO_TOKEN."""
    token = reveal(settings.labelstudio_token)
    if not settings.labelstudio_url or not token:
        raise InputError("KEPU_LABELSTUDIO_URL / KEPU_LABELSTUDIO_TOKEN",
                         "set both to use Label Studio as the review UI")
    from review_queue.labelstudio_client import LabelStudioBackend

    return LabelStudioBackend(settings.labelstudio_url, token, settings.labelstudio_timeout_s)


def push(settings: Settings, backend: ReviewBackend, panels_path: Path | None = None,
         active_share: float | None = None) -> dict[str, int]:
    """Check the token, add active-learning tasks (`active_share`, default
    settings.active_learning_share; 0: none), queue rounds for open tasks and send the outbox
    (idempotent; during an outage the rounds wait in the outbox)."""
    from kepu.reviewing.enqueue import enqueue_uncertain
    from review_queue.backend import BackendUnavailable

    try:
        backend.check_access()  # a refused token fails here, even with nothing to send
    except BackendUnavailable as exc:
        log.warning("%s", exc)
    share = settings.active_learning_share if active_share is None else active_share
    added = enqueue_uncertain(settings, share, panels_path)
    with Database(settings.database) as db:
        created = plan_rounds(settings, db, panels_path)
        return {"active_learning": added, "rounds_created": created,
                **flush_outbox(settings, db, backend)}


def pull(settings: Settings, backend: ReviewBackend, panels_path: Path | None = None
         ) -> dict[str, int]:
    """Read answers back, check who gave them and on what, apply the review rules."""
    from kepu.reviewing.pull import pull as pull_answers

    backend.check_access()
    return pull_answers(settings, backend, panels_path)


def sync_reviews(settings: Settings) -> dict[str, dict[str, int]]:
    """The scheduled review-sync: push new rounds (and the outbox), then pull verdicts back."""
    backend = open_backend(settings)
    return {"push": push(settings, backend), "pull": pull(settings, backend)}


def review_status(settings: Settings) -> dict[str, Any]:
    """What the lead must look at, per panel: open and overdue counts, overdue rounds (with
    assignee and due time), answers not accepted and still waiting, pending arbitrations, and
    changes seen after decisions."""
    from store import review_status as status_store

    with Database(settings.database) as db:
        return status_store.status(db)


def verify_audit(settings: Settings, anchor: tuple[int, str] | None = None) -> ChainReport:
    """Check the audit log's hash chain (read-only)."""
    from store.audit import verify_audit as verify

    if not settings.database.exists():
        raise InputError(str(settings.database), "no database here (set KEPU_HOME)")
    with Database(settings.database, read_only=True) as db:
        return verify(db, anchor)
