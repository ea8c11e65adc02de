"""`kepu labelstudio start` and the token check of `kepu review push`, against the session's
server (which the conftest started with `kepu labelstudio start`)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
import requests

from common.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def _kepu(*args: str, env: dict[str, str], timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kepu", *args], cwd=PROJECT_ROOT, timeout=timeout,
                          env={**os.environ, **env}, capture_output=True, text=True)


def test_start_refuses_a_busy_port_instead_of_moving(labelstudio, tmp_path):
    port = labelstudio.url.rsplit(":", 1)[1]
    result = _kepu("labelstudio", "start", "--port", port, "--data-dir", str(tmp_path / "ls"),
                   env={"KEPU_HOME": str(tmp_path / "home")}, timeout=60)
    assert result.returncode == 2
    assert f"127.0.0.1:{port}: port in use" in result.stdout
    assert not (tmp_path / "ls" / "label_studio.sqlite3").exists()  # nothing was started


def test_sign_up_needs_the_invite_link_and_the_token_stays_off_the_log(labelstudio):
    session = requests.Session()
    page = f"{labelstudio.url}/user/signup/"
    session.get(page, timeout=30)
    refused = session.post(page, timeout=30, allow_redirects=False, headers={"Referer": page},
                           data={"email": "walk-in@kepu.example", "password": secrets.token_hex(8),
                                 "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")})
    assert refused.status_code == 403
    assert labelstudio.sign_up("invited@kepu.example")  # the invite link works
    log = (labelstudio.data_dir / "server.log").read_text(errors="replace")
    assert "Starting development server" in log and labelstudio.token not in log


def test_push_checks_the_token_even_with_nothing_to_send(labelstudio, tmp_path):
    env = {"KEPU_HOME": str(tmp_path / "home"), "KEPU_LABELSTUDIO_URL": labelstudio.url}
    wrong = "f" * 40
    refused = _kepu("review", "push", "--active-share", "0",
                    env={**env, "KEPU_LABELSTUDIO_TOKEN": wrong})
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "refused the API token" in refused.stdout and wrong not in refused.stdout
    fine = _kepu("review", "push", "--active-share", "0",
                 env={**env, "KEPU_LABELSTUDIO_TOKEN": labelstudio.token})
    assert fine.returncode == 0, fine.stdout + fine.stderr
    assert "'sent': 0" in fine.stdout and labelstudio.token not in fine.stdout + fine.stderr


def test_nothing_is_reported_to_the_vendors_sentry(labelstudio):
    """Label Studio's defaults send server and browser errors to its vendor's Sentry; the pages
    reviewers load carry no error-reporting address and the server process has none."""
    page = requests.get(f"{labelstudio.url}/user/login/", timeout=30)
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert "sentry" not in page.text.lower()
    environ = dict(item.split("=", 1) for item in
                   open(f"/proc/{labelstudio.pid}/environ", "rb").read().decode().split("\0")
                   if "=" in item)
    assert environ.get("LABEL_STUDIO_SENTRY_DSN") == ""
