"""Against a real Label Studio (open-source edition): what any member can do through its API, and
that kepu notices each of it. A forged edit, changed task data, an outsider's answer and edits
after a decision are each detected: the forged verdict is not recorded, the round is reopened for
its reviewer, and the audit log and `kepu review status` show it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from label_studio_sdk import LabelStudio

from common.records import TOPICS, Flag, Match, Post
from common.settings import Settings, load_settings
from kepu.reviewing.enqueue import enqueue_flagged
from kepu.reviewing.outbox import project_title
from kepu.reviewing.sync import pull, push, review_status
from review_queue.integrity import data_hash
from review_queue.labelstudio_client import LabelStudioBackend
from store import Database
from store.claims import save_claims
from store.flags import save_flags
from store.posts import save_post

pytestmark = pytest.mark.e2e
TOKENS: dict[str, str] = {}  # accounts already signed up on the session's server


def choice(name, value):
    return {"from_name": name, "to_name": "post", "type": "choices", "value": {"choices": [value]}}


def text(name, value):
    return {"from_name": name, "to_name": "post", "type": "textarea", "value": {"text": [value]}}


ACCURATE = [choice("verdict", "accurate"), choice("harm", "none")]
PSEUDO = [choice("verdict", "pseudoscience"), choice("harm", "medium"),
          text("rationale", "No causal link in cohort studies."), text("references", "WHO 2024")]


@dataclass
class Case:
    """One flagged post pushed to Label Studio: its round, reviewers and the other accounts."""

    settings: Settings
    backend: LabelStudioBackend
    panels: Path
    round_id: str
    remote_id: int
    assigned: str
    sibling: str  # another expert of the same panel
    outsider: str  # an account on no panel
    url: str

    def as_user(self, email: str) -> LabelStudio:
        return LabelStudio(base_url=self.url, api_key=TOKENS[email])

    def http(self, email: str, method: str, path: str, **kw) -> requests.Response:
        return requests.request(method, f"{self.url}{path}", timeout=30,
                                headers={"Authorization": f"Token {TOKENS[email]}"}, **kw)

    def pull(self) -> dict[str, int]:
        return pull(self.settings, self.backend, self.panels)

    def current_remote(self) -> int | None:
        with Database(self.settings.database) as db:
            return db.scalar("SELECT remote_task_id FROM review_outbox WHERE round_id = ?",
                             [self.round_id])

    def audit(self) -> list[tuple[str, str]]:
        with Database(self.settings.database) as db:
            return db.rows("SELECT actor, action FROM audit_log WHERE entity_id = ? ORDER BY id",
                           [self.round_id])


def _panels(path: Path, tag: str) -> Path:
    lines = []
    for topic in (*TOPICS, "general"):
        experts = ", ".join(f'{{ id = "{tag}-{topic}-r{i}@kepu.example", languages = ["en"] }}'
                            for i in (1, 2))
        lines += [f"[panels.{topic}]", f"experts = [{experts}]",
                  f'seniors = ["{tag}-{topic}-s@kepu.example"]', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _join(labelstudio, email: str) -> None:
    if email not in TOKENS:
        TOKENS[email] = labelstudio.sign_up(email)


def _queued_flag(labelstudio, settings, tiny_claims, tmp_path, tag: str
                 ) -> tuple[Settings, Path]:
    """Settings that talk to the test server and a flagged post (topic health) in the queue."""
    settings = load_settings(**{**settings.model_dump(), "labelstudio_url": labelstudio.url,
                                "labelstudio_token": labelstudio.token})
    panels = _panels(tmp_path / "panels.toml", tag)
    with Database(settings.database) as db:
        save_claims(db, tiny_claims)
        post = save_post(db, Post(id="", text="Vaccines cause autism, my neighbour says.",
                                  title="A story", lang="en"), f"http://s.example/{tag}")
        save_flags(db, [Flag(post.post_id, True, 0.6, "asserts",
                             (Match("c2", 0.9, "Vaccines cause autism", "asserts"),),
                             "asserts c2", "health")], {"c2": 1}, "clf-test")
    enqueue_flagged(settings, panels)
    return settings, panels


@pytest.fixture
def case(labelstudio, settings, tiny_claims, tmp_path, request) -> Case:
    """A single-review flagged post (topic health) pushed to its assigned reviewer's project."""
    tag = request.node.name.removeprefix("test_")[:12].replace("_", "")
    settings, panels = _queued_flag(labelstudio, settings, tiny_claims, tmp_path, tag)
    backend = LabelStudioBackend(labelstudio.url, labelstudio.token)
    assert push(settings, backend, panels, active_share=0)["sent"] == 1
    with Database(settings.database) as db:
        round_id, assigned, remote = db.rows(
            "SELECT r.id, r.assigned_to, o.remote_task_id FROM review_rounds r "
            "JOIN review_outbox o ON o.round_id = r.id")[0]
    sibling = next(f"{tag}-health-r{i}@kepu.example" for i in (1, 2)
                   if f"{tag}-health-r{i}@kepu.example" != assigned)
    outsider = f"{tag}-nobody@kepu.example"
    for email in (assigned, sibling, outsider):
        _join(labelstudio, email)
    return Case(settings, backend, panels, round_id, remote, assigned, sibling, outsider,
                labelstudio.url)


