"""An int8 copy of the exported e5 graph: 1.6x as fast on 2 cores, vectors within cosine
~0.9997 of the float graph's, and a text's vector the same whatever is batched beside it.

Every weight matrix is stored as int8 with one scale per output column. Every activation row (one
token of one text) is quantised with its own scale, taken from that row's largest magnitude, so
nothing outside the row enters its arithmetic and the integer products are exact: a sentence
encoded alone or among others gets the same vector (float noise only). Why not onnxruntime's own
recipes: its dynamic quantisation takes one scale over the whole batch, so vectors moved with
their neighbours (cosine ~0.997) and a flag near a threshold need not repeat; fixed (static)
scales repeat but land at cosine ~0.978 (docs/evaluation.md has both). Before quantising, the
LayerNorm outputs are smoothed (`pipeline.e5_smoothing`): same float function, flatter rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from common.errors import ModelError
from pipeline.e5_export import ensure_graph, is_current, source_stamp, writing_graph
from pipeline.e5_model_file import E5ModelFile, InputEmbeddings
from pipeline.e5_smoothing import ALPHA, calibration_digest, calibration_texts, smoothed
from pipeline.e5_tokenizer import PREFIX, E5Tokenizer

if TYPE_CHECKING:
    import onnx

QUANTISATION = ("int8, one scale per activation row and per weight column; LayerNorm outputs "
                "smoothed")  # change with the recipe
LEVELS = 127.0  # symmetric int8 range used for both activations and weights
ACTIVATION_ZERO = 128  # activations are stored as uint8 around this zero point


def int8_stamp(model_file: E5ModelFile, layers: int | None = None) -> dict[str, object]:
    """What the int8 graph is made from; its kernels come with onnxruntime, so its version too."""
    import onnxruntime

    return {**source_stamp(model_file, layers), "quantisation": QUANTISATION,
            "smoothing": {"alpha": ALPHA, "calibration": calibration_digest(calibration_texts())},
            "onnxruntime": onnxruntime.__version__}


def vectors_id(name: str, stamp: dict[str, object]) -> str:
    """A cache key for the int8 vectors that changes whenever they may (weights, graph, recipe,
    onnxruntime)."""
    digest = hashlib.sha256(json.dumps(stamp, sort_keys=True).encode()).hexdigest()
    return f"{name}-int8-{digest[:12]}"


def ensure_int8_graph(model_file: E5ModelFile, graph_dir: Path, layers: int | None = None
                      ) -> tuple[Path, dict[str, object]]:
    """The int8 graph (in `graph_dir/int8`) and its stamp, quantising the float graph (exported
    first if needed) when the int8 one is missing or stale."""
    target, stamp = graph_dir / "int8", int8_stamp(model_file, layers)
    if not is_current(target, stamp):
        quantise(ensure_graph(model_file, graph_dir, layers), target, stamp,
                 lambda: calibration_feeds(model_file))
    return target / "model.onnx", stamp


def calibration_feeds(model_file: E5ModelFile) -> Iterator[dict[str, np.ndarray]]:
    """The graph's inputs for each calibration sentence, alone (no padding rows), read as a
    query as the flagger reads sentences."""
    inputs, shape = InputEmbeddings(model_file), model_file.shape
    texts = [PREFIX[True] + text for text in calibration_texts()]
    for content in E5Tokenizer(model_file).content_ids(texts):
        embeddings, mask = inputs.batch([[shape.bos, *content[:shape.max_positions - 2],
                                          shape.eos]])
        yield {"embeddings": embeddings, "mask": mask}


def quantise(float_graph: Path, out_dir: Path, stamp: dict[str, object],
             feeds: Callable[[], Iterable[dict[str, np.ndarray]]] | None = None) -> Path:
    """Write the int8 copy of `float_graph` and `stamp` into `out_dir`, atomically; with `feeds`
    (calibration inputs), its LayerNorm outputs are smoothed first."""
    import onnx
    from google.protobuf.message import DecodeError

    try:
        model = onnx.load(str(float_graph))
        model = per_row_int8(smoothed(model, feeds) if feeds is not None else model)
        with writing_graph(out_dir, stamp) as graph:
            onnx.save(model, str(graph))
    except OSError as exc:
        raise ModelError(f"{out_dir}: cannot write the int8 copy of {float_graph} ({exc}); set "
                         "KEPU_E5_GRAPH_DIR to a writable folder") from exc
    except (ValueError, KeyError, DecodeError) as exc:
        raise ModelError(f"{float_graph}: cannot quantise it to int8 ({exc})") from exc
    return out_dir / "model.onnx"


def int8_columns(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A [K, N] float matrix as int8 values and one float scale per column (N)."""
    scales = np.maximum(np.abs(weights).max(axis=0), 1e-12) / LEVELS
    values = np.clip(np.round(weights / scales), -LEVELS, LEVELS).astype(np.int8)
    return values, scales.astype(np.float32)


