"""What runs on each Dask worker when posts are scored on a cluster: the model, loaded once per
worker by a worker plugin, and the Prefect task that scores one partition of posts with it.

The plugin carries the settings (no secrets) and the bytes of a scoring snapshot
(store.snapshot); on each worker, including one that joins or is restarted later, it writes
the snapshot to the worker's own folder, opens it read-only and builds the flagger the same way
`kepu score` does (`build_flagger`), with one model thread per worker thread.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin, get_worker
from prefect import task
from prefect.cache_policies import NONE

from common.records import Flag, Post
from common.settings import Settings

log = logging.getLogger(__name__)
PLUGIN = "kepu-flagger"


class FlaggerPlugin(WorkerPlugin):
    """Builds one flagger per worker from a scoring snapshot (see the module docstring)."""

    name = PLUGIN

    def __init__(self, settings: Settings, snapshot: bytes) -> None:
        self.settings = settings.without_secrets()
        self.snapshot = snapshot
        self.digest = hashlib.sha256(snapshot).hexdigest()[:16]
        self.flagger: Any = None

    def setup(self, worker: Any) -> None:
        from kepu.screening.scoring import build_flagger
        from pipeline.embedders import load_embedder
        from store import Database

        path = Path(worker.local_directory) / f"kepu-scoring-{self.digest}.duckdb"
        if not path.exists():
            path.write_bytes(self.snapshot)
        # one model thread: a worker's threads each run a partition (`dask worker --nthreads 1
        # --nworkers <cores>` is the layout the model wants)
        with Database(path, read_only=True) as db:
            self.flagger = build_flagger(self.settings, db, load_embedder(self.settings, 1))
        log.info("worker %s: flagger ready (snapshot %s)", worker.address, self.digest)

    def teardown(self, worker: Any) -> None:
        self.flagger = None


def worker_flagger(digest: str) -> Any:
    """This worker's flagger, built from the snapshot `digest` (an error if it is another)."""
    plugin = get_worker().plugins.get(PLUGIN)
    if plugin is None or plugin.flagger is None or plugin.digest != digest:
        found = getattr(plugin, "digest", None)
        raise RuntimeError(f"worker has no flagger for snapshot {digest} (has {found})")
    return plugin.flagger


@task(cache_policy=NONE, name="score-partition")
def score_partition(posts: Sequence[Post], digest: str) -> list[Flag]:
    """Flag one partition with this worker's flagger; nothing is stored here (one writer)."""
    return list(worker_flagger(digest).flag(list(posts)))