def _reopened_for_assignee(case: Case, old_remote: int) -> dict:
    """The round was sent again to the assignee's own project; the untrusted copy is gone."""
    new_remote = case.current_remote()
    with Database(case.settings.database) as db:
        assert db.rows("SELECT round_id FROM review_void_tasks WHERE remote_task_id = ?",
                       [old_remote]) == [(case.round_id,)]
    # (Label Studio on SQLite may give the new copy the deleted copy's id.)
    task = case.as_user(case.assigned).tasks.get(id=str(new_remote))
    assert not task.annotations  # in the reviewer's queue again, not silently completed
    assert task.data["round_label"].startswith("重新审查 Reopened (")
    with Database(case.settings.database) as db:
        sent_hash, payload = db.rows(
            "SELECT o.data_hash, r.payload FROM review_outbox o JOIN review_rounds r "
            "ON r.id = o.round_id WHERE o.round_id = ?", [case.round_id])[0]
        assert db.scalar("SELECT count(*) FROM decisions WHERE round_id = ?",
                         [case.round_id]) == 0
    assert sent_hash == data_hash(task.data) == data_hash(json.loads(payload)["data"])
    project = case.as_user(case.assigned).projects.get(id=task.project)
    assert project.title == project_title("kepu-review", case.assigned)
    return task


def _waiting(case: Case) -> list[dict]:
    return [w for w in review_status(case.settings)["waiting"] if w["round_id"] == case.round_id]


def test_forged_edit_is_not_recorded_and_reopens_the_round(case):
    ann = case.as_user(case.assigned).annotations.create(id=case.remote_id, result=ACCURATE)
    ids = {e: case.http(e, "GET", "/api/current-user/whoami").json()["id"]
           for e in (case.assigned, case.sibling)}
    # The sibling reads the verdict (CE has no per-user visibility) and overwrites it, even
    # claiming the assignee as author and last editor.
    seen = case.http(case.sibling, "GET", f"/api/tasks/{case.remote_id}").json()
    assert seen["annotations"][0]["result"][0]["value"]["choices"] == ["accurate"]
    forged = case.http(case.sibling, "PATCH", f"/api/annotations/{ann.id}/",
                       json={"result": PSEUDO, "completed_by": ids[case.assigned],
                             "updated_by": ids[case.assigned]})
    assert forged.status_code == 200 and forged.json()["updated_by"] == ids[case.sibling]

    counts = case.pull()
    assert (counts["decisions"], counts["reopened"]) == (0, 1)
    task = _reopened_for_assignee(case, case.remote_id)
    assert (case.sibling, "not_assigned") in case.audit()
    assert ("review", "remote_task_voided") in case.audit()
    assert ("review", "reopened") in case.audit()
    waiting = _waiting(case)
    assert [(w["kind"], w["by_account"], w["assigned_to"]) for w in waiting] == [
        ("not_assigned", case.sibling, case.assigned)]
    assert case.sibling in waiting[0]["reason"] and waiting[0]["due_at"] is not None

    case.as_user(case.assigned).annotations.create(id=task.id, result=PSEUDO)
    assert case.pull()["decided"] == 1
    with Database(case.settings.database) as db:
        assert db.rows("SELECT reviewer, verdict FROM decisions") == [
            (case.assigned, "pseudoscience")]
    assert _waiting(case) == []
    again = case.pull()  # nothing new: nothing recorded twice
    assert again["decisions"] == again["reopened"] == again["noted"] == again["rejected"] == 0


