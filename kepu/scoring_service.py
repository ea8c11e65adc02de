"""Wire the store, the embedder and the classifier into the pure flagger (adapter)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from kepu.records import Flag, Post
from kepu.settings import Settings
from kepu.store import Database
from kepu.store.claims import cache_vectors, cached_vectors, claim_hash, current_claims
from kepu.store.flags import save_flags
from kepu.store.posts import load_posts
from models.registry import current_classifier
from pipeline.embedding import Embedder
from pipeline.flagger import Flagger
from pipeline.matching import ClaimIndex
from pipeline.scoring import ScoreWeights
from pipeline.usearch_index import UsearchSearch

log = logging.getLogger(__name__)


def claim_index(db: Database, embedder: Embedder, center: bool = False,
                ann_threshold: int = 20_000) -> ClaimIndex:
    """Current claims with vectors, embedding only those whose text changed (cache by hash)."""
    claims = current_claims(db)
    hashes = [claim_hash(c) for c in claims]
    cached = cached_vectors(db, embedder.name, hashes)
    todo = [i for i, h in enumerate(hashes) if h not in cached]
    if todo:
        fresh = embedder.encode([claims[i].text for i in todo], role="query")
        new = {hashes[i]: fresh[row] for row, i in enumerate(todo)}
        cache_vectors(db, embedder.name, new)
        cached.update(new)
    vectors = np.stack([cached[h] for h in hashes]) if claims else np.zeros((0, embedder.dim))
    return ClaimIndex(claims, vectors, center=center, ann_threshold=ann_threshold,
                      ann_factory=UsearchSearch)


def build_flagger(settings: Settings, db: Database, embedder: Embedder) -> Flagger:
    index = claim_index(db, embedder, settings.center_vectors, settings.ann_threshold)
    classifier = current_classifier(settings, db, embedder, index.claims)
    return Flagger(embedder, index, classifier, settings.match_threshold_for,
                   settings.threshold_for, ScoreWeights())


def score_posts(settings: Settings, db: Database, embedder: Embedder, rescore: bool = False,
                progress: Callable[[int], None] | None = None) -> list[Flag]:
    """Score unscored posts (all with `rescore`) and store their flags and matches."""
    flagger = build_flagger(settings, db, embedder)
    posts: list[Post] = load_posts(db, only_unscored=not rescore)
    versions = {c.id: c.version for c in flagger.index.claims}
    flags: list[Flag] = []
    for flag in flagger.flag(posts):
        flags.append(flag)
        if progress:
            progress(1)
    save_flags(db, flags, versions, flagger.classifier.version)
    log.info("scored %d posts, %d flagged", len(flags), sum(f.flagged for f in flags))
    return flags
