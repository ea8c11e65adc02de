"""Review commands: `kepu review push`, `kepu review pull`, `kepu review status`."""

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
    from kepu.review_service import open_backend
    from kepu.review_service import push as push_rounds

    settings = _settings()
    console.print(push_rounds(settings, open_backend(settings), panels, active_share))


@review_app.command("pull")
def pull(panels: PanelsOption = None) -> None:
    """Read annotations back, apply the review rules and feed final verdicts back.

    Example: kepu review pull
    """
    from kepu.cli import _settings
    from kepu.review_service import open_backend
    from kepu.review_service import pull as pull_annotations

    settings = _settings()
    console.print(pull_annotations(settings, open_backend(settings), panels))


@review_app.command("status")
def status() -> None:
    """Open and overdue review tasks per panel, and rounds waiting in the outbox.

    Example: kepu review status
    """
    from kepu.cli import _settings
    from kepu.review_service import review_status

    s = review_status(_settings())
    table = Table(title=f"review queue (outbox: {s['outbox']} rounds not yet sent)")
    for name in ("panel", "open", "overdue"):
        table.add_column(name)
    for panel, open_, overdue in s["panels"]:
        table.add_row(panel, str(open_), f"[red]{overdue}[/red]" if overdue else "0")
    console.print(table)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.add_typer(review_app, name="review")
