"""Channel smoothing before int8, on a small post-LayerNorm graph built here: the float function
does not change, the int8 products get closer to it, and bad calibration input is named."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

from common.errors import ModelError
from pipeline.e5_quantise import per_row_int8
from pipeline.e5_smoothing import (
    calibration_digest,
    calibration_texts,
    channel_peaks,
    layer_norm_inputs,
    smooth,
    smoothed,
)

rng = np.random.default_rng(11)
WIDTH = 48
# a few LayerNorm channels far larger than the rest, as in e5
GAMMA = np.ones(WIDTH, np.float32)
GAMMA[[3, 17]] = 40.0
WEIGHTS = rng.normal(size=(WIDTH, 16)).astype(np.float32)


def norm_then_products(with_norm: bool = True) -> onnx.ModelProto:
    """x -> LayerNorm -> (n @ W, n @ W + 1) and the residual n + x, as in a post-norm block:
    the products share the normalised input, which the residual also reads."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["rows", WIDTH])
    outputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, shape)
               for n, shape in (("y", ["rows", 16]), ("z", ["rows", 16]),
                                ("residual", ["rows", WIDTH]))]
    first = (helper.make_node("LayerNormalization", ["x", "gamma", "beta"], ["n"], axis=-1)
             if with_norm else helper.make_node("Mul", ["x", "gamma"], ["n"]))
    nodes = [first,
             helper.make_node("MatMul", ["n", "w"], ["y"], name="/q/MatMul"),
             helper.make_node("MatMul", ["n", "w"], ["zw"], name="/k/MatMul"),
             helper.make_node("Add", ["zw", "one"], ["z"]),
             helper.make_node("Add", ["n", "x"], ["residual"])]
    constants = [numpy_helper.from_array(GAMMA, "gamma"),
                 numpy_helper.from_array(np.zeros(WIDTH, np.float32), "beta"),
                 numpy_helper.from_array(WEIGHTS, "w"),
                 numpy_helper.from_array(np.array(1.0, np.float32), "one")]
    graph = helper.make_graph(nodes, "norm-then-products", [x], outputs, constants)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def run(model: onnx.ModelProto, x: np.ndarray) -> list[np.ndarray]:
    session = onnxruntime.InferenceSession(model.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})


def feeds(count: int = 4):
    return lambda: ({"x": rng.normal(size=(8, WIDTH)).astype(np.float32)} for _ in range(count))


def test_only_products_of_a_layer_norm_output_are_smoothed():
    assert {name: [n.name for n in nodes]
            for name, nodes in layer_norm_inputs(norm_then_products()).items()} == {
        "n": ["/q/MatMul", "/k/MatMul"]}
    plain = norm_then_products(with_norm=False)
    assert layer_norm_inputs(plain) == {}
    assert smoothed(plain, feeds()) is plain


def test_smoothing_keeps_the_float_function_and_brings_int8_closer():
    x = rng.normal(size=(32, WIDTH)).astype(np.float32)
    exact = run(norm_then_products(), x)
    model = smoothed(norm_then_products(), feeds())
    assert sum(n.op_type == "Mul" for n in model.graph.node) == 1  # one per shared input
    assert "w" not in {t.name for t in model.graph.initializer}  # replaced, not kept twice
    for got, want in zip(run(model, x), exact, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)

    def int8_error(graph: onnx.ModelProto) -> float:
        y = run(per_row_int8(graph), x)[0]
        return float(np.abs(y - exact[0]).mean())

    plain_error = int8_error(norm_then_products())
    smooth_error = int8_error(smoothed(norm_then_products(), feeds()))
    assert smooth_error < plain_error / 2, (smooth_error, plain_error)


def test_peaks_are_each_channels_largest_magnitude():
    batches = [{"x": rng.normal(size=(5, WIDTH)).astype(np.float32)} for _ in range(3)]
    peaks = channel_peaks(norm_then_products(), ["n"], batches)
    normalised = [run(norm_then_products(), b["x"])[2] - b["x"] for b in batches]
    np.testing.assert_allclose(peaks["n"], np.abs(np.concatenate(normalised)).max(axis=0),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="no calibration input"):
        channel_peaks(norm_then_products(), ["n"], [])


def test_scales_move_alpha_of_the_peak_into_the_weights():
    peaks = {"n": np.full(WIDTH, 4.0, np.float32)}

    def inverse(model: onnx.ModelProto) -> np.ndarray:
        return numpy_helper.to_array(next(t for t in model.graph.initializer
                                          if t.name.endswith("/inv")))

    np.testing.assert_allclose(inverse(smooth(norm_then_products(), peaks, alpha=1.0)), 0.25)
    # alpha 0.5: s = sqrt(peak / weight row peak)
    half = np.sqrt(4.0 / np.abs(WEIGHTS).max(axis=1))
    np.testing.assert_allclose(inverse(smooth(norm_then_products(), peaks, alpha=0.5)),
                               1 / half, rtol=1e-5)


def test_the_smoothed_graph_is_a_valid_sorted_model_that_reads_no_other_product():
    model = norm_then_products()
    # a product of the normalised input by another input (not a constant matrix)
    model.graph.node.append(helper.make_node("MatMul", ["n", "x_t"], ["gram"], name="/gram"))
    model.graph.input.append(helper.make_tensor_value_info("x_t", TensorProto.FLOAT,
                                                           [WIDTH, "rows"]))
    model.graph.output.append(helper.make_tensor_value_info("gram", TensorProto.FLOAT,
                                                            ["rows", "rows"]))
    batch = {"x": rng.normal(size=(8, WIDTH)).astype(np.float32),
             "x_t": rng.normal(size=(WIDTH, 8)).astype(np.float32)}
    model = smoothed(model, lambda: [batch])
    onnx.checker.check_model(model)  # node order included
    gram = next(n for n in model.graph.node if n.name == "/gram")
    assert list(gram.input) == ["n", "x_t"]


def test_a_failed_calibration_run_is_a_value_error():
    wrong_feed = [{"x": np.zeros((2, WIDTH + 1), np.float32)}]  # one channel too many
    with pytest.raises(ValueError, match="calibration run failed"):
        channel_peaks(norm_then_products(), ["n"], wrong_feed)


def test_the_shipped_calibration_sentences_cover_both_languages():
    texts = calibration_texts()
    assert len(texts) >= 40 and not any(t.startswith("#") for t in texts)
    assert any("\u4e00" <= ch <= "\u9fff" for t in texts for ch in t)
    assert any(t.isascii() for t in texts)
    assert calibration_digest(texts) != calibration_digest(texts[1:])


def test_unreadable_or_empty_calibration_files_are_named(tmp_path):
    missing = tmp_path / "missing.txt"
    with pytest.raises(ModelError, match="missing.txt: cannot read"):
        calibration_texts(missing)
    comments = tmp_path / "comments.txt"
    comments.write_text("# only a comment\n\n", encoding="utf-8")
    with pytest.raises(ModelError, match="comments.txt: no calibration sentences"):
        calibration_texts(comments)
