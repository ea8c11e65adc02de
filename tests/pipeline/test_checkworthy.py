"""Check-worthiness: the cue score's direction, and the trained head's fit and storage."""

import numpy as np
import pytest

from common.errors import ModelError
from models.checkworthy_training import choose_c, fit_checkworthy
from pipeline.checkworthy import CheckworthyHead, checkworthiness


@pytest.mark.parametrize(("claim", "chatter"), [
    ("Drinking bleach cures COVID-19 in 90% of patients.", "I think we have to stick together."),
    ("隔夜菜会致癌，研究证明风险提高三倍。", "我觉得今天天气不错，欢迎关注。"),
    ("Vaccines cause autism in children.", "Does anyone know a good vet nearby?"),
])
def test_cue_score_ranks_claims_above_opinions_and_questions(claim, chatter):
    assert checkworthiness(claim) > checkworthiness(chatter)
    assert 0.0 <= checkworthiness(chatter) <= checkworthiness(claim) <= 1.0


def _separable(n=80, dim=16, seed=0):
    rng = np.random.default_rng(seed)
    worth = np.arange(n) % 4 == 0
    x = rng.normal(size=(n, dim)).astype(np.float32)
    x[worth, 0] += 3.0
    return x / np.linalg.norm(x, axis=1, keepdims=True), worth.tolist()


def test_head_learns_the_signal_and_survives_a_round_trip(tmp_path):
    x, worth = _separable()
    c, scores = choose_c(x, worth)
    assert c in scores and scores[c] == max(scores.values()) and scores[c] > 0.8
    weights, bias = fit_checkworthy(x, worth, c)
    head = CheckworthyHead(weights, bias, "test-embedder", "cw-1")
    probs = head.probabilities(x)
    assert probs[np.asarray(worth)].mean() > probs[~np.asarray(worth)].mean() + 0.3
    head.save(tmp_path / "cw", {"note": "test"})
    again = CheckworthyHead.load(tmp_path / "cw")
    assert again.embedder == "test-embedder" and again.version == "cw-1"
    np.testing.assert_allclose(again.probabilities(x), probs, rtol=1e-6)


def test_head_refuses_one_label_and_a_missing_directory(tmp_path):
    x, _ = _separable()
    with pytest.raises(ValueError, match="both labels"):
        fit_checkworthy(x, [False] * len(x), 1.0)
    with pytest.raises(ModelError, match="no check-worthiness head"):
        CheckworthyHead.load(tmp_path / "nothing")
