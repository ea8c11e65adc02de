"""`kepu crawl` killed with SIGKILL takes its crawl child with it: no orphan keeps the DuckDB
file's lock (real processes, a real crawl of a slow page on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import psutil
import pytest

from common.settings import PROJECT_ROOT
from store import Database
from tests.crawlers.hostile_site import serve_hostile

pytestmark = pytest.mark.e2e


def _wait(condition, timeout_s: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_killed_kepu_crawl_leaves_no_child_holding_the_database(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "KEPU_HOME": str(home), "KEPU_ALLOW_PRIVATE_ADDRESSES": "true",
           "KEPU_CRAWL_RETRIES": "0", "KEPU_CRAWL_TIMEOUT_S": "30"}
    with serve_hostile() as (base, state):
        sources = tmp_path / "sources.jsonl"
        sources.write_text(json.dumps({"id": "slow", "url": f"{base}/slow.html",
                                       "kind": "page", "depth": 0}) + "\n")
        parent = subprocess.Popen([sys.executable, "-m", "kepu", "crawl", "--sources",
                                   str(sources)], env=env, cwd=PROJECT_ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert _wait(lambda: state.hits["/slow.html"] > 0)  # the child holds the file now
            [child] = [c for c in psutil.Process(parent.pid).children()
                       if "crawlers.run" in " ".join(c.cmdline())]
            parent.kill()
            parent.wait(timeout=10)
            assert _wait(lambda: not child.is_running() or child.status() == "zombie", 10)
        finally:
            parent.kill()
    with Database(home / "kepu.duckdb") as db:  # the lock is free at once
        assert db.scalar("SELECT count(*) FROM crawl_runs WHERE finished_at IS NULL") == 1
