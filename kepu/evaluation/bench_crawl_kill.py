"""`kepu bench crawl-kill`: what a crawl loses when its child is killed, measured.

`kepu crawl` of a generated local site runs as a real subprocess; its crawl child is sent
SIGKILL once a random number of article pages has been fetched, several times in a row, then
one run goes to the end. The figure is what the database holds afterwards: every page stored
once, or how many are missing or doubled.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from common.errors import CrawlError
from common.settings import PROJECT_ROOT
from crawlers.sample_server import serve_site
from kepu.evaluation.bench_site import build_bench_site
from store import Database
from store.crawls import died_runs


@dataclass
class KillBenchResult:
    """Kills made (article pages fetched in that run when the child died), what is stored."""

    pages: int
    kill_points: list[int] = field(default_factory=list)
    stored: int = 0
    distinct_urls: int = 0
    linked_as_copies: int = 0
    died_runs: int = 0  # runs a later run found unfinished and reported
    clean_run: dict[str, int] = field(default_factory=dict)

    @property
    def missing(self) -> int:
        return self.pages - self.distinct_urls

    @property
    def stored_twice(self) -> int:
        return self.stored - self.distinct_urls


def _kepu_crawl(sources: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "kepu", "crawl", "--sources", str(sources)],
                            env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _crawl_child(parent: subprocess.Popen[bytes], timeout_s: float = 120.0):  # noqa: ANN202
    """The `crawlers.run` process `kepu crawl` started (None when the parent ended first)."""
    import psutil

    deadline = time.monotonic() + timeout_s
    while parent.poll() is None and time.monotonic() < deadline:
        for child in psutil.Process(parent.pid).children():
            if "crawlers.run" in " ".join(child.cmdline()):
                return child
        time.sleep(0.02)
    return None


def _articles(hits: Counter[str]) -> int:
    return sum(n for path, n in list(hits.items()) if path.startswith("/a/"))


def _kill_midway(sources: Path, env: dict[str, str], cwd: Path, hits: Counter[str],
                 target: int) -> int | None:
    """Start `kepu crawl`, SIGKILL its child after `target` article fetches; returns how many
    were fetched when it was killed (None: the run ended first)."""
    start = _articles(hits)
    parent = _kepu_crawl(sources, env, cwd)
    child = _crawl_child(parent)
    fetched = None
    while child is not None and parent.poll() is None:
        if _articles(hits) - start >= target:
            fetched = _articles(hits) - start
            child.kill()
            break
        time.sleep(0.005)
    parent.wait(timeout=120)
    return fetched


def _crawl_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEPU_")}
    path = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    return {**env, "PYTHONPATH": path, "KEPU_HOME": str(home),
            "KEPU_ALLOW_PRIVATE_ADDRESSES": "true", "KEPU_CRAWL_HTTP_CACHE": "true",
            "KEPU_DATASETS_DIR": os.environ.get("KEPU_DATASETS_DIR", str(home))}


def _stored(result: KillBenchResult, database: Path) -> KillBenchResult:
    with Database(database) as db:
        result.stored, result.distinct_urls, result.linked_as_copies = db.rows(
            "SELECT count(*), count(DISTINCT canonical_url), count(duplicate_of) FROM posts "
            "WHERE canonical_url LIKE '%/a/%'")[0]
        result.died_runs = len(died_runs(db))  # marked by the run after each
        last = db.dicts("SELECT pages, new_posts AS new, unchanged, errors FROM crawl_runs "
                        "ORDER BY id DESC LIMIT 1")
    result.clean_run = {k: int(v or 0) for k, v in (last[0] if last else {}).items()}
    return result


def bench_crawl_kill(pages: int = 400, kills: int = 5, seed: int = 23) -> KillBenchResult:
    """Crawl a `pages`-page local site with `kepu crawl`, killing its child `kills` times at
    random points (seeded), then once to the end; count what the database holds."""
    rng = random.Random(seed)
    result = KillBenchResult(pages)
    with tempfile.TemporaryDirectory() as tmp:
        root, home = Path(tmp) / "site", Path(tmp) / "home"
        build_bench_site(root, pages)
        home.mkdir()
        hits: Counter[str] = Counter()
        env = _crawl_env(home)
        with serve_site(root, hits=hits) as base:
            sources = home / "sources.jsonl"
            sources.write_text(json.dumps({"id": "bench", "url": f"{base}/sitemap.xml",
                                           "kind": "sitemap"}) + "\n", encoding="utf-8")
            while len(result.kill_points) < kills:
                fetched = _kill_midway(sources, env, Path(tmp), hits, rng.randint(1, pages - 1))
                if fetched is None:
                    raise CrawlError("bench crawl-kill: a run ended before its kill point")
                result.kill_points.append(fetched)
            clean = _kepu_crawl(sources, env, Path(tmp))
            _, err = clean.communicate(timeout=600)
            if clean.returncode != 0:
                raise CrawlError(f"bench crawl-kill: the clean run failed: {err.decode()[-500:]}")
        return _stored(result, home / "kepu.duckdb")
