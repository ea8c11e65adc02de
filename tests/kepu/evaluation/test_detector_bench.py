"""`kepu bench flag` with a detector: the flagger runs without it and with it on the same posts,
and the detector's own seconds are reported (the speed itself is a benchmark, not a test)."""

from dataclasses import replace

import numpy as np

from kepu.evaluation.flag_bench import bench_flag
from kepu.screening.claims import ensure_claims
from kepu.screening.scoring import build_flagger
from models.detector_training import fit_detector
from pipeline.embedders import load_embedder
from store import Database
from tests.pipeline.test_detector import THINGS, data


def test_bench_measures_the_flagger_with_and_without_the_detector(settings):
    ensure_claims(settings)
    embedder = load_embedder(settings)
    detector = fit_detector(data(THINGS[:9]), data(THINGS[9:]), embedder.name, "d")
    with Database(settings.database) as db:
        flagger = replace(build_flagger(settings, db, embedder), detector=detector)
        figures = bench_flag(settings, db, flagger, 250,
                             lambda texts: embedder.encode(texts, role="passage"))
    assert figures["without detector s"] > 0 and figures["pipeline s"] > 0
    assert 0 < figures["detector s"] < figures["pipeline s"]
    assert np.isclose(figures["time added by detector share"],
                      figures["pipeline s"] / figures["without detector s"] - 1)
    assert figures["flagged"] >= figures["without detector flagged"]  # it only adds flags
    assert flagger.detector is detector  # the bench timed a copy
