import numpy as np
import pytest

from common.errors import ModelError
from common.records import Post, Stance
from models.stance_training import fit_pair_head, fit_post_head, leave_one_out
from pipeline.embedding import HashingEmbedder
from pipeline.flagger import Flagger
from pipeline.matching import ClaimIndex
from pipeline.stance_model import POST_FEATURES, HitEvidence, StanceModel, post_features
from pipeline.wording import WordingModel
from tests.pipeline.test_matching_scoring import ConstantClassifier


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _synthetic_pairs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Evidence that agrees with, opposes, or ignores its claim vector."""
    rng = np.random.default_rng(seed)
    claims = _unit(rng.normal(size=(n, 16)))
    labels = [("supports", "refutes", "neutral")[i % 3] for i in range(n)]
    direction = {"supports": 1.0, "refutes": -1.0, "neutral": 0.0}
    noise = rng.normal(size=(n, 16)) * 0.2
    evidence = _unit(np.stack([direction[lab] * c for lab, c in zip(labels, claims, strict=True)])
                     + noise)
    return evidence, claims, labels


def _model(pair_w, pair_b, post_w=None, post_b=0.0) -> StanceModel:
    post_w = np.zeros(len(POST_FEATURES), np.float32) if post_w is None else post_w
    return StanceModel(pair_w, pair_b, post_w, post_b, "hashing-512", "stance-test")


def test_pair_head_learns_support_and_refutation_on_unseen_pairs():
    from pipeline.stance_model import PAIR_LABELS, pair_features

    evidence, claims, labels = _synthetic_pairs(300, seed=1)
    w, b = fit_pair_head(pair_features(evidence, claims), labels)
    test_e, test_c, test_labels = _synthetic_pairs(90, seed=2)
    predicted = [PAIR_LABELS[i] for i in _model(w, b).pair_probabilities(test_e, test_c)
                 .argmax(axis=1)]
    accuracy = np.mean([p == g for p, g in zip(predicted, test_labels, strict=True)])
    assert accuracy > 0.9
    margins = _model(w, b).refute_margins(test_e, test_c)
    assert margins[1] > 0 > margins[0]  # index 1 refutes, index 0 supports


def test_pair_head_needs_all_three_labels():
    with pytest.raises(ValueError, match="supports, refutes and neutral"):
        fit_pair_head(np.zeros((4, 2)), ["supports", "refutes", "supports", "refutes"])


def test_post_features_weigh_sentences_by_similarity():
    hits = [HitEvidence(Stance("debunks", "myth"), 0.75, 0.6, 0.1),
            HitEvidence(Stance("asserts", ""), 0.25, -0.2, -0.1)]
    f = dict(zip(POST_FEATURES, post_features(hits, "", "plain text"), strict=True))
    assert f["refute_margin"] == pytest.approx(0.75 * 0.6 - 0.25 * 0.2)
    assert f["post_refute_margin"] == pytest.approx(0.75 * 0.1 - 0.25 * 0.1)
    assert f["refute_cue_share"] == pytest.approx(0.75)
    assert f["framing"] == 0.0 and f["no_answer"] == 0.0
    framed = dict(zip(POST_FEATURES, post_features(hits, "辟谣：隔夜菜", ""), strict=True))
    assert framed["framing"] == 1.0
    assert not post_features([], "", "").any()


def test_post_head_and_leave_one_out_on_separable_posts():
    rng = np.random.default_rng(3)
    y = np.array([i % 2 == 0 for i in range(30)])
    x = rng.normal(size=(30, len(POST_FEATURES))) * 0.1
    x[:, 1] += np.where(y, 1.0, -1.0)
    w, b = fit_post_head(x, y)
    assert w[1] > 0
    probs = leave_one_out(x, y)
    assert probs.shape == (30,) and ((probs >= 0.5) == y).all()


def test_save_and_load_round_trip_and_clear_errors(tmp_path):
    evidence, claims, labels = _synthetic_pairs(60, seed=4)
    from pipeline.stance_model import pair_features

    w, b = fit_pair_head(pair_features(evidence, claims), labels)
    model = _model(w, b, np.arange(len(POST_FEATURES), dtype=np.float32), -1.5)
    model.save(tmp_path / "m", {"note": "test"})
    loaded = StanceModel.load(tmp_path / "m")
    assert np.allclose(loaded.pair_probabilities(evidence, claims),
                       model.pair_probabilities(evidence, claims))
    assert loaded.post_bias == -1.5 and loaded.embedder == "hashing-512"
    assert StanceModel.card(tmp_path / "m")["note"] == "test"
    with pytest.raises(ModelError, match="no stance model"):
        StanceModel.load(tmp_path / "missing")
    card = (tmp_path / "m" / "card.json")
    card.write_text(card.read_text().replace('"framing"', '"other"'))
    with pytest.raises(ModelError, match="post features differ"):
        StanceModel.load(tmp_path / "m")


def test_flagger_follows_the_stance_model(tiny_claims):
    """A post head that trusts the wording calls a post worded like a correction a debunk (no
    refutation words in it) and still flags the myth."""
    emb = HashingEmbedder()
    index = ClaimIndex(tiny_claims, emb.encode([c.text for c in tiny_claims]))
    weights = np.zeros(len(POST_FEATURES), np.float32)
    weights[POST_FEATURES.index("wording")] = 20.0
    wording = WordingModel(("far",), np.ones(1, np.float32), np.full(1, 5.0, np.float32),
                           -1.0)
    dim = emb.dim
    model = StanceModel(np.zeros((2 * dim, 3), np.float32), np.zeros(3, np.float32), weights,
                        0.0, emb.name, "stance-test", wording)
    flagger = Flagger(emb, index, ConstantClassifier(0.5), lambda lang: 0.3, lambda topic: 0.5,
                      stance_model=model)
    posts = [Post("myth", "Leftover vegetables kept overnight cause cancer, throw them out."),
             Post("fix", "Nitrite levels in refrigerated leftover vegetables kept overnight stay "
                         "far below harm.")]
    flags = {f.post_id: f for f in flagger.flag(posts)}
    assert flags["myth"].flagged and flags["myth"].stance == "asserts"
    assert not flags["fix"].flagged and flags["fix"].stance == "debunks"
    assert flags["fix"].matches[0].claim_id == "c1"
    rules = Flagger(emb, index, ConstantClassifier(0.5), lambda lang: 0.3, lambda topic: 0.5)
    assert rules.flag(posts[1:]).__next__().stance == "asserts"  # the rules miss it
