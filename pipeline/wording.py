"""The post's wording as stance evidence: character n-grams that debunks use and myths do not.

Debunks and myth posts about the same claim share its topic words but not their framing:
"doesn't", "no study shows", "别指望", "不是一回事" against "works every time", "赶紧试试",
"full stop". A linear model over TF-IDF character 1-3-grams (zh and en alike, no word
segmentation) reads that framing where the rule cues and the sentence vectors miss it. Its logit
is one input of the stance model's post head, which decides how far to trust it.

Stored as arrays (vocabulary, idf, weights), never pickled. Fitting lives in
`models.stance_training`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

NGRAMS = (1, 3)


def wording_vectorizer(vocabulary: Sequence[str] | None = None) -> TfidfVectorizer:
    """The one n-gram recipe used to fit and to apply (lower-cased, within word boundaries)."""
    return TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, min_df=2,
                           sublinear_tf=True, vocabulary=vocabulary)


@dataclass(frozen=True)
class WordingModel:
    vocabulary: tuple[str, ...]
    idf: np.ndarray        # (len(vocabulary),)
    weights: np.ndarray    # (len(vocabulary),) towards "debunks"
    intercept: float

    @cached_property
    def _vectorizer(self) -> TfidfVectorizer:
        vectorizer = wording_vectorizer(self.vocabulary)
        vectorizer.idf_ = np.asarray(self.idf, dtype=np.float64)
        return vectorizer

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """log-odds that each text debunks rather than asserts its claim."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        x = self._vectorizer.transform(list(texts))
        return (x @ np.asarray(self.weights, dtype=np.float64) + self.intercept).astype(np.float32)

