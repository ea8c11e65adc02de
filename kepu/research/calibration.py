"""Fit the score calibration (`kepu train-calibration`): the adapter between our labelled
development posts, the flagger and Platt scaling.

The positives are the myth-asserting posts; debunks, science and off-topic posts are the
negatives. Fitted on the sample site and data/dev (where the stance model was also fitted, so
these raw scores are a little optimistic); `kepu eval flags` reports calibration error on the
held-out posts, which it never sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from common.settings import Settings
from kepu.screening.scoring import build_flagger
from models.classifier import platt_scaling
from models.flag_figures import calibration_figures
from models.labelled_posts import LabelledPost, dev_files, development_posts
from pipeline.calibration import ScoreCalibration
from pipeline.embedding import Embedder, describe
from pipeline.flagger import Flagger
from store import Database


def fit_calibration(flagger: Flagger, labelled: Sequence[LabelledPost]
                    ) -> tuple[ScoreCalibration, list[float]]:
    """Platt scaling of `flagger`'s raw scores (it must not calibrate) on labelled posts, myth
    posts the positives; also returns the raw scores."""
    stance = "model" if flagger.stance_model is not None else "rules"
    raw = [flag.score for flag in flagger.flag([post for post, _ in labelled])]
    slope, intercept = platt_scaling(np.asarray(raw), [int(kind == "myth") for _, kind in labelled])
    version = datetime.now(UTC).strftime("calibration-%Y%m%d-%H%M%S")
    return ScoreCalibration(slope, intercept, flagger.embedder.name, stance, version), raw


def train_calibration(settings: Settings, db: Database, embedder: Embedder, out_dir: Path
                      ) -> dict[str, object]:
    """Fit Platt scaling on the raw scores of the development posts and write it to `out_dir`."""
    flagger = build_flagger(settings, db, embedder, calibrated=False)
    labelled = development_posts(settings.data_dir)
    calibration, raw = fit_calibration(flagger, labelled)
    is_myth = [kind == "myth" for _, kind in labelled]
    slope, intercept = calibration.slope, calibration.intercept
    card: dict[str, object] = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "embedded_with": describe(embedder),
        "fitted_on": {"sources": ["data/site_src/articles.jsonl"] + [
            f"data/dev/{path.name}" for path in dev_files(settings.data_dir)],
            "posts": len(labelled), "myth posts": int(sum(is_myth))},
        "raw score at probability 0.5": -intercept / slope if slope else None,
        "development figures": {
            "raw": calibration_figures(is_myth, raw),
            "calibrated": calibration_figures(is_myth, [calibration.probability(r) for r in raw]),
        },
    }
    calibration.save(out_dir, card)
    return card
