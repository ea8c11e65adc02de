"""An int8 copy of the exported e5 graph: faster on 2 cores, vectors only close to the float ones.

onnxruntime's dynamic quantisation: matrix weights stored as int8 with one scale per output
channel, activations quantised batch by batch. Vectors land within cosine ~0.99 of the float
graph's, close enough for the heads fitted on float vectors to still apply but not to give the
same flags everywhere (README has the figures), so it is an opt-in trade
(`e5_runtime = "onnx-int8"`). Because the activation scale is taken over the whole batch, a
sentence's vector also moves slightly with the sentences batched beside it (cosine ~0.997): a flag
near the threshold may not repeat. Fixed (static) scales would repeat but land at cosine ~0.978. `reduce_range` (7-bit weights, advised for CPUs without VNNI) was
tried on this machine: no closer to float (cosine 0.9967 against 0.9962 on average), slower.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path

from common.errors import ModelError
from pipeline.e5_export import ensure_graph, is_current, source_stamp, writing_graph
from pipeline.e5_model_file import E5ModelFile

QUANTISATION = "dynamic int8, per-channel weights"  # change when the recipe below changes


def int8_stamp(model_file: E5ModelFile, layers: int | None = None) -> dict[str, object]:
    """What the int8 graph is made from; its kernels come with onnxruntime, so its version too."""
    import onnxruntime

    return {**source_stamp(model_file, layers), "quantisation": QUANTISATION,
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
        quantise(ensure_graph(model_file, graph_dir, layers), target, stamp)
    return target / "model.onnx", stamp


def quantise(float_graph: Path, out_dir: Path, stamp: dict[str, object]) -> Path:
    """Write the int8 copy of `float_graph` and `stamp` into `out_dir`, atomically."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    try:
        with writing_graph(out_dir, stamp) as graph, _without_preprocessing_advice():
            quantize_dynamic(str(float_graph), str(graph), weight_type=QuantType.QInt8,
                             per_channel=True)
    except OSError as exc:
        raise ModelError(f"{out_dir}: cannot write the int8 copy of {float_graph} ({exc}); set "
                         "KEPU_E5_GRAPH_DIR to a writable folder") from exc
    except (RuntimeError, ValueError) as exc:
        raise ModelError(f"{float_graph}: cannot quantise it to int8 ({exc})") from exc
    return out_dir / "model.onnx"


class _PreprocessingAdvice(logging.Filter):
    """quantize_dynamic advises, at WARNING on the root logger, a pre-processing step that
    changes nothing for this graph; drop that one message, nothing else."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


@contextlib.contextmanager
def _without_preprocessing_advice() -> Iterator[None]:
    root, advice = logging.getLogger(), _PreprocessingAdvice()
    root.addFilter(advice)
    try:
        yield
    finally:
        root.removeFilter(advice)
