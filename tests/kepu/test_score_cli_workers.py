"""`kepu score` as a user runs it: plain, it imports no Dask and starts nothing; with
--workers 2 it starts a local cluster (and one Prefect API for it), scores, and leaves no
process behind. Real subprocesses, a real DuckDB file, the hashing embedder."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psutil
import pytest

from common.settings import PROJECT_ROOT, load_settings
from kepu.evaluation.bench_score import prepare
from models.labelled_posts import synthetic_posts
from store import Database


def _env(home) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEPU_", "PREFECT_"))}
    path = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    return {**env, "PYTHONPATH": path, "KEPU_HOME": str(home), "KEPU_EMBEDDER": "hashing",
            "KEPU_CENTER_VECTORS": "false", "KEPU_MATCH_THRESHOLDS": '{"zh": 0.5, "en": 0.5}',
            "KEPU_DATASETS_DIR": str(home)}


@pytest.fixture
def prepared(tmp_path):
    home = tmp_path / "home"
    settings = load_settings(home=home, embedder="hashing", center_vectors=False,
                             match_thresholds={"zh": 0.5, "en": 0.5})
    prepare(settings, synthetic_posts(settings.data_dir, 80))
    return home, settings


_PLAIN = """
import sys
from typer.testing import CliRunner
from kepu.cli import app
result = CliRunner().invoke(app, ["score"])
loaded = sorted(m for m in ("dask", "distributed", "prefect_dask") if m in sys.modules)
print(result.exit_code, result.output.strip().splitlines()[-1], loaded)
"""


def test_plain_score_imports_no_dask(prepared):
    home, _ = prepared
    done = subprocess.run([sys.executable, "-c", _PLAIN], env=_env(home), cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().startswith("0 80 scored") and done.stdout.strip().endswith("[]")


@pytest.mark.e2e
def test_score_workers_2_scores_on_a_local_cluster_and_leaves_nothing_running(prepared):
    home, settings = prepared
    before = {p.pid for p in psutil.process_iter()}
    done = subprocess.run([sys.executable, "-m", "kepu", "score", "--workers", "2"],
                          env=_env(home), cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "80 scored" in done.stdout
    with Database(settings.database) as db:
        assert db.scalar("SELECT count(*) FROM flags") == 80
    left = [p for p in psutil.process_iter(["pid", "cmdline", "environ"])
            if p.pid not in before and str(home) in json.dumps(p.info.get("environ") or {})]
    assert left == []  # no worker, nanny or Prefect server outlives the command


def test_a_dask_address_nobody_answers_is_one_clear_error(prepared):
    home, _ = prepared
    env = {**_env(home), "KEPU_DASK_ADDRESS": "tcp://127.0.0.1:1"}
    done = subprocess.run([sys.executable, "-m", "kepu", "score"], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "KEPU_DASK_ADDRESS: no Dask scheduler answers at tcp://127.0.0.1:1" in done.stdout


def test_bench_worker_counts_are_checked():
    from common.errors import InputError
    from kepu.commands.scaling import parse_workers

    assert parse_workers("1,2") == [1, 2] and parse_workers(" 4 ") == [4]
    for bad in ("", "0,2", "two"):
        with pytest.raises(InputError, match="--workers"):
            parse_workers(bad)
