"""A head that reads the post text: TF-IDF character n-grams plus word n-grams.

Why: on Chinese Weibo posts the sentence-embedding head misses the surface cues (wording, names,
numbers) that rumour detectors live on; char n-grams catch them in both languages, word n-grams
add English phrases (Chinese has no spaces: its "words" are whole phrases, mostly under min_df). Logistic regression, Platt-calibrated on dev like the embedding heads.
Saved without pickle: vocabularies and settings as JSON, idf and weights as safetensors.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from common.errors import ModelError
from models.classifier import platt_scaling

KIND = "ngram"
CHAR = {"analyzer": "char_wb", "ngram_range": (1, 3)}
WORD = {"analyzer": "word", "ngram_range": (1, 2)}  # sklearn's tokens: 2+ word characters


def _vectorizer(spec: dict[str, object], **extra: object) -> TfidfVectorizer:
    return TfidfVectorizer(**spec, lowercase=True, sublinear_tf=True, dtype=np.float32,
                           **extra)  # type: ignore[arg-type]


def _frozen(spec: dict[str, object], vocabulary: dict[str, int], idf: np.ndarray
            ) -> TfidfVectorizer | None:
    """A vectorizer rebuilt from its saved vocabulary and idf (no refit, no pickle); None for
    an empty vocabulary."""
    if not vocabulary:
        return None
    vectorizer = _vectorizer(spec, vocabulary=vocabulary)
    vectorizer.idf_ = idf.astype(np.float32)
    return vectorizer


@dataclass(frozen=True)
class NgramHead:
    """p(pseudo-science) = sigmoid(scale * (x·w + b) + shift), x the L2-normalised TF-IDF of the
    post text (character n-grams, then word n-grams). It needs the text, not the vectors."""

    char_vocab: dict[str, int] = field(repr=False)
    char_idf: np.ndarray = field(repr=False)
    word_vocab: dict[str, int] = field(repr=False)
    word_idf: np.ndarray = field(repr=False)
    weights: np.ndarray = field(repr=False)
    bias: float
    version: str
    standalone: bool = False
    scale: float = 1.0
    shift: float = 0.0
    kind: str = KIND

    @cached_property
    def _vectorizers(self) -> tuple[TfidfVectorizer | None, TfidfVectorizer | None]:
        return (_frozen(CHAR, self.char_vocab, self.char_idf),
                _frozen(WORD, self.word_vocab, self.word_idf))

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        chars, words = self._vectorizers
        return _features(chars, words, texts)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Uncalibrated logits."""
        return np.asarray(self.features(texts) @ self.weights).ravel() + self.bias

    def predict_proba(self, vectors: np.ndarray | None = None,
                      texts: Sequence[str] | None = None) -> np.ndarray:
        """Calibrated probabilities of `texts` (the post's title and text); `vectors` are unused
        and accepted so that every head answers the same call."""
        if texts is None:
            raise ModelError(f"classifier {self.version}: an n-gram head needs the post texts "
                             "(predict_proba(vectors, texts=...))")
        z = self.scale * self.logits(texts) + self.shift
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def save(self, directory: Path, card: dict[str, object]) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        save_file({"char_idf": self.char_idf.astype(np.float32),
                   "word_idf": self.word_idf.astype(np.float32),
                   "weights": self.weights.astype(np.float32),
                   "bias": np.asarray([self.bias], dtype=np.float32),
                   "platt": np.asarray([self.scale, self.shift], dtype=np.float32)},
                  str(directory / "ngram.safetensors"))
        vocab = {"char": {**CHAR, "vocabulary": self.char_vocab},
                 "word": {**WORD, "vocabulary": self.word_vocab}}
        (directory / "vocabulary.json").write_text(json.dumps(vocab, ensure_ascii=False),
                                                   encoding="utf-8")
        card = {**card, "version": self.version, "standalone": self.standalone,
                "kind": self.kind, "embedder": None}
        (directory / "model_card.json").write_text(
            json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
        return directory


def _features(chars: TfidfVectorizer | None, words: TfidfVectorizer | None,
              texts: Sequence[str]) -> sparse.csr_matrix:
    parts = [v.transform(texts) for v in (chars, words) if v is not None]
    if not parts:
        return sparse.csr_matrix((len(texts), 0), dtype=np.float32)
    return normalize(sparse.hstack(parts).tocsr())


def _fit(spec: dict[str, object], texts: Sequence[str], min_df: int) -> TfidfVectorizer | None:
    try:
        return _vectorizer(spec, min_df=min_df).fit(texts)
    except ValueError:  # no n-gram reaches min_df (e.g. Chinese phrases are rarely repeated)
        return None


def load_ngram_head(directory: Path) -> NgramHead:
    """Load a head saved by `NgramHead.save`."""
    try:
        tensors = load_file(str(directory / "ngram.safetensors"))
        vocab = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
        card = json.loads((directory / "model_card.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{directory}: cannot load n-gram classifier: {exc}") from exc
    platt = tensors["platt"]
    return NgramHead(vocab["char"]["vocabulary"], tensors["char_idf"], vocab["word"]["vocabulary"],
                     tensors["word_idf"], tensors["weights"], float(tensors["bias"][0]),
                     card["version"], bool(card.get("standalone", False)), float(platt[0]),
                     float(platt[1]))


def train_ngram_head(texts: Sequence[str], labels: Sequence[int], c: float = 64.0,
                     min_df: int = 2, standalone: bool = False) -> NgramHead:
    """Fit the vocabularies (n-grams seen in at least `min_df` texts) and a class-balanced
    logistic regression on them."""
    y = np.asarray(labels)
    if len(set(y.tolist())) < 2:
        raise ModelError("training data needs both classes")
    chars, words = _fit(CHAR, texts, min_df), _fit(WORD, texts, min_df)
    if chars is None:
        raise ModelError(f"training data has no character n-gram in {min_df}+ texts")
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    model.fit(_features(chars, words, texts), y)
    version = datetime.now(UTC).strftime(f"{KIND}-%Y%m%dT%H%M%S%f")
    return NgramHead(*_vocab_idf(chars), *_vocab_idf(words), model.coef_[0].astype(np.float32),
                     float(model.intercept_[0]), version, standalone)


def _vocab_idf(vectorizer: TfidfVectorizer | None) -> tuple[dict[str, int], np.ndarray]:
    if vectorizer is None:
        return {}, np.zeros(0, dtype=np.float32)
    vocab = {term: int(index) for term, index in vectorizer.vocabulary_.items()}
    return vocab, vectorizer.idf_.astype(np.float32)


def calibrate_ngram(head: NgramHead, texts: Sequence[str], labels: Sequence[int]) -> NgramHead:
    """Platt scaling fitted on a dev split, as for the embedding heads."""
    scale, shift = platt_scaling(head.logits(texts), labels)
    return replace(head, scale=scale, shift=shift)
