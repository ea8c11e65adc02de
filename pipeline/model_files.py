"""How the pipeline's small trained heads live on disk: float32 safetensors (never pickle) next
to a JSON card that says what they were trained on, for which embedder, with which figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file

from common.errors import ModelError

CARD = "card.json"


def write_model(directory: Path, weights_file: str, tensors: dict[str, np.ndarray],
                card: dict[str, Any]) -> Path:
    """Write the tensors (made C-contiguous float32: safetensors writes the raw buffer, so a
    transposed array would come back scrambled) and the card."""
    directory.mkdir(parents=True, exist_ok=True)
    save_file({name: np.ascontiguousarray(array, dtype=np.float32)
               for name, array in tensors.items()}, str(directory / weights_file))
    (directory / CARD).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
    return directory


def read_model(directory: Path, weights_file: str, what: str
               ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(card, tensors); a ModelError naming the directory when they are missing or unreadable."""
    weights, card_path = directory / weights_file, directory / CARD
    if not weights.exists() or not card_path.exists():
        raise ModelError(f"{directory}: no {what} here ({weights_file} + {CARD})")
    try:
        return json.loads(card_path.read_text(encoding="utf-8")), load_file(str(weights))
    except (OSError, ValueError, SafetensorError) as exc:  # a truncated or foreign file
        raise ModelError(f"{directory}: unreadable {what}: {exc}") from exc
