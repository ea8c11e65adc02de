"""A real Label Studio server on 127.0.0.1, started once per test session with a throw-away
data directory, and reviewers who join it through the invite link (as real reviewers do)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from kepu.settings import PROJECT_ROOT

LS_VENV = Path(os.environ.get("KEPU_LABELSTUDIO_VENV", PROJECT_ROOT / ".venv-labelstudio"))
START_TIMEOUT_S = 240


@dataclass(frozen=True)
class LabelStudioServer:
    url: str
    token: str

    def invite_token(self) -> str:
        response = requests.get(f"{self.url}/api/invite", timeout=30,
                                headers={"Authorization": f"Token {self.token}"})
        response.raise_for_status()
        return response.json()["token"]

    def sign_up(self, email: str) -> str:
        """Join through the invite link (the UI's sign-up form) and return the user's API token."""
        invite = self.invite_token()
        session = requests.Session()
        page = f"{self.url}/user/signup/?token={invite}"
        session.get(page, timeout=30)
        session.post(page, timeout=30, allow_redirects=False, headers={"Referer": page},
                     data={"email": email, "password": secrets.token_hex(8),
                           "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")})
        response = session.get(f"{self.url}/api/current-user/token", timeout=30)
        response.raise_for_status()
        return response.json()["token"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"label-studio exited: {log.read_text()[-2000:]}")
        try:
            if requests.get(f"{url}/health", timeout=2).json().get("status") == "UP":
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(1)
    tail = log.read_text()[-2000:]
    raise RuntimeError(f"label-studio did not answer in {START_TIMEOUT_S}s: {tail}")


@pytest.fixture(scope="session")
def labelstudio(tmp_path_factory: pytest.TempPathFactory) -> LabelStudioServer:
    binary = LS_VENV / "bin" / "label-studio"
    if not binary.exists():
        pytest.fail(f"{binary} missing: run `bash scripts/setup.d/30-labelstudio.sh` "
                    "(scripts/dev.sh does it)")
    data = tmp_path_factory.mktemp("labelstudio")
    port, token = _free_port(), secrets.token_hex(20)
    env = {**os.environ, "LABEL_STUDIO_BASE_DATA_DIR": str(data), "HOME": str(data),
           "LABEL_STUDIO_USERNAME": "admin@kepu.example",
           "LABEL_STUDIO_PASSWORD": secrets.token_hex(8), "LABEL_STUDIO_USER_TOKEN": token,
           "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
           "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true", "COLLECT_ANALYTICS": "false",
           "LATEST_VERSION_CHECK": "false"}
    log = data / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(binary), "start", "--no-browser", "--internal-host", "127.0.0.1",
             "--port", str(port), "--data-dir", str(data), "--enable-legacy-api-token"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield LabelStudioServer(url, token)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
