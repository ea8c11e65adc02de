"""`kepu bench score --workers 1,2`: posts/s of `kepu score` in this process and on Dask
workers, on the same posts in copies of one prepared database, in one run.

Workers 1 is the default path (score_posts in this process, the model on every core); N > 1 is
`kepu score --workers N` (a local cluster of N single-threaded worker processes, one writer).
Setting up (model loads, snapshot, cluster and Prefect API start) is timed apart from scoring.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from common.records import Flag, Post
from common.settings import Settings
from models.labelled_posts import synthetic_posts
from store import Database


@dataclass(frozen=True)
class ScoreBench:
    """One configuration: posts scored, flagged, seconds setting up and scoring."""

    workers: int
    posts: int
    flagged: int
    setup_s: float
    score_s: float
    total_s: float
    store_s: float | None = None  # the one writer's share (Dask runs: measured per partition)
    snapshot_mb: float | None = None

    @property
    def posts_per_s(self) -> float:
        return self.posts / self.score_s if self.score_s else 0.0

    def line(self) -> str:
        where = ("1 process (model threads: all cores)" if self.workers == 1 else
                 f"{self.workers} Dask workers x 1 thread")
        extra = ""
        if self.store_s is not None:
            extra = (f"; the writer stored {self.posts / self.store_s:.0f} flags/s "
                     f"({self.store_s:.1f} s of it); snapshot {self.snapshot_mb:.1f} MB")
        return (f"{where}: {self.posts_per_s:.1f} posts/s scoring ({self.posts} posts in "
                f"{self.score_s:.1f} s, {self.flagged} flagged); set-up {self.setup_s:.1f} s; "
                f"end to end {self.posts / self.total_s:.1f} posts/s{extra}")


def store_posts(db: Database, posts: Sequence[Post]) -> None:
    """Store posts as originals under bench URLs, in one transaction."""
    from store.posts import store_post

    with db.transaction() as conn:
        for post in posts:
            store_post(db, conn, post, f"https://bench.kepu.test/{post.id}")


def prepare(settings: Settings, posts: Sequence[Post]) -> None:
    """Claims, posts, and the flagger built once (vector cache, first classifier), so every
    configuration starts from the same state."""
    from kepu.screening.claims import ensure_claims
    from kepu.screening.scoring import build_flagger
    from pipeline.embedders import load_embedder

    ensure_claims(settings)
    with Database(settings.database) as db:
        store_posts(db, posts)
        build_flagger(settings, db, load_embedder(settings))


def writer_flags_per_s(settings: Settings, flags: Sequence[Flag]) -> float:
    """How fast the one writer stores flags alone (save_flags, all in one call) into a fresh
    copy of the prepared database: what caps the workers one writer can serve."""
    from store.flags import save_flags

    with Database(settings.database) as db:
        started = time.perf_counter()
        save_flags(db, flags, {}, "bench")
        return len(flags) / (time.perf_counter() - started)


def _in_process(settings: Settings, scored: list[Flag]) -> ScoreBench:
    from kepu.screening.scoring import score_posts
    from pipeline.embedders import load_embedder

    started = time.perf_counter()
    embedder = load_embedder(settings)
    with Database(settings.database) as db:
        ready = time.perf_counter()
        flags = score_posts(settings, db, embedder)
    done = time.perf_counter()
    scored.extend(flags)
    return ScoreBench(1, len(flags), sum(f.flagged for f in flags), ready - started,
                      done - ready, done - started)


def _on_dask(settings: Settings, workers: int) -> ScoreBench:
    from flows.dask_scoring import score_on_dask

    started = time.perf_counter()
    result = score_on_dask(settings, workers)
    total = time.perf_counter() - started
    return ScoreBench(workers, int(result["scored"]), int(result["flagged"]),
                      total - result["score_s"], result["score_s"], total,
                      result["store_s"], result["snapshot_mb"])


def bench_score(settings: Settings, workers: Sequence[int], count: int,
                workdir: Path | None = None) -> tuple[list[ScoreBench], float | None]:
    """Score `count` synthetic posts once per entry of `workers`, each on a fresh copy; with
    workers 1 among them, also time the writer alone on the flags it made (flags/s)."""
    tmp = workdir or Path(tempfile.mkdtemp(prefix="kepu-bench-score-"))
    base = settings.model_copy(update={"home": tmp, "db_path": tmp / "prepared.duckdb",
                                       "dask_address": None, "e5_graph_dir": settings.e5_graph})
    prepare(base, synthetic_posts(settings.data_dir, count))
    results, flags = [], []
    for n in [*workers, 0]:
        copy = tmp / f"workers-{n}.duckdb"
        shutil.copyfile(base.database, copy)
        run = base.model_copy(update={"db_path": copy})
        if n == 0:
            writer = writer_flags_per_s(run, flags) if flags else None
        else:
            results.append(_in_process(run, flags) if n == 1 else _on_dask(run, n))
        copy.unlink()
    return results, writer
