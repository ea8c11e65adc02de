"""Review commands: `kepu review push`, `pull`, `status` and `verify-audit`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()
review_app = typer.Typer(help="Expert review queue (Label Studio as the reviewers' UI).",
                         no_args_is_help=True)
PanelsOption = Annotated[Path | None, typer.Option("--panels", help="Panels file (TOML)")]


ActiveShareOption = Annotated[float | None, typer.Option(
    "--active-share", min=0.0, max=1.0,
    help="Share of unflagged posts, the ones the classifier is least sure about, to add as "
         "active-learning tasks (0: none); default settings.active_learning_share")]


@review_app.command("push")
def push(panels: PanelsOption = None, active_share: ActiveShareOption = None) -> None:
    """Add active-learning tasks, queue review rounds for open tasks and send them to Label
    Studio (retries the outbox).

    Example: kepu review push --active-share 0.05
    """
    from kepu.cli import _settings
    from kepu.reviewing.sync import open_backend
    from kepu.reviewing.sync import push as push_rounds

    settings = _settings()
    console.print(push_rounds(settings, open_backend(settings), panels, active_share))


@review_app.command("pull")
def pull(panels: PanelsOption = None) -> None:
    """Read annotations back, apply the review rules and feed final verdicts back.

    Example: kepu review pull
    """
    from kepu.cli import _settings
    from kepu.reviewing.sync import open_backend
    from kepu.reviewing.sync import pull as pull_annotations

    settings = _settings()
    console.print(pull_annotations(settings, open_backend(settings), panels))


@review_app.command("status")
def status() -> None:
    """What the review lead must look at, per panel: open and overdue tasks, overdue rounds
    with assignee and due time, answers not accepted (waiting), pending arbitrations, changes
    seen after decisions, and rounds waiting in the outbox.

    Example: kepu review status
    """
    from kepu.cli import _settings
    from kepu.reviewing.sync import review_status

    s = review_status(_settings())
    _table(f"review queue (outbox: {s['outbox']} rounds not yet sent)",
           ("panel", "open", "overdue", "waiting", "arbitration"),
           [(p["panel"], p["open"], p["overdue"], p["waiting"], p["arbitration"])
            for p in s["panels"]])
    _table("overdue rounds", ("panel", "round", "assigned to", "due (UTC)", "status"),
           [(r["panel"], r["round_id"], r["assigned_to"] or "anyone on the panel",
             _when(r["due_at"]), r["status"] + ("" if r["sent"] else ", not yet sent"))
            for r in s["overdue"]])
    _table("answers not accepted, round still open",
           ("panel", "round", "assigned to", "due (UTC)", "kind", "by", "reason"),
           [(r["panel"], r["round_id"], r["assigned_to"] or "anyone on the panel",
             _when(r["due_at"]), r["kind"], r["by_account"], r["reason"]) for r in s["waiting"]])
    _table("arbitration pending", ("panel", "round", "senior", "due (UTC)"),
           [(r["panel"], r["round_id"], r["assigned_to"] or "NO SENIOR LEFT", _when(r["due_at"]))
            for r in s["arbitration"]])
    _table("changes after a decision (30 days)", ("panel", "round", "kind", "by", "reason", "seen"),
           [(r["panel"], r["round_id"], r["kind"], r["by_account"], r["reason"],
             _when(r["seen_at"])) for r in s["after_decision"]])


def _when(value: object) -> str:
    from datetime import UTC, datetime

    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else "—"


def _table(title: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    """One table; cells are escaped (reasons can quote text from the review UI)."""
    from rich.markup import escape

    if not rows:
        console.print(f"{escape(title)}: none")
        return
    table = Table(title=title)
    for name in columns:
        table.add_column(name)
    for row in rows:
        table.add_row(*(escape(str(v)) for v in row))
    console.print(table)


@review_app.command("verify-audit")
def verify_audit(expect: Annotated[str | None, typer.Option(
        "--expect", help="ID:HASH of a chain head written down earlier (printed by this "
                         "command); fails if that row is gone or the chain was rewritten")] = None
                 ) -> None:
    """Check the audit log's hash chain: any UPDATE or DELETE of an audit row breaks it.

    Example: kepu review verify-audit --expect 1042:5f0c...e9
    """
    from common.errors import InputError, StoreError
    from kepu.cli import _settings
    from kepu.reviewing.sync import verify_audit as verify
    from store.audit_chain import parse_anchor

    try:
        anchor = parse_anchor(expect) if expect else None
    except ValueError as exc:
        raise InputError("--expect", str(exc)) from exc
    report = verify(_settings(), anchor)
    if not report.ok:
        raise StoreError(f"audit_log row {report.broken_at}: {report.reason} "
                         f"({report.rows} rows before it verified)")
    console.print(f"audit log intact: {report.rows} rows; head {report.head_id}:"
                  f"{report.head_hash}", highlight=False, soft_wrap=True)
    console.print("Keep the head somewhere else (a signed note, the weekly report) and later run "
                  "`kepu review verify-audit --expect ID:HASH`: a rewritten chain fails then.",
                  highlight=False)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.add_typer(review_app, name="review")
