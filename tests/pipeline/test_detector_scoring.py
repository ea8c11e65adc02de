"""The detector branch of `score_post`: a second signal that flags what the claims did not,
says so in the flag, and never flags a refutation."""

from common.records import Claim, Stance
from pipeline.detector import Detection
from pipeline.matching import SentenceHit
from pipeline.scoring import score_post

TEXT = "Onion socks pull every toxin out overnight."
SEEN = Detection(0.91, ("toxin",))


def score(text=TEXT, hits=(), stances=(), detection=SEEN, threshold=0.8):
    return score_post("p", "", text, [text], list(hits), list(stances), 0.2, lambda t: 0.5,
                      classifier_standalone=False, detection=detection,
                      detector_threshold=threshold)


def test_an_unmatched_post_is_flagged_by_the_detector_with_its_cues():
    flag = score()
    assert flag.flagged and flag.basis == "detector" and flag.detector_score == 0.91
    assert flag.score == 0.91 and flag.topic is None
    assert flag.reason == ("probable pseudo-science, no known claim: detector p=0.91 >= 0.80; "
                           "cues: toxin")


def test_below_its_threshold_or_without_a_detector_nothing_changes():
    below = score(threshold=0.95)
    assert not below.flagged and below.basis == "claim" and below.detector_score == 0.91
    absent = score(detection=None)
    assert not absent.flagged and absent.detector_score is None
    assert "no known claim matched" in absent.reason


def test_a_refutation_is_never_the_detectors_flag():
    framed = score(text="Myth: onion socks pull every toxin out overnight. No evidence.")
    assert not framed.flagged
    claim = Claim("c1", "Onion socks draw out toxins", "en", "false", "health", "", "test")
    hit = SentenceHit(0, claim, 0.9, 0.5)
    refuted = score(hits=[hit], stances=[Stance("debunks", "refute cue")])
    assert refuted.stance == "debunks" and not refuted.flagged


def test_a_matched_myth_keeps_the_claim_basis():
    claim = Claim("c1", "Onion socks draw out toxins", "en", "false", "health", "", "test")
    flag = score(hits=[SentenceHit(0, claim, 0.9, 0.5)], stances=[Stance("asserts", "")])
    assert flag.flagged and flag.basis == "claim" and "asserts false claim c1" in flag.reason
    assert flag.topic == "health"


def test_an_unmatched_detector_flag_takes_its_nearest_claims_field():
    flag = score_post("p", "", TEXT, [TEXT], [], [], 0.2, lambda t: 0.5,
                      classifier_standalone=False, detection=SEEN, detector_threshold=0.8,
                      detector_topic="health")
    assert flag.flagged and flag.basis == "detector" and flag.topic == "health"
    quiet = score_post("p", "", TEXT, [TEXT], [], [], 0.2, lambda t: 0.5,
                       classifier_standalone=False, detection=None, detector_topic="health")
    assert quiet.topic is None  # only the detector's flags are routed by the nearest claim
