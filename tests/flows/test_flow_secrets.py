"""A real `kepu run` (Prefect's local mode, its own database under PREFECT_HOME) stores the
flow's settings parameter, but never the Label Studio token or the pseudonym key: no file the
run leaves behind holds them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from common.settings import PROJECT_ROOT
from store import Database
from store.claims import save_claims

pytestmark = pytest.mark.e2e
TOKEN = "ls-token-7f3a9c1e5b"
KEY = "pseudonym-key-2d8e4b6a"


def test_kepu_run_keeps_secrets_out_of_prefects_database(tmp_path, tiny_claims):
    home = tmp_path / "home"
    with Database(home / "kepu.duckdb") as db:
        save_claims(db, tiny_claims)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KEPU_"))}
    env.update(KEPU_HOME=str(home), KEPU_EMBEDDER="hashing", KEPU_LABELSTUDIO_TOKEN=TOKEN,
               KEPU_REPORT_PSEUDONYM_KEY=KEY, PYTHONPATH=str(PROJECT_ROOT))
    done = subprocess.run([sys.executable, "-m", "kepu", "run", "score"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stdout + done.stderr
    with sqlite3.connect(home / "prefect" / "prefect.db") as prefect:
        [(parameters,)] = prefect.execute("SELECT parameters FROM flow_run").fetchall()
    assert str(home) in parameters  # the settings parameter is stored ...
    files = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.name.startswith("prefect.db") for p in files)
    for path in files:  # ... and no file holds a secret (database, its WAL, logs)
        data = path.read_bytes()
        assert TOKEN.encode() not in data and KEY.encode() not in data, path
