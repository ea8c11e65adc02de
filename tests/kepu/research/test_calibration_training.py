"""`train_calibration` end to end on our development posts (hashing embedder, rule stance), and
the flagger using it only for the embedder and stance mode it was fitted on."""

import json

from kepu.research.calibration import train_calibration
from kepu.screening.claims import ensure_claims
from kepu.screening.scoring import build_flagger, load_calibration
from models.flag_figures import flag_rates
from models.labelled_posts import dev_posts, sample_site_posts
from pipeline.calibration import ScoreCalibration
from pipeline.embedders import load_embedder
from store import Database


def test_fitted_calibration_is_used_where_it_fits(settings, tmp_path):
    ensure_claims(settings)
    embedder = load_embedder(settings)
    here = settings.model_copy(update={"score_calibration_dir": tmp_path / "cal"})
    with Database(settings.database) as db:
        card = train_calibration(here, db, embedder, tmp_path / "cal")
        posts = sample_site_posts(settings.data_dir) + dev_posts(settings.data_dir)
        assert card["fitted_on"]["posts"] == len(posts)
        assert not any("eval" in s for s in card["fitted_on"]["sources"])
        cal = ScoreCalibration.load(tmp_path / "cal")
        assert (cal.embedder, cal.stance) == (embedder.name, "rules") and cal.slope > 0
        # Platt scaling fits the development posts at least as well as the raw score.
        figures = card["development figures"]
        assert figures["calibrated"]["Brier"] <= figures["raw"]["Brier"] + 1e-9
        flagger = build_flagger(here, db, embedder)
        assert flagger.calibration == cal
        rates = flag_rates(flagger, posts[:20])
        assert 0.0 <= rates["ECE"] <= 1.0 and 0.0 <= rates["Brier"] <= 1.0
        assert build_flagger(here, db, embedder, calibrated=False).calibration is None
    off = here.model_copy(update={"calibrate_scores": False})
    assert load_calibration(off, embedder, "rules") is None
    assert load_calibration(here, embedder, "model") is None
    card_file = json.loads((tmp_path / "cal" / "calibration.json").read_text("utf-8"))
    assert card_file["version"] == cal.version
