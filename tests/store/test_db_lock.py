"""A second process on the same DuckDB file waits for the lock (bounded), naming the process
that holds it, instead of failing with DuckDB's raw message (real processes, a real file)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time

import pytest

from common.errors import StoreError
from common.settings import PROJECT_ROOT
from store import Database

HOLD = """
import sys, time
from store import Database
db = Database(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
db.close()
"""


def _hold(path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)],
                              cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_waits_for_the_lock_and_says_who_holds_it(tmp_path, caplog):
    path = tmp_path / "k.duckdb"
    holder = _hold(path, 1.5)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="store.db"), \
            Database(path, lock_wait_s=60) as db:
        waited = time.monotonic() - started
        assert db.scalar("SELECT count(*) FROM posts") == 0
    holder.wait(timeout=30)
    assert 0.5 < waited < 30
    [message] = [r.getMessage() for r in caplog.records]
    assert f"PID {holder.pid}" in message and "waiting up to 60 s" in message


def test_gives_up_after_the_wait_naming_the_holder(tmp_path):
    path = tmp_path / "k.duckdb"
    holder = _hold(path, 30)
    try:
        with pytest.raises(StoreError) as caught:
            Database(path, lock_wait_s=0.5)
    finally:
        holder.kill()
        holder.wait()
    text = str(caught.value)
    assert f"in use by PID {holder.pid} (" in text and "import sys" in text
    assert "KEPU_DB_LOCK_WAIT_S" in text and "\n" not in text


def test_cli_answers_a_held_file_with_one_line_and_exit_2(tmp_path):
    home = tmp_path / "home"
    holder = _hold(home / "kepu.duckdb", 30)
    try:
        done = subprocess.run([sys.executable, "-m", "kepu", "score"], cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "KEPU_HOME": str(home),
                                   "KEPU_DB_LOCK_WAIT_S": "1", "KEPU_EMBEDDER": "hashing"})
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 2, done.stderr
    assert f"in use by PID {holder.pid}" in done.stdout and "Traceback" not in done.stderr
    assert "is in use by" in done.stderr  # the waiting message came first
