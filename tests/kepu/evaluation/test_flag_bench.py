"""`kepu bench flag`'s figures, on a few posts with the hashing embedder (the speed itself is a
benchmark, not a test)."""

import numpy as np

from kepu.evaluation.flag_bench import bench_flag
from kepu.screening.claims import ensure_claims
from kepu.screening.scoring import build_flagger
from pipeline.embedders import load_embedder
from store import Database


def test_bench_reports_both_runs_and_the_encoder_share(settings):
    ensure_claims(settings)
    embedder = load_embedder(settings)
    with Database(settings.database) as db:
        flagger = build_flagger(settings, db, embedder)
        figures = bench_flag(settings, db, flagger, 12,
                             lambda texts: embedder.encode(texts, role="passage"))
    assert figures["posts"] == 12
    assert figures["pipeline posts/s"] > 0 and figures["naive posts/s"] > 0
    assert 12 <= figures["sentences"] < 12 * 20  # every post, sentence by sentence
    # a sentence repeated within a batch is encoded once
    assert 0 < figures["sentences encoded"] <= figures["sentences"]
    assert 0.0 < figures["encoder share"] < 1.0
    assert np.isclose(figures["encoder share"], figures["encoder s"] / figures["pipeline s"])
    assert flagger.embedder is embedder  # the bench timed a copy, not the caller's flagger


class _CountingVerifier:
    """Says yes to every pair (a stand-in for the cross-encoder, which has its own tests)."""

    def __init__(self) -> None:
        self.calls = 0

    def logits(self, pairs):
        self.calls += 1
        return np.ones(len(pairs), dtype=np.float32)


def test_bench_reports_the_verifiers_share_when_one_is_set(settings):
    from dataclasses import replace

    from pipeline.match_verifier import VerifierPolicy

    ensure_claims(settings)
    embedder = load_embedder(settings)
    verifier = _CountingVerifier()
    with Database(settings.database) as db:
        flagger = replace(build_flagger(settings, db, embedder), verifier=verifier,
                          verifier_policy=VerifierPolicy(-1.0, 0.0))
        figures = bench_flag(settings, db, flagger, 12,
                             lambda texts: embedder.encode(texts, role="passage"))
        without = bench_flag(settings, db, replace(flagger, verifier=None), 4,
                             lambda texts: embedder.encode(texts, role="passage"))
    assert verifier.calls > 0 and figures["verifier pairs"] >= 12  # every post reads claims
    assert 0.0 < figures["verifier share"] < 1.0
    assert "verifier share" not in without
