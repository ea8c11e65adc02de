"""Which answers and remote tasks kepu trusts (pure rules, no server)."""

from kepu.reviewing.outbox import TITLE_MAX, project_owner, project_title
from review_queue.backend import Annotation, RemoteTask
from review_queue.integrity import (
    NOTE,
    REANSWER,
    REOPEN,
    Decided,
    SentRound,
    check_round,
    data_hash,
    result_hash,
)
from review_queue.rounds import reopened_payload

DATA = {"round_id": "t1-first", "text": "Vaccines cause autism.", "round_label": "审查 Review"}
PSEUDO = ({"from_name": "verdict", "value": {"choices": ["pseudoscience"]}},
          {"from_name": "harm", "value": {"choices": ["medium"]}})
ACCURATE = ({"from_name": "verdict", "value": {"choices": ["accurate"]}},
            {"from_name": "harm", "value": {"choices": ["none"]}})


def ann(by="a@x", edited_by=None, result=PSEUDO, ann_id="7", at="2026-12-01T10:00"):
    return Annotation(5, ann_id, by, by if edited_by is None else edited_by, result, at)


def sent(decided=None, assigned="a@x"):
    return SentRound("t1-first", assigned, 5, data_hash(DATA), DATA, decided)


def task(*answers, data=DATA):
    return RemoteTask(5, data, tuple(answers))


def test_only_the_assigned_reviewers_own_answer_is_taken():
    findings, ok = check_round(sent(), task(ann()))
    assert findings == [] and ok == [ann()]
    forged, _ = check_round(sent(), task(ann(edited_by="b@x")))
    assert [(f.kind, f.action) for f in forged] == [("not_assigned", REOPEN)]
    assert "b@x changed the answer of a@x" in forged[0].reason
    outsider, ok = check_round(sent(), task(ann(by="o@x")))
    assert [(f.kind, f.action) for f in outsider] == [("not_assigned", REOPEN)] and ok == []
    unknown, _ = check_round(sent(), task(ann(edited_by="")))
    assert unknown[0].kind == "not_assigned"
    _, anyone = check_round(sent(assigned=""), task(ann(by="o@x")))  # checked by panel later
    assert anyone == [ann(by="o@x")]


def test_changed_or_missing_tasks_are_not_trusted_before_a_decision():
    changed, ok = check_round(sent(), task(ann(), data={**DATA, "text": "Vaccines are fine."}))
    assert [(f.kind, f.action) for f in changed] == [("task_changed", REOPEN)] and ok == []
    assert "(text)" in changed[0].reason
    missing, _ = check_round(sent(), None)
    assert [(f.kind, f.action) for f in missing] == [("task_missing", REOPEN)]


def test_after_a_decision_own_verdict_changes_reanswer_others_reopen_the_rest_is_noted():
    decided = Decided("7", result_hash(PSEUDO), "pseudoscience", "medium")
    assert check_round(sent(decided), task(ann())) == ([], [])
    own, _ = check_round(sent(decided), task(ann(result=ACCURATE, at="2026-12-02")))
    assert [(f.kind, f.action) for f in own] == [("changed_after_decision", REANSWER)]
    assert "pseudoscience/medium -> accurate/none" in own[0].reason
    same = PSEUDO + ({"from_name": "rationale", "value": {"text": ["typo fixed"]}},)
    note, _ = check_round(sent(decided), task(ann(result=same)))
    assert [(f.kind, f.action) for f in note] == [("changed_after_decision", NOTE)]
    forged, _ = check_round(sent(decided), task(ann(edited_by="b@x", result=ACCURATE)))
    assert [(f.kind, f.action) for f in forged] == [("not_assigned", REOPEN)]
    extra, _ = check_round(sent(decided), task(ann(), ann(by="o@x", ann_id="8")))
    assert [(f.kind, f.action) for f in extra] == [("extra_after_decision", NOTE)]
    gone, _ = check_round(sent(decided), task())
    assert [(f.kind, f.action) for f in gone] == [("changed_after_decision", NOTE)]
    later, _ = check_round(sent(decided), task(data={**DATA, "text": "x"}))
    assert [(f.kind, f.action) for f in later] == [("task_changed_after_decision", NOTE)]


def test_finding_keys_never_equal_an_answers_own_key():
    decided = Decided("7", result_hash(PSEUDO), "pseudoscience", "medium")
    own, _ = check_round(sent(decided), task(ann(result=ACCURATE)))
    assert own[0].key != ann(result=ACCURATE).key  # the re-answer is then taken, not skipped


def test_project_titles_fit_label_studio_and_stay_distinct():
    assert project_title("kepu-review", "li.wei@cdc.example") == "kepu-review · li.wei@cdc.example"
    long_a = project_title("kepu-review", "information_technology.reviewer1@kepu.example")
    long_b = project_title("kepu-review", "information_technology.reviewer2@kepu.example")
    assert len(long_a) == len(long_b) == TITLE_MAX and long_a != long_b
    assert long_a.startswith("kepu-review · information_technology.")
    assert project_owner("health", "") == "health · unassigned"


def test_every_reopened_copy_says_why_and_differs_from_the_last():
    payload = {"data": DATA, "predictions": []}
    once = reopened_payload(payload, "the earlier copy was changed · by someone", 1)
    twice = reopened_payload(once, "the earlier copy was changed", 2)
    assert once["data"]["round_label"] == (
        "重新审查 Reopened (1): the earlier copy was changed - by someone · 审查 Review")
    assert twice["data"]["round_label"] == (
        "重新审查 Reopened (2): the earlier copy was changed · 审查 Review")
    assert data_hash(once["data"]) != data_hash(twice["data"]) != data_hash(DATA)
