"""Match post sentences to reference claims: dense similarity fused with BM25.

Dense vectors find paraphrases and cross-language matches; BM25 catches rare names and numbers.
Exact numpy search below `ann_threshold` wordings (claim texts and their variants), an HNSW
index (usearch, injected) above it. A myth told as a story is often spread over two or three
sentences, none of which states it alone ("I had one slice of cake." "Ten minutes later he was
bouncing off the sofa."); windows of adjacent sentences, their vectors the mean of the
sentences' vectors (no extra encoding), are matched too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from common.records import Claim
from pipeline.claim_groups import match_key
from pipeline.lexical import BM25, reciprocal_rank_fusion, tokenize


@dataclass(frozen=True)
class SentenceHit:
    """The best claim for one sentence, or for a window of `span` adjacent sentences starting
    at `sentence_index`."""

    sentence_index: int
    claim: Claim
    similarity: float
    threshold: float = 0.0
    span: int = 1

    @property
    def last_index(self) -> int:
        return self.sentence_index + self.span - 1


def hit_text(sentences: Sequence[str], hit: SentenceHit) -> str:
    """The text that matched: one sentence, or a window's sentences joined."""
    return join_sentences(sentences[hit.sentence_index:hit.sentence_index + hit.span])


def hit_vector(vectors: np.ndarray, hit: SentenceHit) -> np.ndarray:
    """The vector that matched: one sentence's, or the normalised mean of a window's."""
    if hit.span == 1:
        return np.asarray(vectors[hit.sentence_index], dtype=np.float32)
    return window_vector(vectors, hit.sentence_index, hit.span)


def join_sentences(sentences: Sequence[str]) -> str:
    return " ".join(sentences)


