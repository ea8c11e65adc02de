"""How much of the encoder a prefilter could save (`kepu bench prefilter`).

The encoder takes ~95% of `kepu flag`'s time. A cascade would give every sentence a cheap
look and e5 only the sentences that might match a claim. Two figures bound what it could win:

- the share of sentences whose e5 similarity comes within `margin` of their match threshold.
  No prefilter may skip those, so at margin 0 this is a perfect prefilter's share, and 1/share
  its largest speed-up;
- with a cheap encoder (e5 cut to its first layers), the share of sentences it must pass on to
  e5 to keep every e5 match of the development posts.

Window matches are left out: they only add sentences a prefilter must keep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from common.records import Post
from common.settings import Settings
from kepu.screening.scoring import claim_index
from models.labelled_posts import development_posts, synthetic_posts
from pipeline.embedding import Embedder
from pipeline.language import detect_lang
from pipeline.matching import ClaimIndex
from pipeline.sentences import post_sentences
from store import Database

MARGINS = (0.0, 0.02, 0.05, 0.08)


def best_similarities(index: ClaimIndex, vectors: np.ndarray) -> np.ndarray:
    """Each sentence's similarity to its closest claim wording (the index's top-1 search)."""
    _, sims = index.search(vectors, k=1)
    return sims[:, 0] if sims.shape[1] else np.zeros(len(vectors), dtype=np.float32)


def near_match_shares(best: np.ndarray, thresholds: np.ndarray,
                      margins: Sequence[float] = MARGINS) -> dict[float, float]:
    """Share of sentences within each margin of their match threshold (or above it)."""
    return {m: float(np.mean(best >= thresholds - m)) if len(best) else 0.0 for m in margins}


def full_recall_threshold(cheap_best: np.ndarray, matched: np.ndarray) -> float | None:
    """The highest cheap threshold that still passes every matched sentence (None: nothing
    matched, so the figures say nothing)."""
    return float(cheap_best[matched].min()) if matched.any() else None


@dataclass(frozen=True)
class SentenceSet:
    """Sentence occurrences of some posts, with their language and match threshold."""

    name: str
    posts: int
    sentences: list[str]
    langs: np.ndarray
    thresholds: np.ndarray


def sentence_set(name: str, posts: Sequence[Post], settings: Settings) -> SentenceSet:
    sentences = [s for p in posts for s in post_sentences(p.title, p.text)]
    langs = np.array([detect_lang(s) for s in sentences])
    thresholds = np.array([settings.match_threshold_for(lang) for lang in langs], np.float32)
    return SentenceSet(name, len(posts), sentences, langs, thresholds)


def occurrence_similarities(index: ClaimIndex, embedder: Embedder, sentences: list[str]
                            ) -> np.ndarray:
    """`best_similarities` per occurrence, encoding each distinct sentence once."""
    distinct = list(dict.fromkeys(sentences))
    best = dict(zip(distinct, best_similarities(index, embedder.encode(distinct, role="query")),
                    strict=True))
    return np.array([best[s] for s in sentences], dtype=np.float32)


@dataclass(frozen=True)
class NearMatches:
    """e5 on one sentence set: how many sentences match, and how many come near."""

    set_name: str
    encoder: str
    posts: int
    sentences: int
    matched: float
    near: dict[float, float]

    def line(self) -> str:
        shares = ", ".join(f"{m:.2f}: {share:.1%}" for m, share in self.near.items())
        perfect = self.near[0.0]
        saves = f"{1 / perfect:.1f}x" if perfect else "all"
        return (f"{self.set_name} ({self.posts} posts, {self.sentences} sentences, "
                f"{self.encoder}): {self.matched:.1%} match a claim; within a margin of the "
                f"threshold: {shares}; a perfect prefilter saves at most {saves} of the encoder")


@dataclass(frozen=True)
class CheapPass:
    """A cheap encoder as prefilter, at the threshold that keeps every development match."""

    set_name: str
    encoder: str
    lang: str
    sentences: int
    threshold: float
    passed: float
    recall: float

    def line(self) -> str:
        return (f"{self.set_name} {self.lang} ({self.sentences} sentences), prefilter "
                f"{self.encoder} at {self.threshold:.3f} (keeps every development match): passes "
                f"{self.passed:.1%} of sentences, keeps {self.recall:.1%} of matches")


def prefilter_bound(settings: Settings, db: Database, embedder: Embedder,
                    cheap: Sequence[Embedder], count: int) -> list[NearMatches | CheapPass]:
    """The bench's synthetic posts and the development posts: e5's near-match shares, then
    each cheap encoder's pass share at full development recall, per language."""
    sets = [sentence_set("bench", synthetic_posts(settings.data_dir, count), settings),
            sentence_set("development",
                         [p for p, _ in development_posts(settings.data_dir)], settings)]
    index = claim_index(db, embedder, settings.center_vectors, settings.ann_threshold)
    best = {s.name: occurrence_similarities(index, embedder, s.sentences) for s in sets}
    matched = {s.name: best[s.name] >= s.thresholds for s in sets}
    rows: list[NearMatches | CheapPass] = [
        NearMatches(s.name, embedder.name, s.posts, len(s.sentences),
                    float(matched[s.name].mean()) if s.sentences else 0.0,
                    near_match_shares(best[s.name], s.thresholds))
        for s in sets]
    dev = sets[1]
    for small in cheap:
        small_index = claim_index(db, small, settings.center_vectors, settings.ann_threshold)
        cheap_best = {s.name: occurrence_similarities(small_index, small, s.sentences)
                      for s in sets}
        for lang in sorted(set(dev.langs)):
            threshold = full_recall_threshold(cheap_best["development"][dev.langs == lang],
                                              matched["development"][dev.langs == lang])
            if threshold is None:
                continue
            for s in sets:
                mine = s.langs == lang
                if not mine.any():
                    continue
                passed = cheap_best[s.name][mine] >= threshold
                kept = passed[matched[s.name][mine]]
                rows.append(CheapPass(s.name, small.name, lang, int(mine.sum()), threshold,
                                      float(passed.mean()),
                                      float(kept.mean()) if len(kept) else 1.0))
    return rows
