"""The int8 rewrite of a graph's matrix products, on a small graph built here: close to the
float products, and each row's result independent of the other rows."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

from pipeline.e5_quantise import int8_columns, per_row_int8

rng = np.random.default_rng(7)
WEIGHTS = rng.normal(size=(64, 32)).astype(np.float32)
BIAS = rng.normal(size=32).astype(np.float32)


def two_products() -> onnx.ModelProto:
    """x [batch, tokens, 64] -> (x @ W + b) and (x @ W) again, sharing the input: the rewrite
    quantises x once for both, as it does for e5's q, k and v."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "tokens", 64])
    outputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in ("y", "z")]
    nodes = [helper.make_node("MatMul", ["x", "w"], ["xw"], name="/first/MatMul"),
             helper.make_node("Add", ["xw", "b"], ["y"]),
             helper.make_node("MatMul", ["x", "w"], ["z"], name="/second/MatMul")]
    graph = helper.make_graph(nodes, "two-products", [x], outputs,
                              [numpy_helper.from_array(WEIGHTS, "w"),
                               numpy_helper.from_array(BIAS, "b")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def run(model: onnx.ModelProto, x: np.ndarray) -> list[np.ndarray]:
    session = onnxruntime.InferenceSession(model.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})


def test_int8_columns_keep_each_column_within_half_a_step():
    values, scales = int8_columns(WEIGHTS)
    assert values.dtype == np.int8 and scales.shape == (32,)
    assert np.abs(values).max() == 127
    error = np.abs(values * scales - WEIGHTS).max(axis=0)
    assert (error <= scales / 2 + 1e-7).all()


def test_products_are_close_to_float_and_rows_do_not_move_each_other():
    model = per_row_int8(two_products())
    assert {n.op_type for n in model.graph.node} >= {"MatMulIntegerToFloat", "QuantizeLinear"}
    assert "MatMul" not in {n.op_type for n in model.graph.node}
    assert sum(n.op_type == "QuantizeLinear" for n in model.graph.node) == 1  # one shared input
    # rows of very different sizes: one scale over the batch would crush the small ones
    x = rng.normal(size=(3, 5, 64)).astype(np.float32) * np.array([1e-3, 1.0, 300.0],
                                                                    np.float32)[:, None, None]
    y, z = run(model, x)
    exact = x @ WEIGHTS
    for got, want in ((y, exact + BIAS), (z, exact)):
        assert got.shape == want.shape
        rows, wanted = got.reshape(-1, 32), want.reshape(-1, 32)
        cosine = (rows * wanted).sum(1) / np.linalg.norm(rows, axis=1) / np.linalg.norm(
            wanted, axis=1)
        assert cosine.min() > 0.999, cosine.min()
    # the small-valued text alone gives what it gave beside the large ones
    alone, _ = run(model, x[:1])
    np.testing.assert_allclose(alone, y[:1], rtol=1e-6, atol=1e-9)


def test_a_graph_without_constant_products_is_refused():
    model = two_products()
    model.graph.node[0].input[1] = "x"  # not a constant matrix any more
    model.graph.node[2].input[1] = "x"
    with pytest.raises(ValueError, match="no MatMul"):
        per_row_int8(model)


def test_only_the_opsets_it_was_written_for_are_accepted():
    model = two_products()
    model.opset_import[0].version = 18  # ReduceMax takes its axes as an input from 18 on
    with pytest.raises(ValueError, match="opset"):
        per_row_int8(model)


def test_a_damaged_float_graph_is_refused_by_its_path(tmp_path):
    from common.errors import ModelError
    from pipeline.e5_quantise import quantise

    damaged = tmp_path / "model.onnx"
    damaged.write_bytes(b"\x0a\xff\xff half an export")
    with pytest.raises(ModelError, match="model.onnx: cannot quantise"):
        quantise(damaged, tmp_path / "int8", {"quantisation": "test"})
    assert not (tmp_path / "int8" / "model.onnx").exists()
