"""`kepu labelstudio start`: the reviewers' UI, started the safe way."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated

import typer

labelstudio_app = typer.Typer(help="The Label Studio server reviewers use.", no_args_is_help=True)


@labelstudio_app.command("start")
def start(
    port: Annotated[int, typer.Option(help="Port to listen on (fails if busy)")] = 8080,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    data_dir: Annotated[Path | None, typer.Option(
        help="Label Studio's data folder; default KEPU_HOME/labelstudio")] = None,
    admin_email: Annotated[str, typer.Option(
        help="The admin account made on the first start")] = "admin@kepu.local",
) -> None:
    """Start Label Studio (its own venv) with sign-up closed; on the first start create the
    admin and print its password and API token once, then the invite link for reviewers.
    Runs until Ctrl-C.

    Example: kepu labelstudio start --port 8080
    """
    from common.secret_text import reveal
    from kepu.cli import _settings
    from kepu.reviewing.labelstudio_server import invite_link, start_server

    settings = _settings()
    server = start_server(settings.labelstudio_venv, data_dir or settings.labelstudio_data,
                          host, port, admin_email)
    try:
        typer.echo(f"Label Studio is up: {server.url} (pid {server.process.pid}, log: "
                   f"{server.log})")
        token = server.admin.token if server.admin else reveal(settings.labelstudio_token)
        if server.admin:
            typer.echo(f"admin: {server.admin.email}  password: {server.admin.password}")
            typer.echo("Shown once, kept nowhere else: store them in your password manager.")
            typer.echo(f"export KEPU_LABELSTUDIO_URL={server.url}")
            typer.echo(f"export KEPU_LABELSTUDIO_TOKEN={server.admin.token}")
        if token:
            typer.echo(f"invite link (send only to reviewers): {invite_link(server.url, token)}")
        else:
            typer.echo("invite link: log in as the admin, Organization > Add Members")
        typer.echo("Press Ctrl-C to stop.", err=True)
        signal.signal(signal.SIGTERM, _interrupt)  # stop the server like Ctrl-C does
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.add_typer(labelstudio_app, name="labelstudio")
