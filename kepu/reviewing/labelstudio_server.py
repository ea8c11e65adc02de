"""`kepu labelstudio start`: run the bundled Label Studio from its own venv, safely configured.

Owns the server process: sign-up only through the invite link, legacy API tokens on (what the SDK
uses), no analytics or version checks, data under KEPU_HOME. On the first start it creates the
admin with a generated password and API token, which go to the caller once (never to a log or a
file: the admin can read or reset the token in Label Studio's UI). It fails, rather than moving
to another port, when the port is busy, and checks that the server answers on that very port.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from common.errors import InputError, ReviewError

START_TIMEOUT_S = 240
_STARTED = re.compile(r"Starting development server at https?://([^:/\s]+):(\d+)/")
_MOVED = re.compile(r"Port (\d+) is in use")


@dataclass(frozen=True)
class Admin:
    """The admin account made on the first start (password and token shown once)."""

    email: str
    password: str
    token: str


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    admin: Admin | None  # None: the data folder already had its admin

    def stop(self) -> None:
        """Stop the server and everything it started."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def check_port_free(host: str, port: int) -> None:
    """InputError when something answers on host:port or the port cannot be bound."""
    where = f"{host}:{port}"
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex((host, port)) == 0:
            raise InputError(where, "port in use; pick another with --port (Label Studio would "
                             "silently start on the next free port)")
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InputError(where, f"cannot listen there: {exc.strerror}") from exc


def server_env(data_dir: Path, admin: Admin | None) -> dict[str, str]:
    """The environment of the Label Studio process: no kepu secrets passed on, nothing reported
    home (analytics, version check, error reports)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEPU_")}
    env.update({
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir), "HOME": str(data_dir),
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "COLLECT_ANALYTICS": "false", "LATEST_VERSION_CHECK": "false",
        # Label Studio reports server and browser errors (with user data) to its vendor's
        # Sentry unless these are empty; the LABEL_STUDIO_ names win over any other spelling.
        "LABEL_STUDIO_SENTRY_DSN": "", "LABEL_STUDIO_FRONTEND_SENTRY_DSN": "",
    })
    if admin:
        env.update({"LABEL_STUDIO_USERNAME": admin.email, "LABEL_STUDIO_PASSWORD": admin.password,
                    "LABEL_STUDIO_USER_TOKEN": admin.token})
    return env


def start_server(venv: Path, data_dir: Path, host: str, port: int, admin_email: str
                 ) -> RunningServer:
    """Start Label Studio and wait until it answers on host:port (the admin is made on the first
    start only)."""
    binary = venv / "bin" / "label-studio"
    if not binary.exists():
        raise InputError(str(binary), "Label Studio is not installed there: run "
                         "`bash scripts/setup.d/30-labelstudio.sh` (or set KEPU_LABELSTUDIO_VENV)")
    check_port_free(host, port)
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    first = not (data_dir / "label_studio.sqlite3").exists()
    admin = Admin(admin_email, secrets.token_urlsafe(12), secrets.token_hex(20)) if first else None
    log = data_dir / "server.log"
    log_from = log.stat().st_size if log.exists() else 0  # read only what this start writes
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(binary), "start", "--no-browser", "--internal-host", host, "--port", str(port),
             "--data-dir", str(data_dir), "--enable-legacy-api-token"],
            env=server_env(data_dir, admin), stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    server = RunningServer(f"http://{host}:{port}", process, log, admin)
    try:
        _wait_until_up(server, host, port, log_from)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_up(server: RunningServer, host: str, port: int, log_from: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        text = server.log.read_bytes()[log_from:].decode("utf-8", "replace")
        if server.process.poll() is not None:
            raise ReviewError(f"Label Studio exited (log {server.log}): {text[-500:]}")
        if moved := _MOVED.search(text):
            raise ReviewError(f"{host}:{moved.group(1)} became busy while Label Studio started; "
                              "it would move to another port, so it was stopped")
        started = _STARTED.search(text)
        if started and int(started.group(2)) != port:
            raise ReviewError(f"Label Studio started on port {started.group(2)}, not {port}")
        if started and _healthy(server.url):
            return
        time.sleep(1)
    raise ReviewError(f"Label Studio did not answer on {server.url} within {START_TIMEOUT_S} s "
                      f"(log {server.log})")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).json().get("status") == "UP"
    except (httpx.HTTPError, ValueError):
        return False


def invite_link(url: str, token: str) -> str:
    """The organisation's sign-up link (the only way in: open sign-up is closed)."""
    try:
        response = httpx.get(f"{url}/api/invite", headers={"Authorization": f"Token {token}"},
                             timeout=30)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise ReviewError(f"Label Studio at {url}: cannot read the invite link "
                          f"({type(exc).__name__}); check the admin token") from exc
    return f"{url}/user/signup/?token={response.json()['token']}"