def window_vector(vectors: np.ndarray, start: int, span: int) -> np.ndarray:
    mean = np.asarray(vectors[start:start + span], dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else mean


class VectorSearch(Protocol):
    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...


class ExactSearch:
    """Brute-force inner product: exact, and fast enough below ~100k vectors."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        sims = queries @ self.vectors.T
        k = min(k, sims.shape[1])
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1)
        return np.take_along_axis(top, order, axis=1), np.take_along_axis(top_sims, order, axis=1)


def language_balanced_mean(vectors: np.ndarray, langs: Sequence[str]) -> np.ndarray:
    """The mean of each language's mean vector, every language weighing the same.

    Why not the plain mean: each language has its own direction in e5's space. On a base mostly
    in one language the plain mean sits at that language, so centring leaves the other
    language's direction in every one of its texts and all of them look alike: with CLEF's
    10,375 English claims imported beside the bundled base, 85% of the Chinese off-topic
    development posts were flagged (docs/evaluation.md). On a base with both languages in equal
    parts (the bundled one) or with one language only, this is the plain mean."""
    groups = np.asarray(langs)
    return np.mean([vectors[groups == lang].mean(axis=0) for lang in sorted(set(langs))], axis=0)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


class ClaimIndex:
    """Claims with their vectors (and BM25 over their text) for hybrid search.

    A claim may have wording variants (how the myth circulates); each wording is a search row,
    and a claim's similarity to a sentence is that of its closest wording. With `center`, the
    claims' mean vector (`language_balanced_mean`) is subtracted from wordings and queries alike
    before renormalising: e5-style models put every text in a narrow cone (unrelated Chinese
    sentences score 0.9), and centring spreads related and unrelated pairs apart.
    """

    def __init__(self, claims: Sequence[Claim], vectors: np.ndarray, center: bool = False,
                 lexical: bool = True, ann_threshold: int = 20_000,
                 ann_factory: Callable[[np.ndarray], VectorSearch] | None = None,
                 variant_vectors: np.ndarray | None = None) -> None:
        """`vectors` holds one row per claim text; `variant_vectors` one row per variant, in
        claim order then `Claim.variants` order."""
        if len(claims) != len(vectors):
            raise ValueError("one vector per claim expected")
        self.claims = list(claims)
        raw = np.asarray(vectors, dtype=np.float32)
        self.raw = raw  # untransformed claim-text vectors, for comparisons outside the search
        self.mean = (language_balanced_mean(raw, [c.lang for c in self.claims])
                     if center and len(raw) else None)
        owners = [i for i, c in enumerate(self.claims) for _ in c.variants]
        if variant_vectors is None:
            variant_vectors = np.zeros((0, raw.shape[1] if raw.ndim == 2 else 0), np.float32)
        if len(owners) != len(variant_vectors):
            raise ValueError("one vector per claim variant expected")
        wordings = np.vstack([raw.reshape(len(raw), -1), np.asarray(variant_vectors, np.float32)])
        self.owner = np.array(list(range(len(self.claims))) + owners, dtype=np.int64)
        self._rows_of: list[list[int]] = [[i] for i in range(len(self.claims))]
        for row, claim in enumerate(owners, start=len(self.claims)):
            self._rows_of[claim].append(row)
        self.vectors = self.prepare(wordings)  # one prepared row per wording
        self.by_id = {c.id: c for c in self.claims}
        self.keys = [match_key(c) for c in self.claims]  # twins of one myth are not rivals
        self.position = {c.id: i for i, c in enumerate(self.claims)}
        self._fan_out = 1 + max((len(c.variants) for c in self.claims), default=0)
        use_ann = ann_factory is not None and len(self.vectors) >= ann_threshold
        self.dense: VectorSearch = (ann_factory(self.vectors) if use_ann and ann_factory
                                    else ExactSearch(self.vectors))
        texts = [c.text for c in self.claims] + [v for c in self.claims for v in c.variants]
        self.bm25 = BM25([tokenize(t) for t in texts]) if lexical else None

    def __len__(self) -> int:
        return len(self.claims)

    def prepare(self, vectors: np.ndarray) -> np.ndarray:
        """Apply the index's transform (centring, if any) to query vectors."""
        if self.mean is None:
            return np.asarray(vectors, dtype=np.float32)
        return _normalise(np.asarray(vectors, dtype=np.float32) - self.mean)

    def similarity(self, prepared_query: np.ndarray, claim: int) -> float:
        """Similarity of one prepared query row to claim `claim`: its closest wording."""
        return float((self.vectors[self._rows_of[claim]] @ prepared_query).max())

    def search(self, queries: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
        """Dense top-k (claim indices, similarities) per query row, best first."""
        if len(self.claims) == 0 or len(queries) == 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(int), empty
        rows, sims = self.dense.search(self.prepare(queries), k * self._fan_out)
        if self._fan_out == 1:
            return rows, sims
        keep = [self._best_per_claim(r, k) for r in rows]
        width = min(len(positions) for positions in keep)
        ids = np.array([self.owner[r[p[:width]]] for r, p in zip(rows, keep, strict=True)])
        best = np.array([s[p[:width]] for s, p in zip(sims, keep, strict=True)])
        return ids.reshape(len(rows), width), best.reshape(len(rows), width)

    def _best_per_claim(self, rows: Sequence[int], k: int) -> list[int]:
        """Positions in `rows` (wording rows, best first) of each claim's best wording, at most
        `k` claims."""
        seen: set[int] = set()
        keep: list[int] = []
        for position, row in enumerate(rows):
            claim = int(self.owner[row])
            if claim not in seen:
                seen.add(claim)
                keep.append(position)
                if len(keep) == k:
                    break
        return keep

    def lexical_rank(self, text: str, k: int = 10) -> list[int]:
        """BM25 top-k claim indices (best wording) with a positive score; empty without the
        lexical index."""
        if self.bm25 is None:
            return []
        scores = self.bm25.scores(tokenize(text))
        order = np.argsort(-scores)
        rows = order[scores[order] > 0].tolist()
        return [int(self.owner[rows[p]]) for p in self._best_per_claim(rows, k)]

    def rank(self, texts: Sequence[str], queries: np.ndarray, k: int = 10) -> list[list[int]]:
        """Fused (dense + BM25) ranking of claim indices per query, best first."""
        ids, _ = self.search(queries, k)
        return self.fuse(texts, ids, k)

    def fuse(self, texts: Sequence[str], dense_ids: np.ndarray, k: int) -> list[list[int]]:
        """Dense rankings (claim indices per text, best first) fused with BM25's, top `k`."""
        return [[doc for doc, _ in reciprocal_rank_fusion(
                    [dense_ids[row].tolist(), self.lexical_rank(text, k)])][:k]
                for row, text in enumerate(texts)]


@dataclass(frozen=True)
class MarginRule:
    """A second way for a sentence to state a claim: its similarity reaches `floor` (per
    sentence) and the claim leads every claim of another match key by at least `margin`. Why:
    on a real base the right claim is often clearly first without being very similar (a tweet
    quoting half a claim); a fixed threshold high enough to keep other posts out loses it."""

    floors: Sequence[float]
    margin: float


MARGIN_DEPTH = 10  # claims read per sentence for the margin to the best rival


def match_claims(index: ClaimIndex, sentence_vectors: np.ndarray,
                 thresholds: float | Sequence[float],
                 texts: Sequence[str] | None = None, k: int = 5,
                 margin: MarginRule | None = None) -> list[SentenceHit]:
    """For every sentence, its best claim whose dense similarity reaches the (per-sentence)
    threshold, or passes `margin`; with `texts`, candidates are ordered by the fused dense+BM25
    ranking."""
    if isinstance(thresholds, float | int):
        thresholds = [float(thresholds)] * len(sentence_vectors)
    if len(index) == 0 or len(sentence_vectors) == 0:
        return []
    prepared = index.prepare(sentence_vectors)
    depth = MARGIN_DEPTH if margin else (k if texts is not None else 1)
    dense_ids, dense_sims = index.search(sentence_vectors, depth)
    if texts is None:
        ranked = dense_ids[:, :1].tolist()
    else:
        ranked = index.fuse(texts, dense_ids[:, :k], k)
    hits = []
    for row, candidates in enumerate(ranked):
        for i in candidates:
            similarity = index.similarity(prepared[row], i)
            if similarity >= thresholds[row]:
                hits.append(SentenceHit(row, index.claims[i], similarity, float(thresholds[row])))
                break
            if margin and similarity >= margin.floors[row] and similarity - _rival(
                    index, i, dense_ids[row], dense_sims[row]) >= margin.margin:
                hits.append(SentenceHit(row, index.claims[i], similarity,
                                        float(margin.floors[row])))
                break
    return hits


def _rival(index: ClaimIndex, claim: int, ids: np.ndarray, sims: np.ndarray) -> float:
    """The best similarity among `ids` (best first) of a claim with another match key; the
    last one read when all share the key (a lower bound on the rival's distance)."""
    key = index.keys[claim]
    for i, similarity in zip(ids.tolist(), sims.tolist(), strict=True):
        if index.keys[i] != key:
            return float(similarity)
    return float(sims[-1]) if len(sims) else 0.0


def match_windows(index: ClaimIndex, sentences: Sequence[str], sentence_vectors: np.ndarray,
                  threshold_for: Callable[[str], float], taken: Sequence[SentenceHit] = (),
                  spans: Sequence[int] = (2, 3),
                  floor_for: Callable[[str], float] | None = None, margin: float = 0.0
                  ) -> list[SentenceHit]:
    """Hits of windows of `spans` adjacent sentences, for claims that no hit in `taken` (the
    sentence hits) has; each claim keeps its most similar window, and windows that overlap a
    kept one are dropped. `threshold_for(text)` is the threshold of a window's text (and
    `floor_for(text)` its floor for a match by `margin`, see `MarginRule`). Dense
    similarity only: BM25 over the windows' joined words changed no match on the development
    posts and costs a tokenisation per window."""
    starts = [(start, span) for span in spans for start in range(len(sentences) - span + 1)]
    if not starts:
        return []
    texts = [join_sentences(sentences[a:a + span]) for a, span in starts]
    vectors = np.stack([window_vector(sentence_vectors, a, span) for a, span in starts])
    rule = (MarginRule([floor_for(t) for t in texts], margin) if floor_for is not None else None)
    found = match_claims(index, vectors, [threshold_for(t) for t in texts], margin=rule)
    claimed = {h.claim.id for h in taken}
    kept: list[SentenceHit] = []
    used: set[int] = set()
    for hit in sorted(found, key=lambda h: -h.similarity):
        start, span = starts[hit.sentence_index]
        covered = set(range(start, start + span))
        if hit.claim.id in claimed or covered & used:
            continue
        claimed.add(hit.claim.id)
        used |= covered
        kept.append(SentenceHit(start, hit.claim, hit.similarity, hit.threshold, span))
    return sorted(kept, key=lambda h: (h.sentence_index, h.span))