def test_changed_task_data_is_not_trusted_and_the_round_is_reopened(case):
    changed = case.http(case.sibling, "PATCH", f"/api/tasks/{case.remote_id}",
                        json={"data": {**case.as_user(case.assigned).tasks.get(
                            id=str(case.remote_id)).data, "text": "Vaccines are fine.",
                            "round_id": "someone-else"}})
    assert changed.status_code == 200
    case.as_user(case.assigned).annotations.create(id=case.remote_id, result=ACCURATE)
    counts = case.pull()
    assert (counts["decisions"], counts["reopened"]) == (0, 1)
    task = _reopened_for_assignee(case, case.remote_id)
    assert task.data["text"] == "Vaccines cause autism, my neighbour says."
    waiting = _waiting(case)
    assert [w["kind"] for w in waiting] == ["task_changed"]
    assert "round_id, text" in waiting[0]["reason"]
    assert ("review-ui", "task_changed") in case.audit()


def test_an_outsiders_answer_is_rejected_and_the_assignee_gets_the_round_back(case):
    case.as_user(case.outsider).annotations.create(id=case.remote_id, result=PSEUDO)
    counts = case.pull()
    assert (counts["decisions"], counts["reopened"]) == (0, 1)
    _reopened_for_assignee(case, case.remote_id)
    assert [(w["kind"], w["by_account"]) for w in _waiting(case)] == [
        ("not_assigned", case.outsider)]
    assert (case.outsider, "not_assigned") in case.audit()


def test_edits_after_a_decision_are_recorded_and_reopen_the_item(case):
    ann = case.as_user(case.assigned).annotations.create(id=case.remote_id, result=PSEUDO)
    assert case.pull()["decided"] == 1
    with Database(case.settings.database) as db:
        assert db.rows("SELECT label, kind FROM training_examples") == [(1, "confirmed")]

    # The reviewer changes their own verdict: the decision is taken back and the new answer
    # decides (with its feedback), both steps in the audit log.
    case.as_user(case.assigned).annotations.update(id=ann.id, result=ACCURATE)
    counts = case.pull()
    assert (counts["reopened"], counts["decided"]) == (1, 1)
    with Database(case.settings.database) as db:
        assert db.rows("SELECT verdict FROM decisions") == [("accurate",)]
        assert db.rows("SELECT verdict FROM review_outcomes") == [("accurate",)]
        assert sorted(r[0] for r in db.rows("SELECT kind FROM review_superseded")) == [
            "decision", "outcome"]
        assert db.rows("SELECT label, kind FROM training_examples") == [(0, "false_positive")]
        task_actions = [r[0] for r in db.rows(
            "SELECT action FROM audit_log WHERE entity = 'review_task' ORDER BY id")]
    assert {"outcome_superseded", "feedback_withdrawn", "status:decided->in_review"} <= set(
        task_actions)
    assert (case.assigned, "changed_after_decision") in case.audit()
    changes = review_status(case.settings)["after_decision"]
    assert "pseudoscience/medium -> accurate/none" in changes[0]["reason"]

    # Someone else rewrites the decided answer: not recorded, decision taken back, round reopened.
    case.http(case.sibling, "PATCH", f"/api/annotations/{ann.id}/", json={"result": PSEUDO})
    counts = case.pull()
    assert (counts["reopened"], counts["decisions"]) == (1, 0)
    _reopened_for_assignee(case, case.remote_id)
    with Database(case.settings.database) as db:
        assert db.scalar("SELECT count(*) FROM review_outcomes") == 0
        assert db.scalar("SELECT status FROM review_tasks") == "in_review"
        assert db.scalar("SELECT count(*) FROM training_examples") == 0
    assert (case.sibling, "not_assigned") in case.audit()
    assert [w["kind"] for w in _waiting(case)] == ["not_assigned"]


