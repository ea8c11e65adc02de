"""House rules that a test can check: pure modules import no adapters; every command has help."""

import ast
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kepu.cli import app

ROOT = Path(__file__).resolve().parents[1]
PURE = [
    "pipeline/sentences.py", "pipeline/language.py", "pipeline/embedding.py",
    "pipeline/matching.py", "pipeline/stance.py", "pipeline/scoring.py", "pipeline/flagger.py",
    "pipeline/claims_file.py", "pipeline/posts_file.py", "pipeline/jsonlines.py", "review_queue/panels.py",
    "review_queue/priority.py", "review_queue/queue.py", "review_queue/rules.py",
    "review_queue/rounds.py", "review_queue/backend.py", "review_queue/integrity.py",
    "store/audit_chain.py", "flows/weeks.py", "crawlers/urls.py",
    "flows/narratives.py", "flows/pseudonyms.py", "flows/report_figures.py",
    "flows/report_labels.py", "flows/report_summary.py", "flows/report_sparkline.py",
    "crawlers/sources.py", "crawlers/encoding.py", "crawlers/neardup.py", "crawlers/dumps.py",
    "crawlers/schedule.py", "kepu/evaluation/bench_site.py", "crawlers/extract.py",
    "models/bootstrap.py", "common/records.py",
    "models/datasets.py", "models/metrics.py", "models/gate.py", "models/active.py",
    "models/expert.py", "models/training.py", "models/vectors.py", "models/classifier.py",
    "models/ngram.py", "models/stance_training.py", "pipeline/stance_model.py",
    "pipeline/eval_data.py",
]
ADAPTERS = {"duckdb", "scrapy", "label_studio_sdk", "prefect", "twisted"}


@pytest.mark.parametrize("module", PURE)
def test_pure_module_imports_no_adapter(module):
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & ADAPTERS, f"{module} imports {imported & ADAPTERS}"
    assert "store" not in {getattr(n, "module", "") for n in ast.walk(tree)}


def _commands(typer_app, prefix=()):
    import typer.main

    group = typer.main.get_command(typer_app)
    stack = [(prefix, group)]
    while stack:
        path, cmd = stack.pop()
        sub = getattr(cmd, "commands", None)
        if sub:
            stack.extend((path + (name,), c) for name, c in sub.items())
        else:
            yield path, cmd


def test_every_command_has_help_with_an_example():
    commands = list(_commands(app))
    assert len(commands) >= 6
    for path, cmd in commands:
        assert cmd.help and "Example: kepu" in cmd.help, f"kepu {' '.join(path)} lacks help"
        result = CliRunner().invoke(app, [*path, "--help"])
        assert result.exit_code == 0
