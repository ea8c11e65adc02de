"""`kepu score --workers N` / KEPU_DASK_ADDRESS: scoring on a Dask cluster through Prefect
(prefect-dask's DaskTaskRunner). Imported only on that path: plain `kepu score` imports no Dask.

This process is the driver and the one writer: it holds the DuckDB file, builds the flagger
once as `kepu score` does (so the vector cache and a first classifier are written here, by the
writer), ships a read-only snapshot of what scoring reads to the workers (each loads the model
once, flows.score_workers), cuts the posts into partitions of score_partition_posts, and stores
each partition's flags as it arrives (save_flags: one transaction, one row per post). A worker
lost mid-partition has that partition scored again elsewhere by Dask; storing it is an upsert,
so a partition scored or stored twice still leaves each flag once.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.context import FlowRunContext
from prefect.futures import as_completed
from prefect_dask import DaskTaskRunner

from common.errors import InputError
from common.records import Post
from common.settings import Settings
from flows.score_workers import PLUGIN, FlaggerPlugin, score_partition

log = logging.getLogger(__name__)


def partitions(posts: list[Post], size: int) -> list[list[Post]]:
    """Consecutive slices of at most `size` posts."""
    return [posts[start:start + size] for start in range(0, len(posts), size)]


def task_runner(settings: Settings, workers: int | None) -> DaskTaskRunner:
    """Join settings.dask_address, else start a local cluster of `workers` single-threaded
    worker processes (one per core is what the model wants)."""
    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(cluster_kwargs={
        "n_workers": workers or 1, "threads_per_worker": 1, "processes": True,
        "dashboard_address": None, "silence_logs": logging.WARNING})


@contextmanager
def prefect_api() -> Iterator[None]:
    """A Prefect API the workers share. Prefect's default (no PREFECT_API_URL) starts a
    temporary server in each process that runs a task, i.e. one per Dask worker; this starts
    one here and hands its URL to the workers. With PREFECT_API_URL set (a real server, which
    remote workers need), that one is used."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if get_current_settings().api.url:
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start(timeout=get_current_settings().server.ephemeral.startup_timeout_seconds)
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield
    finally:
        server.stop()


def _prepare(settings: Settings, db: Any) -> tuple[bytes, dict[str, int], str]:
    """Build the flagger here once (its writes land in the real file), then the snapshot."""
    from kepu.screening.scoring import build_flagger
    from pipeline.embedders import load_embedder
    from store.snapshot import write_scoring_snapshot

    flagger = build_flagger(settings, db, load_embedder(settings))
    versions = {c.id: c.version for c in flagger.index.claims}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scoring.duckdb"
        write_scoring_snapshot(db, path)
        return path.read_bytes(), versions, flagger.classifier.version


@flow(name="score-on-dask")
def score_on_dask_flow(settings: Settings, rescore: bool = False) -> dict[str, float]:
    """Score unscored posts (all with `rescore`) on the Dask workers; store flags here."""
    from kepu.screening.scoring import posts_to_score
    from store import Database
    from store.flags import save_flags

    started = time.perf_counter()
    client = FlowRunContext.get().task_runner.client  # type: ignore[union-attr]
    with Database(settings.database) as db:
        posts = posts_to_score(db, rescore)
        if not posts:
            return {"scored": 0, "flagged": 0}
        snapshot, versions, model_version = _prepare(settings, db)
        plugin = FlaggerPlugin(settings, snapshot)
        client.register_plugin(plugin, name=PLUGIN)  # every worker loads the model, once
        workers = len(client.scheduler_info(n_workers=-1)["workers"])
        ready = time.perf_counter()
        parts = partitions(posts, settings.score_partition_posts)
        futures = [score_partition.submit(part, plugin.digest) for part in parts]
        flagged, storing = 0, 0.0
        for future in as_completed(futures):
            flags = future.result()
            stored = time.perf_counter()
            save_flags(db, flags, versions, model_version)
            storing += time.perf_counter() - stored
            flagged += sum(f.flagged for f in flags)
    done = time.perf_counter()
    log.info("scored %d posts on %d Dask workers, %d flagged", len(posts), workers, flagged)
    return {"scored": len(posts), "flagged": flagged, "workers": workers,
            "partitions": len(parts), "setup_s": ready - started, "score_s": done - ready,
            "store_s": storing, "snapshot_mb": len(snapshot) / 1e6}


def check_scheduler(address: str, timeout_s: float = 10.0) -> None:
    """A clear error naming KEPU_DASK_ADDRESS when nothing answers there."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        with socket.create_connection((parts.hostname or "", parts.port or 8786), timeout_s):
            pass
    except (OSError, ValueError) as exc:
        raise InputError("KEPU_DASK_ADDRESS", f"no Dask scheduler answers at {address} "
                         f"({exc})") from exc


def score_on_dask(settings: Settings, workers: int | None, rescore: bool = False
                  ) -> dict[str, float]:
    """Run the flow on a local cluster of `workers` processes, or on settings.dask_address."""
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if settings.dask_address:
        check_scheduler(settings.dask_address)
    runner = task_runner(settings, workers)
    with prefect_api():
        return score_on_dask_flow.with_options(task_runner=runner)(
            settings.without_secrets(), rescore)
