"""A command that takes the DuckDB file while `kepu crawl` runs no longer breaks the crawl's
end: the crawl child closes its run and marks its sources in one transaction, and the parent
writes nothing after it (it used to print a lock error, exit 2 and leave the sources
unmarked when `kepu score` took the lock first)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from common.settings import PROJECT_ROOT
from store import Database
from tests.crawlers.hostile_site import serve_hostile

pytestmark = pytest.mark.e2e

TAKE_LOCK = """
import sys, time
from store import Database
with Database(sys.argv[1], lock_wait_s=120):  # waits for the crawl child, then holds the file
    print("took", flush=True)
    time.sleep(4)
"""


def test_crawl_ends_cleanly_when_another_command_takes_the_lock(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "KEPU_HOME": str(home), "KEPU_ALLOW_PRIVATE_ADDRESSES": "true",
           "KEPU_CRAWL_RETRIES": "0", "KEPU_CRAWL_TIMEOUT_S": "30",
           "PYTHONPATH": str(PROJECT_ROOT)}
    with serve_hostile() as (base, state):
        sources = tmp_path / "sources.jsonl"
        sources.write_text(json.dumps({"id": "slow", "url": f"{base}/slow.html",
                                       "kind": "page", "depth": 0}) + "\n")
        crawl = subprocess.Popen([sys.executable, "-m", "kepu", "crawl", "--sources",
                                  str(sources)], env=env, cwd=PROJECT_ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while state.hits["/slow.html"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)  # the crawl child holds the file from here on
        other = subprocess.Popen([sys.executable, "-c", TAKE_LOCK, str(home / "kepu.duckdb")],
                                 env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
        out, err = crawl.communicate(timeout=120)
        assert other.stdout.readline().strip() == "took"
        other.wait(timeout=60)
    assert crawl.returncode == 0, out + err
    assert "lock" not in (out + err).lower()
    with Database(home / "kepu.duckdb") as db:
        assert db.scalar("SELECT count(*) FROM source_crawls WHERE source_id = 'slow'") == 1
        assert db.scalar("SELECT outcome FROM crawl_runs") == "finished"
        assert db.scalar("SELECT count(*) FROM posts") == 1
