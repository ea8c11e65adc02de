"""The `kepu` command as a user runs it: a subprocess, real model, real DuckDB file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from common.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def _kepu(home, *args):
    env = {**os.environ, "KEPU_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "kepu", *args], capture_output=True, text=True,
                          env=env, cwd=PROJECT_ROOT, timeout=600)


def test_claims_import_bad_file_stores_nothing(tmp_path):
    good = (PROJECT_ROOT / "data" / "claims" / "claims.jsonl").read_text(encoding="utf-8")
    lines = good.splitlines()[:3]
    bad = json.loads(lines[2])
    bad["verdict"] = "perhaps"
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join([*lines[:2], json.dumps(bad, ensure_ascii=False)]) + "\n")
    done = _kepu(tmp_path / "home", "claims", "import", str(path))
    assert done.returncode == 2
    assert f"{path}:3" in done.stdout and "verdict" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    ok = _kepu(tmp_path / "home", "claims", "import", str(PROJECT_ROOT / "data" / "claims" / "claims.jsonl"))
    assert ok.returncode == 0 and '"new": ' in ok.stdout


def test_flag_writes_one_line_per_post(tmp_path):
    posts = [
        {"id": "zh-myth", "title": "紧急提醒", "text": "隔夜菜放了一晚上就会产生大量亚硝酸盐，吃了一定会得癌症，赶紧倒掉！"},
        {"id": "en-debunk", "text": "It is a myth that vaccines cause autism. Studies of millions "
         "of children found no link between vaccines and autism."},
        {"id": "off", "text": "Our team won the football match on Sunday after a late goal.",
         "lang": "en", "url": "http://example.test/x"},
    ]
    src = tmp_path / "posts.jsonl"
    src.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in posts) + "\n")
    out = tmp_path / "flags.jsonl"
    done = _kepu(tmp_path / "home", "flag", "--input", str(src), "--output", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(rows) == {"zh-myth", "en-debunk", "off"}
    for row in rows.values():
        assert set(row) >= {"id", "flagged", "score", "stance", "matches", "reason"}
        assert 0.0 <= row["score"] <= 1.0
    assert rows["zh-myth"]["flagged"] and rows["zh-myth"]["stance"] == "asserts"
    assert rows["zh-myth"]["matches"][0]["claim_id"].startswith("kc-001")
    assert not rows["en-debunk"]["flagged"] and rows["en-debunk"]["stance"] == "debunks"
    assert not rows["off"]["flagged"] and rows["off"]["matches"] == []