def test_what_another_member_can_still_do_through_the_api(case, labelstudio):
    """Measured, not wished away: the open-source edition lets any member read every project,
    every verdict and the member list, edit or delete any task, and reset the invite link.
    docs/review-guide.md states this; if a check here fails, update the guide."""
    case.as_user(case.assigned).annotations.create(id=case.remote_id, result=PSEUDO)
    sib = case.sibling
    titles = [p["title"] for p in case.http(sib, "GET", "/api/projects").json()["results"]]
    assert project_title("kepu-review", case.assigned) in titles
    task = case.http(sib, "GET", f"/api/tasks/{case.remote_id}").json()
    assert task["annotations"][0]["result"][0]["value"]["choices"] == ["pseudoscience"]
    assert case.assigned in {u["email"] for u in case.http(sib, "GET", "/api/users").json()}
    assert case.http(sib, "GET", "/api/invite").status_code == 200
    assert case.http(sib, "GET", f"/api/projects/{task['project']}/export?exportType=JSON"
                     ).status_code == 200
    title = project_title("kepu-review", case.assigned)
    decoy = case.http(sib, "POST", "/api/projects", json={"title": title}).json()["id"]
    assert case.http(sib, "PATCH", f"/api/projects/{task['project']}",
                     json={"description": "changed"}).status_code == 200
    assert case.http(sib, "DELETE", f"/api/tasks/{case.remote_id}/").status_code == 204
    counts = case.pull()  # the deletion is seen; the answer that went with it is not taken
    assert (counts["decisions"], counts["reopened"]) == (0, 1)
    assert [w["kind"] for w in _waiting(case)] == ["task_missing"]
    new_copy = case.as_user(case.assigned).tasks.get(id=str(case.current_remote()))
    assert new_copy.project == task["project"] != decoy  # kepu's own project, not the decoy


@dataclass
class DoubleCase:
    """A double-review flagged post: both reviewers' rounds pushed, and the panel's senior."""

    case: Case
    reviewers: dict[str, tuple[str, str, int]]  # role -> (round id, reviewer, remote task)
    senior: str

    def arbitration(self) -> tuple[str, int | None] | None:
        with Database(self.case.settings.database) as db:
            rows = db.rows("SELECT r.id, o.remote_task_id FROM review_rounds r JOIN review_outbox "
                           "o ON o.round_id = r.id WHERE r.role = 'arbiter'")
        return rows[0] if rows else None

    def disagree(self) -> object:
        """The first reviewer says pseudo-science, the second accurate: arbitration opens.
        Returns the first reviewer's answer."""
        _, first, first_remote = self.reviewers["first"]
        _, second, second_remote = self.reviewers["second"]
        ann = self.case.as_user(first).annotations.create(id=first_remote, result=PSEUDO)
        self.case.as_user(second).annotations.create(id=second_remote, result=ACCURATE)
        assert self.case.pull()["arbitration"] == 1
        return ann

    def table(self, sql: str) -> list[tuple]:
        with Database(self.case.settings.database) as db:
            return db.rows(sql)


@pytest.fixture
def double(labelstudio, settings, tiny_claims, tmp_path, request) -> DoubleCase:
    tag = "dbl" + request.node.name.removeprefix("test_")[:9].replace("_", "")
    settings, panels = _queued_flag(labelstudio, settings, tiny_claims, tmp_path, tag)
    with Database(settings.database) as db, db.transaction() as conn:
        conn.execute("UPDATE review_tasks SET required_reviews = 2")
    backend = LabelStudioBackend(labelstudio.url, labelstudio.token)
    assert push(settings, backend, panels, active_share=0)["sent"] == 2
    with Database(settings.database) as db:
        rows = db.rows("SELECT r.role, r.id, r.assigned_to, o.remote_task_id FROM review_rounds r "
                       "JOIN review_outbox o ON o.round_id = r.id")
    reviewers = {role: (round_id, who, remote) for role, round_id, who, remote in rows}
    senior = f"{tag}-health-s@kepu.example"
    for email in (*(who for _, who, _ in reviewers.values()), senior, f"{tag}-nobody@kepu.example"):
        _join(labelstudio, email)
    first_round, first, first_remote = reviewers["first"]
    case = Case(settings, backend, panels, first_round, first_remote, first,
                reviewers["second"][1], f"{tag}-nobody@kepu.example", labelstudio.url)
    return DoubleCase(case, reviewers, senior)


