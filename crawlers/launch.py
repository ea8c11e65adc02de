"""Start one crawl as a subprocess (Scrapy's reactor cannot restart in-process); read its stats."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from common.errors import CrawlError
from common.settings import PROJECT_ROOT, Settings


def _limits(settings: Settings) -> list[str]:
    """The crawl's bounds and politeness, as `python -m crawlers.run` options."""
    command = ["--max-bytes", str(settings.crawl_max_bytes),
               "--timeout", str(settings.crawl_timeout_s),
               "--delay", str(settings.crawl_delay_s),
               "--per-domain", str(settings.crawl_concurrency_per_domain),
               "--retries", str(settings.crawl_retries),
               "--backoff", str(settings.crawl_retry_backoff_s),
               "--depth", str(settings.crawl_depth_limit),
               "--near-threshold", str(settings.near_duplicate_threshold),
               "--parent-pid", str(os.getpid()),
               "--lock-wait", str(settings.db_lock_wait_s),
               "--max-post-chars", str(settings.max_post_chars)]
    if settings.crawl_http_cache:
        command += ["--cache-dir", str((settings.home / "httpcache").resolve())]
    if settings.allow_private_addresses:
        command.append("--allow-private")
    return command


def crawl_command(settings: Settings, sources: Path, stats: Path) -> list[str]:
    """The `python -m crawlers.run` command line for these settings."""
    return [sys.executable, "-m", "crawlers.run", "--sources", str(sources),
            "--db", str(settings.database.resolve()), "--stats", str(stats),
            *_limits(settings)]


def frontier_command(settings: Settings, sources: Path, stats: Path, name: str, owner: str,
                     share: int) -> list[str]:
    """The command line of one crawl process on the shared frontier `name` (no database)."""
    return [sys.executable, "-m", "crawlers.run", "--sources", str(sources),
            "--stats", str(stats), "--frontier", str(settings.crawl_frontier_url),
            "--frontier-name", name, "--owner", owner, "--share", str(share),
            "--heartbeat", str(settings.crawl_frontier_heartbeat_s), *_limits(settings)]


def why(done: subprocess.CompletedProcess[str]) -> str:
    """The crawl child's end in one line: its signal or its last stderr lines."""
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        return (f"the crawl process was killed ({name}); the posts it stored are kept and the "
                "next run reads the rest again")
    tail = (done.stderr or "").strip().splitlines()[-5:]
    return " | ".join(tail) or f"exit status {done.returncode}"


def run_crawl(settings: Settings, sources: Path) -> dict[str, int]:
    """Run the crawl of `sources` to completion; raises CrawlError when it could not run."""
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "stats.json"
        done = subprocess.run(crawl_command(settings, sources.resolve(), stats),
                              capture_output=True, text=True, cwd=PROJECT_ROOT,
                              env={**os.environ, "HOME": tmp})
        if done.returncode != 0 or not stats.exists():
            raise CrawlError(f"crawl of {sources} failed: {why(done)}")
        counts = json.loads(stats.read_text(encoding="utf-8"))
    return {k: int(v) for k, v in counts.items()}