def per_row_int8(model: onnx.ModelProto) -> onnx.ModelProto:
    """`model` with every MatMul by a constant [K, N] matrix replaced by an integer product:
    the input's rows quantised each with its own scale (once per input, shared by the q, k and v
    products), onnxruntime's MatMulIntegerToFloat, then each row's scale multiplied back."""
    from onnx import helper, numpy_helper

    graph = model.graph
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    if opset < 13 or opset >= 18:
        raise ValueError(f"expected an opset from 13 to 17, got {opset}")
    constants = {tensor.name: tensor for tensor in graph.initializer}
    added = [numpy_helper.from_array(value, name) for name, value in (
        ("int8/tiny", np.array(1e-12, np.float32)), ("int8/levels", np.array(LEVELS, np.float32)),
        ("int8/zero", np.array(ACTIVATION_ZERO, np.uint8)),
        ("int8/one", np.array(1.0, np.float32)), ("int8/axis1", np.array([1], np.int64)),
        ("int8/first", np.array([0], np.int64)), ("int8/last", np.array([-1], np.int64)))]
    nodes: list[onnx.NodeProto] = []
    rows_of: dict[str, str] = {}  # float input -> prefix of its quantised rows
    replaced: set[str] = set()
    for node in graph.node:
        weight = constants.get(node.input[1]) if node.op_type == "MatMul" else None
        if weight is None or len(weight.dims) != 2:
            nodes.append(node)
            continue
        values, scales = int8_columns(numpy_helper.to_array(weight).astype(np.float32))
        columns = values.shape[1]
        name = f"int8{node.name}" if node.name else f"int8/{len(replaced)}"
        added += [numpy_helper.from_array(values, f"{name}/w"),
                  numpy_helper.from_array(scales, f"{name}/w_scale"),
                  numpy_helper.from_array(np.array([columns], np.int64), f"{name}/width")]
        replaced.add(weight.name)
        source = node.input[0]
        if source not in rows_of:
            rows_of[source] = prefix = f"int8/rows{len(rows_of)}"
            added.append(numpy_helper.from_array(np.array([-1, values.shape[0]], np.int64),
                                                 f"{prefix}/flat"))
            nodes += _quantised_rows(source, prefix)
        prefix = rows_of[source]
        nodes += [
            helper.make_node("MatMulIntegerToFloat", [f"{prefix}/q", f"{name}/w", "int8/one",
                             f"{name}/w_scale", "int8/zero"], [f"{name}/y"],
                             domain="com.microsoft"),
            helper.make_node("Mul", [f"{name}/y", f"{prefix}/row_scale"], [f"{name}/scaled"]),
            helper.make_node("Concat", [f"{prefix}/lead", f"{name}/width"], [f"{name}/shape"],
                             axis=0),
            helper.make_node("Reshape", [f"{name}/scaled", f"{name}/shape"], [node.output[0]]),
        ]
    if not replaced:
        raise ValueError("no MatMul by a constant matrix to quantise")
    del graph.node[:]
    graph.node.extend(nodes)
    kept = [tensor for tensor in graph.initializer if tensor.name not in replaced]
    del graph.initializer[:]
    graph.initializer.extend(kept + added)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model


def _quantised_rows(source: str, prefix: str) -> list[onnx.NodeProto]:
    """Nodes that flatten `source` to [rows, K] and quantise each row with its own scale
    (largest magnitude / 127) to uint8 around 128 (`prefix/q`, `prefix/row_scale` [rows, 1]),
    and keep its leading dimensions (`prefix/lead`) to reshape the products back."""
    from onnx import helper

    p = prefix
    return [
        helper.make_node("Reshape", [source, f"{p}/flat"], [f"{p}/x"]),
        helper.make_node("Abs", [f"{p}/x"], [f"{p}/abs"]),
        helper.make_node("ReduceMax", [f"{p}/abs"], [f"{p}/peak"], axes=[1], keepdims=0),
        helper.make_node("Max", [f"{p}/peak", "int8/tiny"], [f"{p}/peak_"]),
        helper.make_node("Div", [f"{p}/peak_", "int8/levels"], [f"{p}/scale"]),
        helper.make_node("Shape", [f"{p}/scale"], [f"{p}/count"]),
        helper.make_node("Expand", ["int8/zero", f"{p}/count"], [f"{p}/zeros"]),
        helper.make_node("QuantizeLinear", [f"{p}/x", f"{p}/scale", f"{p}/zeros"], [f"{p}/q"],
                         axis=0),
        helper.make_node("Unsqueeze", [f"{p}/scale", "int8/axis1"], [f"{p}/row_scale"]),
        helper.make_node("Shape", [source], [f"{p}/shape"]),
        helper.make_node("Slice", [f"{p}/shape", "int8/first", "int8/last"], [f"{p}/lead"]),
    ]