def test_a_review_taken_back_takes_back_the_arbitration_it_led_to(double):
    """Two reviewers disagree and a senior is asked to arbitrate. When one of the two answers is
    then taken back (forged by someone else), the arbitration goes with it: the senior's task
    leaves the review UI, the task is back in review, and an agreement among the answers that
    stand decides it without a senior."""
    case = double.case
    _, first, first_remote = double.reviewers["first"]
    ann = double.disagree()
    arbiter_round, arbiter_remote = double.arbitration()
    assert arbiter_remote is not None  # sent to the senior
    assert [a["round_id"] for a in review_status(case.settings)["arbitration"]] == [arbiter_round]

    case.http(case.outsider, "PATCH", f"/api/annotations/{ann.id}/", json={"result": ACCURATE})
    counts = case.pull()
    assert (counts["reopened"], counts["decisions"]) == (1, 0)
    assert double.arbitration() is None
    assert review_status(case.settings)["arbitration"] == []
    assert case.http(double.senior, "GET", f"/api/tasks/{arbiter_remote}").status_code == 404
    assert double.table("SELECT status FROM review_tasks") == [("in_review",)]
    assert double.table("SELECT kind FROM review_superseded ORDER BY kind") == [
        ("decision",), ("round",)]
    with Database(case.settings.database) as db:
        actions = db.rows("SELECT action FROM audit_log WHERE entity_id = ?", [arbiter_round])
    assert ("withdrawn",) in actions

    # the first reviewer answers again, now agreeing: decided without arbitration
    task = _reopened_for_assignee(case, first_remote)
    case.as_user(first).annotations.create(id=task.id, result=ACCURATE)
    counts = case.pull()
    assert (counts["decided"], counts["arbitration"]) == (1, 0)
    assert double.table("SELECT verdict, method FROM review_outcomes") == [("accurate", "agreed")]
    again = case.pull()
    assert again["decisions"] == again["reopened"] == again["arbitration"] == 0


def test_an_arbitrated_review_changed_by_its_reviewer_reopens_the_arbitration_question(double):
    """After a senior's ruling, a first reviewer changes their own answer: the ruling settled a
    disagreement that no longer stands, so it is superseded with the outcome; the answers now
    agree and decide the task (its feedback follows the new outcome)."""
    case = double.case
    _, first, first_remote = double.reviewers["first"]
    ann = double.disagree()
    _, arbiter_remote = double.arbitration()
    case.as_user(double.senior).annotations.create(id=arbiter_remote, result=PSEUDO)
    assert case.pull()["decided"] == 1
    assert double.table("SELECT verdict, method FROM review_outcomes") == [
        ("pseudoscience", "arbitrated")]

    case.as_user(first).annotations.update(id=ann.id, result=ACCURATE)
    counts = case.pull()
    assert (counts["reopened"], counts["decided"], counts["arbitration"]) == (1, 1, 0)
    assert double.table("SELECT verdict, method FROM review_outcomes") == [("accurate", "agreed")]
    assert double.table("SELECT role, verdict FROM decisions ORDER BY role") == [
        ("first", "accurate"), ("second", "accurate")]
    assert sorted(double.table("SELECT kind FROM review_superseded")) == [
        ("decision",), ("decision",), ("outcome",), ("round",)]
    assert double.table("SELECT label, kind FROM training_examples") == [(0, "false_positive")]
    assert case.http(double.senior, "GET", f"/api/tasks/{arbiter_remote}").status_code == 404


