"""The detector head on tiny made-up posts with the hashing embedder: fitting, calibration,
threshold choice, cues in the reason, and the safetensors round trip."""

import json

import numpy as np
import pytest

from common.errors import ModelError
from models.detector_training import DetectorData, choose_threshold, fit_detector
from pipeline.detector import Detection, PseudoscienceDetector
from pipeline.embedding import HashingEmbedder

MYTHS = ["Doctors won't tell you: {} flushes out every toxin, a miracle cure, share this!",
         "震惊！老中医秘方：{}能排毒，百分之百根治，医院不会告诉你，赶紧转发",
         "A top lab proved {} cures every disease with zero side effects. Big Pharma buried it.",
         "量子能量{}，一周排毒，彻底根治，99%的人不知道"]
OTHERS = ["A study published in a journal found {} has a small effect; researchers say more "
          "research is needed.", "辟谣：网传{}能治病，没有科学依据，请咨询医生。",
          "We made {} soup for dinner and watched the match, lovely evening.",
          "周末带孩子去吃{}，排队半小时，味道一般。"]
THINGS = ["garlic", "ginger", "lemon water", "green tea", "onion", "celery", "vinegar", "honey",
          "turmeric", "kale", "beetroot", "oats"]


def data(things):
    texts, labels, groups = [], [], []
    for i, thing in enumerate(things):
        for label, frames in ((1, MYTHS), (0, OTHERS)):
            for frame in frames:
                texts.append(frame.format(thing))
                labels.append(label)
                groups.append(f"g{i}")
    return DetectorData(texts, HashingEmbedder().encode(texts), np.asarray(labels), groups)


@pytest.fixture(scope="module")
def detector():
    return fit_detector(data(THINGS[:9]), data(THINGS[9:]), "hashing-512", "det-test")


def test_the_detector_separates_posts_about_things_it_never_saw(detector):
    unseen = data(["cabbage", "mushrooms", "barley"])
    probs = detector.probabilities(unseen.vectors, unseen.texts)
    assert probs[unseen.labels == 1].min() > probs[unseen.labels == 0].max()
    assert 0.0 < probs.min() and probs.max() < 1.0  # calibrated, not saturated


def test_cues_name_the_words_that_raised_the_score(detector):
    text = "Doctors won't tell you: cabbage flushes out every toxin, a miracle cure!"
    cues = detector.cues(text)
    assert cues and set(cues) <= {"won't tell", "flushes out", "toxin", "miracle"}
    assert detector.cues("We had cabbage soup.") == ()
    reason = Detection(0.9, cues).reason(0.7)
    assert reason.startswith("probable pseudo-science, no known claim: detector p=0.90 >= 0.70")


def test_switched_off_parts_get_no_weight():
    only_cues = fit_detector(data(THINGS[:9]), data(THINGS[9:]), "hashing-512", "c",
                             use=("cues",))
    assert only_cues.combiner[0] == 0 and only_cues.combiner[1] == 0
    assert np.abs(only_cues.combiner[2:]).sum() > 0


def test_round_trip_through_safetensors_keeps_every_probability(detector, tmp_path):
    held = data(["cabbage"])
    detector.save(tmp_path / "det", {"data": "tiny"})
    assert not list((tmp_path / "det").rglob("*.pkl"))
    loaded = PseudoscienceDetector.load(tmp_path / "det")
    assert loaded.embedder == "hashing-512" and loaded.threshold == detector.threshold
    assert np.allclose(loaded.probabilities(held.vectors, held.texts),
                       detector.probabilities(held.vectors, held.texts), atol=1e-6)
    card_path = tmp_path / "det" / "card.json"
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card["combiner_inputs"] = card["combiner_inputs"][:-1]
    card_path.write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="detector inputs differ"):
        PseudoscienceDetector.load(tmp_path / "det")
    with pytest.raises(ModelError, match="no pseudo-science detector here"):
        PseudoscienceDetector.load(tmp_path / "nothing")


def test_the_threshold_is_the_lowest_that_keeps_every_kind_under_its_limit():
    negatives = {"science": np.asarray([0.1, 0.2, 0.95, 0.3]),
                 "offtopic": np.asarray([0.1, 0.6, 0.2, 0.1])}
    # one science post of four may be flagged (25%), no off-topic post: above 0.6 is enough
    assert choose_threshold(negatives, {"science": 0.25, "offtopic": 0.0}) == pytest.approx(
        0.6001)
    assert choose_threshold(negatives, {"science": 0.0, "offtopic": 0.0}) == pytest.approx(0.9501)
    assert choose_threshold(negatives, {"science": 1.0, "offtopic": 1.0}) == 0.5


def test_a_damaged_weights_file_is_a_model_error_naming_the_folder(detector, tmp_path):
    from pipeline.detector import WEIGHTS

    folder = tmp_path / "det"
    detector.save(folder, {"trained_on": "test"})
    (folder / WEIGHTS).write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{trunc")
    with pytest.raises(ModelError, match=f"{folder}: unreadable"):
        PseudoscienceDetector.load(folder)
    (folder / WEIGHTS).write_bytes(b"junk")
    with pytest.raises(ModelError, match=f"{folder}: unreadable"):
        PseudoscienceDetector.load(folder)
