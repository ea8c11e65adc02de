"""`kepu crawl` prints the run's statistics as a table; `kepu import-posts` names bad lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from common.settings import PROJECT_ROOT
from kepu.cli import app
from tests.crawlers.hostile_site import serve_hostile


def _value(output: str, row: str) -> str:
    """The value column of a row in a rich table."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if cells[0] == row:
            return cells[-1]
    raise AssertionError(f"no row {row!r} in:\n{output}")


def test_crawl_command_prints_a_statistics_table(tmp_path, monkeypatch):
    monkeypatch.setenv("KEPU_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KEPU_ALLOW_PRIVATE_ADDRESSES", "true")
    with serve_hostile() as (base, _):
        sources = tmp_path / "s.jsonl"
        sources.write_text(json.dumps({"id": "p", "url": f"{base}/gbk.html", "kind": "page",
                                       "depth": 0}) + "\n")
        result = CliRunner().invoke(app, ["crawl", "--sources", str(sources)])
    assert result.exit_code == 0, result.output
    for row in ("pages", "changed", "unchanged", "duplicate", "errors"):
        _value(result.output, row)
    assert _value(result.output, "new") == "1" and _value(result.output, "errors") == "0"


def test_import_posts_reports_bad_line_and_is_idempotent(tmp_path):
    # A narrow terminal: the error must still be one line, whatever the length of the path.
    env = {**os.environ, "KEPU_HOME": str(tmp_path / "home"), "COLUMNS": "40"}
    dump = tmp_path / "dump.csv"
    dump.write_text("id,text,published\n1,hello world,2026-11-20\n2,,\n", encoding="utf-8")

    def kepu(*args):
        return subprocess.run([sys.executable, "-m", "kepu", "import-posts", *args],
                              capture_output=True, text=True, env=env, cwd=PROJECT_ROOT,
                              timeout=120)

    bad = kepu(str(dump), "--source-id", "x", "--platform", "weibo")
    assert bad.returncode == 2
    assert f"error: {dump}:3: empty 'text'" in bad.stdout.splitlines()
    assert "Traceback" not in bad.stdout + bad.stderr
    dump.write_text("id,text\n1,hello world\n", encoding="utf-8")
    ok = kepu(str(dump), "--source-id", "x", "--platform", "weibo")
    again = kepu(str(dump), "--source-id", "x", "--platform", "weibo")
    assert ok.returncode == 0 and _value(ok.stdout, "new") == "1"
    assert again.returncode == 0 and _value(again.stdout, "unchanged") == "1"
    assert _value(again.stdout, "new") == "0"
