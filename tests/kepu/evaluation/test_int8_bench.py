"""`kepu bench int8`'s figures: a comparison of two embedders on the bench's sentences (with the
hashing embedder and a noisy copy of it), then the command on the real e5 graphs."""

import numpy as np
import pytest
from typer.testing import CliRunner

from kepu.evaluation.int8_bench import bench_sentences, compare_runtimes
from pipeline.embedding import HashingEmbedder


class _Noisy(HashingEmbedder):
    """The hashing embedder with noise that depends on the text only (repeatable), or also on
    the batch (as onnxruntime's dynamic int8 did)."""

    def __init__(self, batch_dependent: bool) -> None:
        super().__init__()
        self.batch_dependent = batch_dependent

    def encode(self, texts, role="passage"):
        exact = super().encode(texts, role)
        rows = []
        for text, row in zip(texts, exact, strict=True):
            seed = hash((text, len(texts) if self.batch_dependent else 0)) % 2**32
            noisy = row + np.random.default_rng(seed).normal(scale=0.02, size=row.shape)
            rows.append(noisy / np.linalg.norm(noisy))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)


def test_distinct_bench_sentences_are_each_read_once(settings):
    texts = bench_sentences(settings.data_dir, 30)
    assert len(texts) == len(set(texts)) > 30


def test_the_comparison_sees_the_noise_and_whether_it_depends_on_the_batch(settings):
    texts = bench_sentences(settings.data_dir, 30)
    same = compare_runtimes(HashingEmbedder(), HashingEmbedder(), texts)
    assert same["cosine min"] == pytest.approx(1.0, abs=1e-6)
    repeatable = compare_runtimes(HashingEmbedder(), _Noisy(False), texts)
    assert 0.5 < repeatable["cosine min"] < repeatable["cosine mean"] < 0.9999
    assert repeatable["alone vs batched max difference"] < 1e-6
    assert compare_runtimes(HashingEmbedder(), _Noisy(True), texts)[
        "alone vs batched max difference"] > 1e-3
    assert repeatable["sentences"] == len(texts) and repeatable["int8 sentences/s"] > 0


@pytest.mark.e2e
def test_the_command_compares_the_real_int8_graph_with_float32(tmp_path, monkeypatch):
    import os
    from pathlib import Path

    from kepu.cli import app

    float_dir = Path(os.environ["KEPU_E5_GRAPH_DIR"])
    graph_dir = tmp_path / "graphs"
    graph_dir.mkdir()
    for name in ("model.onnx", "source.json"):  # reuse the session's float export
        (graph_dir / name).symlink_to(float_dir / name)
    monkeypatch.setenv("KEPU_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KEPU_E5_GRAPH_DIR", str(graph_dir))
    result = CliRunner().invoke(app, ["bench", "int8", "--posts", "10"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    cosine_min = float(text.split("cosine min ")[1].split(",")[0])
    assert 0.999 < cosine_min < 1.0
    assert float(text.split("alone vs batched max difference ")[1].split(",")[0]) < 1e-5
