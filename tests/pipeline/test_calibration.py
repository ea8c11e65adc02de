"""Score calibration: a monotone map to a probability, stored as JSON, applied before the
threshold."""

import pytest

from common.errors import ModelError
from pipeline.calibration import ScoreCalibration
from pipeline.scoring import score_post


def test_probability_is_monotone_and_half_at_the_crossing(tmp_path):
    cal = ScoreCalibration(10.0, -5.0, "emb", "model", "cal-1")
    probs = [cal.probability(r) for r in (0.0, 0.3, 0.5, 0.7, 1.0)]
    assert probs == sorted(probs) and probs[0] < 0.01 and probs[-1] > 0.99
    assert cal.probability(0.5) == pytest.approx(0.5)
    cal.save(tmp_path / "cal", {"note": "x"})
    assert ScoreCalibration.load(tmp_path / "cal") == cal


def test_load_names_the_file_it_cannot_use(tmp_path):
    with pytest.raises(ModelError, match="no score calibration"):
        ScoreCalibration.load(tmp_path)
    (tmp_path / "calibration.json").write_text('{"slope": 1}', encoding="utf-8")
    with pytest.raises(ModelError, match=r"calibration\.json: unreadable"):
        ScoreCalibration.load(tmp_path)


def test_threshold_applies_to_the_calibrated_score():
    raw = score_post("p", "", "a sentence", ["a sentence"], [], [], 0.95, lambda t: 0.5)
    assert raw.flagged and raw.score == pytest.approx(0.6 * 0.95, abs=1e-4)
    strict = ScoreCalibration(10.0, -7.0, "emb", "rules", "cal-2")   # p = 0.5 at raw 0.7
    calibrated = score_post("p", "", "a sentence", ["a sentence"], [], [], 0.95,
                            lambda t: 0.5, calibrate=strict.probability)
    assert calibrated.score == pytest.approx(strict.probability(raw.score), abs=1e-4)
    assert not calibrated.flagged
