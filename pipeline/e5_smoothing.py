"""Channel smoothing before int8: e5's LayerNorm outputs carry a few channels many times larger
than the rest, and one int8 scale per activation row then spends its range on those few.

Dividing each such channel by a scale and multiplying the matching rows of the weight matrices
by it leaves every float product as it was and evens the rows out (SmoothQuant, Xiao et al.,
2023). The scales come from each channel's largest magnitude on a fixed set of calibration
sentences (`e5_calibration.txt`, beside this module), the same sentences on every machine.
`kepu bench int8`: cosine to float32 0.9997 (0.9991 without), at the same speed. Only the
inputs the LayerNorms produce are smoothed: the FFN's second product, the remaining error, has
no such channels to move (docs/evaluation.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from common.errors import ModelError

if TYPE_CHECKING:
    import onnx

CALIBRATION_FILE = Path(__file__).with_name("e5_calibration.txt")
ALPHA = 0.8  # how much of each channel's peak moves into the weights (0: none, 1: all)
SMALLEST = 1e-5  # floor of a peak or a weight row's largest value: no division by zero


def calibration_texts(path: Path = CALIBRATION_FILE) -> list[str]:
    """The calibration sentences: one per line, blank lines and # comments skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: cannot read the int8 calibration sentences ({exc})") from exc
    texts = [text for text in map(str.strip, lines) if text and not text.startswith("#")]
    if not texts:
        raise ModelError(f"{path}: no calibration sentences (one per line)")
    return texts


def calibration_digest(texts: Sequence[str]) -> str:
    """Part of the int8 graph's stamp: other sentences, other scales, other vectors."""
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:16]


def layer_norm_inputs(model: onnx.ModelProto) -> dict[str, list[onnx.NodeProto]]:
    """Products by a constant matrix, grouped by their input when a LayerNormalization made it
    (e5's q, k and v share one; the FFN's first product has another)."""
    matrices = {t.name for t in model.graph.initializer if len(t.dims) == 2}
    made_by_norm = {out for node in model.graph.node if node.op_type == "LayerNormalization"
                    for out in node.output[:1]}
    users: dict[str, list[onnx.NodeProto]] = {}
    for node in model.graph.node:
        if (node.op_type == "MatMul" and node.input[1] in matrices
                and node.input[0] in made_by_norm):
            users.setdefault(node.input[0], []).append(node)
    return users


def channel_peaks(model: onnx.ModelProto, names: Sequence[str],
                  feeds: Iterable[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Each named tensor's largest magnitude per channel (last axis) over the feeds, from the
    float graph run with those tensors as extra outputs."""
    import onnx
    import onnxruntime
    from onnx import helper
    from onnxruntime.capi import onnxruntime_pybind11_state as ort_errors

    probe = onnx.ModelProto.FromString(model.SerializeToString())
    for name in names:
        probe.graph.output.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT,
                                                                None))
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    peaks: dict[str, np.ndarray] = {}
    try:
        session = onnxruntime.InferenceSession(probe.SerializeToString(), options,
                                               providers=["CPUExecutionProvider"])
        for feed in feeds:
            for name, value in zip(names, session.run(list(names), feed), strict=True):
                peak = np.abs(value).reshape(-1, value.shape[-1]).max(axis=0)
                peaks[name] = np.maximum(peaks[name], peak) if name in peaks else peak
    except (ort_errors.Fail, ort_errors.InvalidArgument, ort_errors.InvalidGraph,
            ort_errors.NotImplemented, ort_errors.RuntimeException) as exc:
        raise ValueError(f"the calibration run failed ({exc})") from exc
    if len(peaks) != len(names):
        raise ValueError("no calibration input reached the graph")
    return peaks


def smooth(model: onnx.ModelProto, peaks: dict[str, np.ndarray], alpha: float = ALPHA
           ) -> onnx.ModelProto:
    """`model` (changed in place and returned) with each input in `peaks` divided per channel by
    s = peak^alpha / weight_peak^(1 - alpha) before its products, and the matching weight rows
    multiplied by s: the same float function, flatter activation rows."""
    from onnx import numpy_helper

    graph = model.graph
    constants = {tensor.name: tensor for tensor in graph.initializer}
    users = {name: nodes for name, nodes in layer_norm_inputs(model).items() if name in peaks}
    replaced: set[str] = set()
    for source, nodes in users.items():
        weights = [numpy_helper.to_array(constants[n.input[1]]).astype(np.float32)
                   for n in nodes]
        weight_peak = np.max([np.abs(w).max(axis=1) for w in weights], axis=0)
        scale = (np.maximum(peaks[source], SMALLEST) ** alpha
                 / np.maximum(weight_peak, SMALLEST) ** (1 - alpha)).astype(np.float32)
        added = [numpy_helper.from_array(1.0 / scale, f"smooth/{source}/inv")]
        for node, matrix in zip(nodes, weights, strict=True):
            replaced.add(node.input[1])
            added.append(numpy_helper.from_array(matrix * scale[:, None],
                                                 f"smooth/{node.output[0]}/w"))
            node.input[:2] = [f"smooth/{source}/x", added[-1].name]
        clashes = {t.name for t in added} & set(constants)
        if clashes:
            raise ValueError(f"the graph already has tensors named {sorted(clashes)}")
        graph.initializer.extend(added)
    _insert_divisions(graph, list(users))
    still_read = {name for node in graph.node for name in node.input}
    kept = [t for t in graph.initializer if t.name not in replaced or t.name in still_read]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    return model


def _insert_divisions(graph: onnx.GraphProto, sources: list[str]) -> None:
    """Each source divided by its scales (`smooth/SOURCE/x`), placed before the first node that
    reads the divided copy, so the node list stays in topological order."""
    from onnx import helper

    order: list[onnx.NodeProto] = []
    pending = {f"smooth/{source}/x": source for source in sources}
    for node in graph.node:
        for name in node.input:
            if name in pending:
                source = pending.pop(name)
                order.append(helper.make_node("Mul", [source, f"smooth/{source}/inv"], [name]))
        order.append(node)
    del graph.node[:]
    graph.node.extend(order)


def smoothed(model: onnx.ModelProto, feeds: Callable[[], Iterable[dict[str, np.ndarray]]],
             alpha: float = ALPHA) -> onnx.ModelProto:
    """`model` smoothed on the peaks its LayerNorm inputs reach over `feeds()`."""
    names = list(layer_norm_inputs(model))
    if not names:
        return model
    return smooth(model, channel_peaks(model, names, feeds()), alpha)
