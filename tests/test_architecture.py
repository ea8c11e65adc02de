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
    "pipeline/eval_data.py", "pipeline/match_verifier.py", "models/verifier_training.py",
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


# The layers, lowest first: a module imports only from its own layer or the ones below. The
# shared vocabulary (common) is the ground; the CLI (kepu itself: cli, commands, demo) the top.
LAYERS = (
    "common", "store", "pipeline", "crawlers", "models", "review_queue",
    "kepu.screening", "kepu.reviewing", "kepu.research", "flows", "kepu.evaluation", "kepu",
)
PACKAGES = sorted({layer.split(".")[0] for layer in LAYERS})


def _module_files() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _import_graph() -> dict[str, set[str]]:
    """Module -> project modules it imports, function-level imports included."""
    modules = _module_files()

    def ours(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                assert not node.level, f"{path}:{node.lineno}: relative import"
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            graph[name] |= {t for t in map(ours, targets) if t and t != name}
    return graph


def _layer(module: str) -> int:
    """Index of the most specific layer holding `module` (kepu.screening before kepu)."""
    holding = [layer for layer in LAYERS if module == layer or module.startswith(layer + ".")]
    return LAYERS.index(max(holding, key=len))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle():
    assert _cycles(_import_graph()) == []


def test_the_shared_vocabulary_imports_nothing_else_of_ours():
    graph = _import_graph()
    outside = {f"{m} -> {t}" for m, ts in graph.items() if m.startswith("common")
               for t in ts if not t.startswith("common")}
    assert len([m for m in graph if m.startswith("common.")]) >= 4
    assert not outside


def test_every_import_points_to_the_same_layer_or_below():
    graph = _import_graph()
    upward = sorted(f"{m} -> {t}" for m, ts in graph.items() for t in ts
                    if _layer(t) > _layer(m))
    assert not upward, "imports that climb a layer:\n" + "\n".join(upward)
    assert _layer("kepu.screening.scoring") < _layer("kepu.evaluation.flag_bench") < _layer("kepu.cli")
