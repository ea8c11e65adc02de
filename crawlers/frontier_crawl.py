"""`kepu crawl` on a shared Redis frontier: N crawl processes, and this process as the one writer.

DuckDB lets one process write a file, so crawl processes on a frontier open no database: each
pushes its items (JSON) onto the frontier's Redis list, and this process drains that list into
the store through the same `RunRecorder` a single crawl uses. Draining is reliable: items move
to an `ingesting` list first and leave it only after their batch is committed, so a writer
killed mid-batch loses nothing (the store is idempotent: a re-read page counts unchanged).

The frontier (crawlers.frontier) is named after the database and the sources file, so a run
killed part-way is resumed by the next `kepu crawl` of the same sources; a run that emptied the
frontier clears it (queue, dedup set, items), so the next run crawls afresh.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import subprocess
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from common.errors import CrawlError
from common.settings import PROJECT_ROOT, Settings
from crawlers.frontier import FrontierKeys, outstanding, requeue_dead
from crawlers.frontier_codec import decode_item
from crawlers.items import CrawlFailure, PostItem, UnchangedPage
from crawlers.launch import frontier_command
from crawlers.run_recorder import RunRecorder
from crawlers.sources import read_sources
from store.crawls import page_digests

log = logging.getLogger(__name__)
_ITEMS = {"post": PostItem, "unchanged": UnchangedPage, "failure": CrawlFailure}


def frontier_name(database: Path, sources: Path) -> str:
    """The frontier of this database and these sources (same name again: resume)."""
    key = f"{database.resolve()}\x1f{sources.read_text(encoding='utf-8')}"
    return "kepu:frontier:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def connect(url: str) -> Any:
    """A Redis client for the frontier, or a CrawlError saying it cannot be reached."""
    from redis import Redis
    from redis.exceptions import RedisError

    server = Redis.from_url(url, socket_timeout=30)
    try:
        server.ping()
    except RedisError as exc:
        raise CrawlError(f"crawl frontier {url}: cannot reach Redis ({exc})") from exc
    return server


def clear_frontier(server: Any, keys: FrontierKeys) -> None:
    """Forget a frontier: its queue, dedup set, pending requests, items and known pages."""
    names = [keys.queue, keys.dupefilter, keys.owners, keys.items, keys.ingesting,
             keys.known_pages]
    names += list(server.scan_iter(match=f"{keys.name}:pending:*"))
    names += list(server.scan_iter(match=f"{keys.name}:alive:*"))
    server.delete(*names)


def ingest(server: Any, keys: FrontierKeys, recorder: RunRecorder, wait_s: float = 0.0,
           limit: int = 500) -> int:
    """Move up to `limit` items from the frontier into the store; returns how many. Items sit in
    the `ingesting` list until their batch is committed."""
    moved = 0
    first = (server.blmove(keys.items, keys.ingesting, wait_s, "LEFT", "RIGHT") if wait_s
             else server.lmove(keys.items, keys.ingesting, "LEFT", "RIGHT"))
    data = first
    while data is not None:
        _add(recorder, data)
        moved += 1
        if moved >= limit:
            break
        data = server.lmove(keys.items, keys.ingesting, "LEFT", "RIGHT")
    if moved:
        recorder.flush()
        server.delete(keys.ingesting)
    return moved


def _recover(server: Any, keys: FrontierKeys, recorder: RunRecorder) -> int:
    """Items a killed writer had taken but not committed: stored now (idempotently)."""
    left = server.lrange(keys.ingesting, 0, -1)
    for data in left:
        _add(recorder, data)
    recorder.flush()
    server.delete(keys.ingesting)
    return len(left)


def _add(recorder: RunRecorder, data: bytes) -> None:
    try:
        kind, fields = decode_item(data)
        item = _ITEMS[kind](**fields)
    except (ValueError, KeyError) as exc:
        log.warning("skipped a malformed item in the crawl frontier: %s", exc)
        recorder.counts["errors"] += 1
        return
    recorder.add(item)


def _publish_known_pages(server: Any, keys: FrontierKeys, known: dict[str, str]) -> None:
    server.delete(keys.known_pages)
    rows = list(known.items())
    for start in range(0, len(rows), 10_000):
        server.hset(keys.known_pages, mapping=dict(rows[start:start + 10_000]))


@contextmanager
def _crawl_processes(settings: Settings, sources: Path, keys: FrontierKeys
                     ) -> Iterator[list[tuple[subprocess.Popen[bytes], Path, Path]]]:
    """Start the crawl processes (each dies with this one); yield (process, stats, log)."""
    share = settings.crawl_processes
    with tempfile.TemporaryDirectory() as tmp:
        started = []
        for i in range(share):
            owner = f"{socket.gethostname()}-{os.getpid()}-{i}-{uuid.uuid4().hex[:8]}"
            stats, errors = Path(tmp) / f"stats-{i}.json", Path(tmp) / f"stderr-{i}.txt"
            with errors.open("wb") as err:
                child = subprocess.Popen(
                    frontier_command(settings, sources.resolve(), stats, keys.name, owner,
                                     share),
                    cwd=PROJECT_ROOT, env={**os.environ, "HOME": tmp},
                    stdout=subprocess.DEVNULL, stderr=err)
            started.append((child, stats, errors))
        try:
            yield started
        finally:
            for child, _, _ in started:
                if child.poll() is None:
                    child.kill()
                    child.wait()


def _process_figures(started: list[tuple[subprocess.Popen[bytes], Path, Path]]
                     ) -> tuple[Counter[str], list[str]]:
    """Totals over the crawl processes, and why each one that failed ended."""
    totals: Counter[str] = Counter(processes=len(started), processes_lost=0)
    failures = []
    for number, (child, stats, errors) in enumerate(started, 1):
        if child.returncode != 0 or not stats.exists():
            totals["processes_lost"] += 1
            tail = errors.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            failures.append(f"killed by signal {-child.returncode}" if child.returncode < 0
                            else " | ".join(tail[-3:]) or f"exit status {child.returncode}")
            continue
        figures = json.loads(stats.read_text(encoding="utf-8"))
        totals[f"fetched_by_{number}"] = int(figures.get("responses", 0))
        totals["reclaimed"] += int(figures.get("reclaimed", 0))
    return totals, failures


def run_frontier_crawl(settings: Settings, sources: Path) -> dict[str, int]:
    """Crawl `sources` with settings.crawl_processes processes on the shared frontier, storing
    what they find here; returns the run's counts. Raises CrawlError when the frontier still
    holds work at the end (every process died): the next run of the same sources goes on."""
    server = connect(str(settings.crawl_frontier_url))
    keys = FrontierKeys(frontier_name(settings.database, sources))
    declared = read_sources(sources)
    hosts = {urlsplit(s.url).hostname or "" for s in declared}
    recorder = RunRecorder(str(settings.database.resolve()), settings.near_duplicate_threshold)
    try:
        if outstanding(server, keys) == 0 and not server.llen(keys.items):
            clear_frontier(server, keys)  # nothing unfinished: start afresh
        _recover(server, keys, recorder)
        _publish_known_pages(server, keys, page_digests(recorder.sink.db, hosts))
        with _crawl_processes(settings, sources, keys) as started:
            while any(child.poll() is None for child, _, _ in started):
                ingest(server, keys, recorder, wait_s=0.2)
            while ingest(server, keys, recorder):
                pass
            totals, failures = _process_figures(started)
        requeue_dead(server, keys)
        left = outstanding(server, keys)
    except BaseException:
        recorder.finish("stopped", [])
        raise
    counts = recorder.finish("finished" if left == 0 else "stopped",
                             [s.id for s in declared] if left == 0 else [])
    counts.update(totals)
    if left:
        raise CrawlError(f"crawl of {sources} stopped with {left} requests left in the "
                         f"frontier {keys.name} ({'; '.join(failures) or 'no process left'}); "
                         "run it again to go on")
    clear_frontier(server, keys)
    if failures:
        log.warning("crawl of %s: %d crawl processes died (%s); the others finished their work",
                    sources, len(failures), "; ".join(failures))
    return dict(counts)
