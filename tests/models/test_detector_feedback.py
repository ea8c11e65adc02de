"""A reviewer's verdict on a detector flag: the new claim and the training example."""

import pytest

from common.errors import ReviewError
from common.records import Post
from models.detector_feedback import feedback_from_verdict, main_sentence
from review_queue.priority import FLAGGED_FLOOR, detector_priority

POST = Post("p1", "我外婆今年八十了，身体一直很好。每天早上喝一杯量子活化水，体内毒素全部排出，"
            "百分之百防癌。邻居们都在喝。", title="", lang="zh")


def test_main_sentence_is_the_one_with_most_cues():
    assert main_sentence(POST) == "每天早上喝一杯量子活化水，体内毒素全部排出，百分之百防癌。"


@pytest.mark.parametrize(("verdict", "claim_verdict"), [
    ("pseudoscience", "false"), ("harmful_advice", "false"), ("unsupported", "misleading")])
def test_a_confirmed_flag_becomes_a_claim_with_the_post_as_variant(verdict, claim_verdict):
    feedback = feedback_from_verdict(POST, "task-7", verdict, "health", " 没有证据 ")
    claim = feedback.claim
    assert claim is not None and claim.verdict == claim_verdict
    assert claim.text == main_sentence(POST) and claim.topic == "health" and claim.lang == "zh"
    assert claim.source == "review:task-7" and claim.explanation == "没有证据"
    assert claim.variants == (POST.text,)
    assert claim.id == feedback_from_verdict(POST, "task-7", verdict, "health").claim.id
    example = feedback.example
    assert example.label == 1 and example.text == POST.text and example.split == "train"
    assert example.dataset == "detector-reviews" and example.topic == "health"


@pytest.mark.parametrize("verdict", ["accurate", "not_science", "oversimplified", "outdated"])
def test_a_rejected_flag_teaches_a_negative_and_makes_no_claim(verdict):
    feedback = feedback_from_verdict(POST, "task-8", verdict, "health")
    assert feedback.claim is None and feedback.example.label == 0


def test_bad_input_names_the_task():
    with pytest.raises(ReviewError, match="task-9: unknown panel 'cooking'"):
        feedback_from_verdict(POST, "task-9", "pseudoscience", "cooking")
    with pytest.raises(ReviewError, match="task-9: post p2 has no text"):
        feedback_from_verdict(Post("p2", " "), "task-9", "pseudoscience", "health")
    assert feedback_from_verdict(POST, "task-9", "weird", "health").example is None


def test_detector_flags_rank_below_matched_myths():
    assert detector_priority(1.2, 0.5) == 0.6
    assert detector_priority(1.2, 0.5) < 0.7
    assert detector_priority(0.12, 0.5) == FLAGGED_FLOOR  # still above active learning
