"""A real Label Studio server on 127.0.0.1, started once per test session the way a review lead
starts it (`kepu labelstudio start`, throw-away data folder), and reviewers who join it through
the invite link (as real reviewers do)."""

from __future__ import annotations

import os
import re
import secrets
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from common.settings import PROJECT_ROOT

LS_VENV = Path(os.environ.get("KEPU_LABELSTUDIO_VENV", PROJECT_ROOT / ".venv-labelstudio"))
START_TIMEOUT_S = 300


@dataclass(frozen=True)
class LabelStudioServer:
    url: str
    token: str
    data_dir: Path
    invite_link: str
    pid: int

    def sign_up(self, email: str, link: str | None = None) -> str:
        """Join through the invite link (the UI's sign-up form) and return the user's API token."""
        session = requests.Session()
        page = link or self.invite_link
        session.get(page, timeout=30)
        session.post(page, timeout=30, allow_redirects=False, headers={"Referer": page},
                     data={"email": email, "password": secrets.token_hex(8),
                           "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")})
        response = session.get(f"{self.url}/api/current-user/token", timeout=30)
        response.raise_for_status()
        return response.json()["token"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_command(port: int, data: Path, home: Path) -> subprocess.Popen[str]:
    """`python -m kepu labelstudio start` from this checkout, in its own process group."""
    env = {**os.environ, "KEPU_HOME": str(home), "KEPU_LABELSTUDIO_VENV": str(LS_VENV)}
    env.pop("KEPU_LABELSTUDIO_TOKEN", None)
    return subprocess.Popen(
        [sys.executable, "-m", "kepu", "labelstudio", "start", "--port", str(port),
         "--data-dir", str(data), "--admin-email", "admin@kepu.example"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)


def read_until(proc: subprocess.Popen[str], marker: str, timeout_s: float) -> str:
    """The command's output up to the line holding `marker` (or up to its exit)."""
    seen, deadline = "", time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 1)
        if ready:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line and proc.poll() is not None:
                return seen
            seen += line
            if marker in line:
                return seen
        elif proc.poll() is not None:
            return seen + proc.stdout.read()  # type: ignore[union-attr]
    raise RuntimeError(f"no {marker!r} from `kepu labelstudio start` in {timeout_s}s:\n{seen}")


def stop(proc: subprocess.Popen[str], ls_pid: int | None) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if ls_pid:
        try:
            os.killpg(ls_pid, signal.SIGKILL)  # only if the command failed to stop it
        except ProcessLookupError:
            pass


@pytest.fixture(scope="session")
def labelstudio(tmp_path_factory: pytest.TempPathFactory) -> LabelStudioServer:
    if not (LS_VENV / "bin" / "label-studio").exists():
        pytest.fail(f"{LS_VENV}/bin/label-studio missing: run "
                    "`bash scripts/setup.d/30-labelstudio.sh` (scripts/dev.sh does it)")
    base = tmp_path_factory.mktemp("labelstudio")
    proc = start_command(free_port(), base / "data", base / "home")
    ls_pid = None
    try:
        out = read_until(proc, "invite link", START_TIMEOUT_S)
        up = re.search(r"Label Studio is up: (\S+) \(pid (\d+)", out)
        token = re.search(r"KEPU_LABELSTUDIO_TOKEN=(\w+)", out)
        invite = re.search(r"invite link.*: (\S+)", out)
        assert up and token and invite, f"unexpected output of kepu labelstudio start:\n{out}"
        ls_pid = int(up.group(2))
        yield LabelStudioServer(up.group(1), token.group(1), base / "data", invite.group(1),
                                ls_pid)
    finally:
        stop(proc, ls_pid)
