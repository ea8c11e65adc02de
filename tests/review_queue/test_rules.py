"""The review rules and the Label Studio payload, without a server."""

import json
import xml.etree.ElementTree as ET

import pytest

from common.errors import ReviewError
from common.records import Decision, Panel, ReviewTask
from kepu.reviewing.sync import label_config
from review_queue.rounds import (
    Evidence,
    ShownClaim,
    arbitration_round,
    parse_result,
    review_rounds,
    task_payload,
)
from review_queue.rules import (
    HARM_LEVELS,
    REVIEW_VERDICTS,
    check_reviewer,
    outcome,
    pick_arbiter,
    pick_reviewers,
    validate_decision,
)

PANEL = Panel("vaccines", ("r1", "r2", "r3"), ("s1",))
LANGS = {"r1": ("zh", "en"), "r2": ("zh",), "r3": ("en",)}


def d(reviewer, verdict, harm="low", role="first", rationale="why", refs=("WHO 2024",)):
    return Decision("t1", reviewer, verdict, harm, rationale, tuple(refs), role)


@pytest.mark.parametrize("verdict", ["oversimplified", "outdated", "unsupported", "pseudoscience",
                                     "harmful_advice"])
def test_verdicts_other_than_accurate_need_rationale_and_reference(verdict):
    validate_decision(d("r1", verdict))
    with pytest.raises(ReviewError, match="rationale"):
        validate_decision(d("r1", verdict, rationale="  "))
    with pytest.raises(ReviewError, match="reference"):
        validate_decision(d("r1", verdict, refs=(" ",)))


def test_accurate_and_not_science_need_no_justification_but_unknown_values_fail():
    validate_decision(d("r1", "accurate", harm="none", rationale="", refs=()))
    validate_decision(d("r1", "not_science", harm="none", rationale="", refs=()))
    with pytest.raises(ReviewError, match="unknown verdict"):
        validate_decision(d("r1", "fake"))
    with pytest.raises(ReviewError, match="harm"):
        validate_decision(d("r1", "accurate", harm="extreme"))


def test_reviewer_eligibility():
    check_reviewer("first", "r1", PANEL, [])
    with pytest.raises(ReviewError, match="not an expert"):
        check_reviewer("first", "outsider", PANEL, [])
    with pytest.raises(ReviewError, match="already reviewed"):
        check_reviewer("second", "r1", PANEL, ["r1"])
    with pytest.raises(ReviewError, match="not a senior"):
        check_reviewer("arbiter", "r3", PANEL, ["r1", "r2"])
    check_reviewer("arbiter", "s1", PANEL, ["r1", "r2"])


def test_outcome_single_double_agreement_disagreement_and_arbitration():
    assert outcome(1, []).state == "waiting"
    single = outcome(1, [d("r1", "accurate", "none")])
    assert (single.state, single.verdict, single.method) == ("decided", "accurate", "single")
    assert outcome(2, [d("r1", "pseudoscience")]).state == "waiting"
    agreed = outcome(2, [d("r1", "pseudoscience", "low"), d("r2", "pseudoscience", "medium",
                                                            "second")])
    assert (agreed.verdict, agreed.harm, agreed.method) == ("pseudoscience", "medium", "agreed")
    assert agreed.decided_by == ("r1", "r2")
    # same verdict but harm two levels apart is a disagreement too
    assert outcome(2, [d("r1", "pseudoscience", "none"),
                       d("r2", "pseudoscience", "high", "second")]).state == "arbitration"
    split = [d("r1", "pseudoscience"), d("r2", "accurate", "none", "second")]
    assert outcome(2, split).state == "arbitration"
    final = outcome(2, [*split, d("s1", "unsupported", "medium", "arbiter")])
    assert (final.state, final.verdict, final.method) == ("decided", "unsupported", "arbitrated")
    assert final.decided_by == ("r1", "r2", "s1")


def test_assignment_prefers_readers_and_gives_distinct_people():
    two = pick_reviewers(PANEL, LANGS, "en", 2, "task-x")
    assert len(set(two)) == 2 and set(two) <= {"r1", "r3"}
    assert pick_reviewers(PANEL, LANGS, "en", 2, "task-x") == two  # stable
    assert pick_arbiter(PANEL, "t", ["r1", "r2"]) == "s1"
    assert pick_arbiter(PANEL, "t", ["s1"]) is None


EVIDENCE = Evidence("p1", "Title", "Vaccines cause autism <script>x</script>", "http://x", "en",
                    0.93, "asserts", "asserts c2", "clf-v1",
                    (ShownClaim("c2", 1, "Vaccines cause autism.", "false",
                                "No link found.", 0.91, "asserts", "Vaccines cause autism"),))


def test_blind_rounds_show_no_verdict_and_arbitration_shows_both():
    task = ReviewTask("t1", "p1", "vaccines", 1.2, required_reviews=2)
    first, second = review_rounds(task, ["r1", "r2"])
    payload = task_payload(second, EVIDENCE, 2)
    assert payload["data"]["round_id"] == "t1-second"
    assert "Blind review" in payload["data"]["earlier"]
    prediction = payload["predictions"][0]
    assert prediction["model_version"] == "clf-v1" and prediction["score"] == 0.93
    assert prediction["result"][0]["value"]["choices"] == ["asserts"]
    assert not any(r["from_name"] == "verdict" for r in prediction["result"])
    arb = arbitration_round("t1", "vaccines", "s1", [d("r1", "pseudoscience"),
                                                    d("r2", "accurate", "none", "second")])
    earlier = task_payload(arb, EVIDENCE, 2)["data"]["earlier"]
    assert "Review 1: pseudoscience" in earlier and "Review 2: accurate" in earlier
    assert "r1" not in earlier and "r2" not in earlier  # any member can read it: no names
    assert "assigned to r2" in payload["data"]["assignment"]  # only the assignee is named
    assert "r1" not in json.dumps(payload, ensure_ascii=False)


def test_config_declares_every_field_the_payload_and_parser_use():
    root = ET.fromstring(label_config())
    values = {e.get("value", "")[1:] for e in root.iter("Text")} | {
        e.get("value", "")[1:] for e in root.iter("Header") if e.get("value", "").startswith("$")}
    data = task_payload(review_rounds(ReviewTask("t1", "p1", "vaccines", 1.0), ["r1"])[0],
                        EVIDENCE, 1)["data"]
    assert values <= set(data)
    verdicts = next(c for c in root.iter("Choices") if c.get("name") == "verdict")
    assert tuple(c.get("value") for c in verdicts) == REVIEW_VERDICTS
    harms = next(c for c in root.iter("Choices") if c.get("name") == "harm")
    assert tuple(c.get("value") for c in harms) == HARM_LEVELS
    assert {t.get("name") for t in root.iter("TextArea")} == {"rationale", "references", "claim"}


def test_parse_result_reads_choices_and_text_lines():
    parsed = parse_result([
        {"from_name": "verdict", "type": "choices", "value": {"choices": ["pseudoscience"]}},
        {"from_name": "harm", "type": "choices", "value": {"choices": ["high"]}},
        {"from_name": "rationale", "type": "textarea", "value": {"text": ["No link. "]}},
        {"from_name": "references", "type": "textarea", "value": {"text": ["WHO\n\n Cochrane "]}},
    ])
    assert parsed["verdict"] == "pseudoscience" and parsed["harm"] == "high"
    assert parsed["rationale"] == "No link." and parsed["references"] == ("WHO", "Cochrane")
    assert parse_result([])["verdict"] == ""
