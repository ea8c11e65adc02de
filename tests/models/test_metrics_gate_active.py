import numpy as np
import pytest

from models.active import most_uncertain, select_for_review
from models.gate import promotion_verdict
from models.metrics import best_threshold, expected_calibration_error, figures


def test_figures_match_a_hand_count():
    labels = [1, 1, 1, 0, 0, 0, 0, 0]
    probs = [0.9, 0.8, 0.3, 0.6, 0.2, 0.1, 0.1, 0.05]
    f = figures(labels, probs)
    assert (f.n, f.positives) == (8, 3)
    assert f.precision == pytest.approx(2 / 3) and f.recall == pytest.approx(2 / 3)
    f1_neg = 2 * (4 / 5) * (4 / 5) / (8 / 5)
    assert f.macro_f1 == pytest.approx((2 / 3 + f1_neg) / 2)
    assert 0 < f.pr_auc < 1


def test_ece_is_zero_when_calibrated_and_large_when_overconfident():
    rng = np.random.default_rng(0)
    probs = rng.uniform(size=20000)
    labels = (rng.uniform(size=20000) < probs).astype(int)
    assert expected_calibration_error(labels, probs) < 0.02
    assert expected_calibration_error([1, 0] * 50, [0.95] * 100) == pytest.approx(0.45)


def test_best_threshold_separates_shifted_scores():
    labels = [0] * 50 + [1] * 50
    probs = list(np.linspace(0.0, 0.2, 50)) + list(np.linspace(0.25, 0.4, 50))
    t = best_threshold(labels, probs)
    assert 0.2 < t <= 0.25
    assert figures(labels, probs, t).macro_f1 == 1.0


def test_gate_refusal_names_metric_values_and_margin():
    refused = promotion_verdict("new", 0.905, "old", 0.90, 0.01)
    assert not refused.allowed
    for part in ("macro_f1_mean", "0.9050", "0.9000", "0.9100", "margin 0.0100", "old"):
        assert part in refused.reason
    assert promotion_verdict("new", 0.911, "old", 0.90, 0.01).allowed
    assert promotion_verdict("new", 0.1, None, None, 0.01).allowed


def test_most_uncertain_takes_the_share_closest_to_one_half():
    posts = [("a", 0.02), ("b", 0.48), ("c", 0.9), ("d", 0.55), ("e", 0.3), ("f", 0.5)]
    assert most_uncertain(posts, 0.5) == ["f", "b", "d"]
    assert most_uncertain(posts, 0.5, limit=1) == ["f"]
    assert most_uncertain(posts, 0.0) == []
    with pytest.raises(ValueError):
        most_uncertain(posts, 1.5)


def test_select_for_review_counts_earlier_picks_towards_the_share():
    pool = [(f"p{i}", i / 20) for i in range(20)]
    first = select_for_review(pool, 0.1)
    assert first == ["p10", "p9"]  # ceil(0.1 * 20), closest to 0.5 first
    rest = [p for p in pool if p[0] not in first]
    assert select_for_review(rest, 0.1, already=2) == []  # a re-run adds none
    assert select_for_review(rest + [("new", 0.5)] * 10, 0.1, already=2) == ["new"]
    assert select_for_review(pool, 0.07) == ["p10", "p9"]  # 1.4 -> 2, no float drift
    with pytest.raises(ValueError):
        select_for_review(pool, -0.1)
