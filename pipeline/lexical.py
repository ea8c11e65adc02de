"""Lexical retrieval: tokens (jieba words for Chinese, lower-cased words for English) and BM25.

Dense embeddings miss rare names and numbers; BM25 catches them, so the two are fused.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_URL = re.compile(r"https?://\S+|pic\.twitter\.com/\S+|@\w+")
_STOP_EN = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being "
    "it its this that these those i you he she we they me him her us them my your our their "
    "do does did not no so than then there here what which who whom how when where why can "
    "will would should could may might must have has had just also very more most some any "
    "all about into over after before up down out off again once only own same too s t".split())
_STOP_ZH = frozenset("的 了 是 在 和 就 都 也 而 及 与 着 或 一个 没有 我们 你们 他们 这 那 吗 呢 吧 啊 很 会 能 要 说".split())


def tokenize(text: str) -> list[str]:
    """Words for BM25: jieba segmentation inside CJK runs, lower-cased words elsewhere."""
    import jieba

    jieba.setLogLevel(30)
    text = _URL.sub(" ", text.lower())
    tokens: list[str] = []
    position = 0
    for run in _CJK_RUN.finditer(text):
        tokens += [w for w in _WORD.findall(text[position:run.start()]) if w not in _STOP_EN]
        tokens += [w for w in jieba.lcut(run.group(), HMM=False) if w not in _STOP_ZH]
        position = run.end()
    tokens += [w for w in _WORD.findall(text[position:]) if w not in _STOP_EN]
    return tokens


class BM25:
    """Okapi BM25 over a fixed document list (k1=1.2, b=0.75)."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.doc_freqs = [Counter(doc) for doc in documents]
        self.lengths = np.array([len(doc) for doc in documents], dtype=np.float32)
        self.avg_length = float(self.lengths.mean()) if len(documents) else 0.0
        df: Counter[str] = Counter()
        for freqs in self.doc_freqs:
            df.update(freqs.keys())
        n = len(documents)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, freqs in enumerate(self.doc_freqs):
            for term, count in freqs.items():
                self.postings.setdefault(term, []).append((i, count))

    def scores(self, query: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(self.doc_freqs), dtype=np.float32)
        if not len(out):
            return out
        norm = self.k1 * (1 - self.b + self.b * self.lengths / max(self.avg_length, 1e-9))
        for term in set(query):
            for i, tf in self.postings.get(term, ()):
                out[i] += self.idf[term] * tf * (self.k1 + 1) / (tf + norm[i])
        return out


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = 60) -> list[tuple[int, float]]:
    """Fuse several ranked lists of ids into one, best first (Cormack et al.'s RRF)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking):
            fused[doc] = fused.get(doc, 0.0) + 1.0 / (k + rank + 1)
    return sorted(fused.items(), key=lambda item: -item[1])