def test_a_disagreement_that_stands_after_a_review_is_taken_back_goes_to_arbitration_again(double):
    case = double.case
    _, first, first_remote = double.reviewers["first"]
    ann = double.disagree()
    first_arbitration, _ = double.arbitration()
    # someone not on the panel answers the senior's task: kept against that round
    _, outsider_remote = double.arbitration()
    case.as_user(case.outsider).annotations.create(id=outsider_remote, result=PSEUDO)
    assert case.pull()["reopened"] == 1  # the senior's round is sent again
    case.http(case.outsider, "PATCH", f"/api/annotations/{ann.id}/", json={"result": ACCURATE})
    assert case.pull()["reopened"] == 1 and double.arbitration() is None

    task = _reopened_for_assignee(case, first_remote)
    case.as_user(first).annotations.create(id=task.id, result=PSEUDO)
    assert case.pull()["arbitration"] == 1
    arbiter_round, arbiter_remote = double.arbitration()
    assert arbiter_round == f"{first_arbitration}-2"  # a new round: nothing recorded follows it
    fresh = case.as_user(double.senior).tasks.get(id=str(arbiter_remote))
    assert not fresh.annotations
    assert not fresh.data["round_label"].startswith("重新审查")
    assert double.table("SELECT status FROM review_tasks") == [("arbitration",)]
    status = review_status(case.settings)
    assert [a["round_id"] for a in status["arbitration"]] == [arbiter_round]
    assert status["waiting"] == []  # the outsider's old answer does not come back
    with Database(case.settings.database) as db:
        def actions(round_id):
            return [r[0] for r in db.rows("SELECT action FROM audit_log WHERE entity_id = ? "
                                          "ORDER BY id", [round_id])]
        assert actions(first_arbitration)[-2:] == ["remote_task_voided", "withdrawn"]
        assert actions(arbiter_round) == ["queued", "sent"]


def test_a_ruling_given_as_its_arbitration_is_withdrawn_is_kept_not_lost(double):
    """The senior rules and the first reviewer changes their answer before the next pull: the
    ruling settled a disagreement that no longer stands, so it decides nothing, but it is kept
    (with why) rather than dropped with the deleted task."""
    case = double.case
    ann = double.disagree()
    arbiter_round, arbiter_remote = double.arbitration()
    ruling = case.as_user(double.senior).annotations.create(id=arbiter_remote, result=PSEUDO)
    case.as_user(double.reviewers["first"][1]).annotations.update(id=ann.id, result=ACCURATE)
    counts = case.pull()
    assert (counts["reopened"], counts["decided"]) == (1, 1)
    assert double.table("SELECT verdict, method FROM review_outcomes") == [("accurate", "agreed")]
    kept = double.table("SELECT annotation_key, round_id, reviewer, kind FROM review_rejections "
                        "WHERE kind = 'withdrawn'")
    assert [(k.split("@")[0], r, who, kind) for k, r, who, kind in kept] == [
        (str(ruling.id), arbiter_round, double.senior, "withdrawn")]
    assert case.pull()["decisions"] == 0  # nothing recorded twice


def test_a_failed_delete_of_the_arbitration_task_writes_nothing_and_the_next_pull_redoes_it(
        double):
    from review_queue.backend import BackendUnavailable

    case = double.case
    ann = double.disagree()
    _, arbiter_remote = double.arbitration()

    class Flaky(LabelStudioBackend):
        def delete_task(self, remote_task_id: int) -> bool:
            if remote_task_id == arbiter_remote:
                raise BackendUnavailable("connection reset")
            return super().delete_task(remote_task_id)

    case.http(case.outsider, "PATCH", f"/api/annotations/{ann.id}/", json={"result": ACCURATE})
    flaky = Flaky(case.url, case.settings.labelstudio_token.get_secret_value())
    with pytest.raises(BackendUnavailable):
        pull(case.settings, flaky, case.panels)
    first_remote = double.reviewers["first"][2]
    assert case.http(case.assigned, "GET", f"/api/tasks/{first_remote}").status_code == 200
    assert double.table("SELECT count(*) FROM decisions") == [(2,)]
    assert double.arbitration() is not None
    counts = case.pull()
    assert counts["reopened"] == 1 and double.arbitration() is None
    _reopened_for_assignee(case, first_remote)
