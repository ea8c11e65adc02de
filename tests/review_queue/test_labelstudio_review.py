"""End to end against a real Label Studio: push (with an outage first), reviewers annotate
through the API with their own tokens, pull, arbitration, final verdicts, feedback, audit log."""

from __future__ import annotations

import json
import socket

import pytest
from label_studio_sdk import LabelStudio
from typer.testing import CliRunner

from common.records import Flag, Match, Post
from common.settings import load_settings
from kepu.cli import app
from kepu.reviewing.enqueue import enqueue_flagged
from kepu.reviewing.outbox import project_title
from kepu.reviewing.sync import pull, push
from review_queue.labelstudio_client import LabelStudioBackend
from store import Database
from store.audit import verify_audit
from store.claims import save_claims
from store.flags import save_flags
from store.posts import save_post

pytestmark = pytest.mark.e2e


def choice(name, value):
    return {"from_name": name, "to_name": "post", "type": "choices", "value": {"choices": [value]}}


def text(name, value):
    return {"from_name": name, "to_name": "post", "type": "textarea", "value": {"text": [value]}}


def review(verdict, harm, rationale="", refs=""):
    result = [choice("verdict", verdict), choice("harm", harm)]
    return result + ([text("rationale", rationale)] if rationale else []) + (
        [text("references", refs)] if refs else [])


def _seed(settings, tiny_claims):
    from dataclasses import replace

    with Database(settings.database) as db:  # c2 stands for a myth kept in two languages
        save_claims(db, [replace(c, group="autism") if c.id == "c2" else c for c in tiny_claims])
        myth = save_post(db, Post(id="", text="Doctors hide it: vaccines cause autism in children.",
                                  title="The vaccine truth", lang="en"), "http://s.example/a")
        fine = save_post(db, Post(id="", text="Leftovers in the fridge are safe for a day.",
                                  title="Leftovers", lang="en"), "http://s.example/b")
        unsure = save_post(db, Post(id="", text="A new supplement may help sleep, a study says.",
                                    title="Sleep supplement", lang="en"), "http://s.example/c")
        save_flags(db, [
            Flag(myth.post_id, True, 0.95, "asserts",
                 (Match("c2", 0.93, "vaccines cause autism in children", "asserts"),),
                 "asserts c2", "vaccines"),
            Flag(fine.post_id, True, 0.6, "neutral",
                 (Match("c1", 0.7, "Leftovers in the fridge are safe", "neutral"),),
                 "classifier", "food_safety"),
            Flag(unsure.post_id, False, 0.3, "neutral", (), "no claim matched", None, 0.5),
        ], {"c1": 1, "c2": 1}, "clf-test")
    return myth.post_id, fine.post_id, unsure.post_id


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tasks_by_round(admin: LabelStudio) -> dict[str, object]:
    return {t.data["round_id"]: t for p in admin.projects.list()
            for t in admin.tasks.list(project=p.id, fields="all")}


def test_review_round_trip(labelstudio, settings, tiny_claims):
    settings = load_settings(**{**settings.model_dump(), "labelstudio_url": labelstudio.url,
                                "labelstudio_token": labelstudio.token})
    myth, fine, unsure = _seed(settings, tiny_claims)
    assert enqueue_flagged(settings) == 2
    backend = LabelStudioBackend(labelstudio.url, labelstudio.token)

    # Label Studio down: nothing is lost, the rounds wait in the outbox.
    down = LabelStudioBackend(f"http://127.0.0.1:{_closed_port()}", "x" * 40, timeout_s=2)
    # The unflagged post the classifier is unsure about joins as an active-learning task.
    assert push(settings, down) == {"active_learning": 1, "rounds_created": 4, "sent": 0,
                                    "pending": 4}
    assert push(settings, backend) == {"active_learning": 0, "rounds_created": 0, "sent": 4,
                                       "pending": 0}
    assert push(settings, backend) == {"active_learning": 0, "rounds_created": 0, "sent": 0,
                                       "pending": 0}
    admin = LabelStudio(base_url=labelstudio.url, api_key=labelstudio.token)
    tasks = _tasks_by_round(admin)
    assert len(tasks) == 4  # re-pushing never duplicates
    with Database(settings.database) as db:
        task_a = db.scalar("SELECT id FROM review_tasks WHERE post_id = ?", [myth])
        task_b = db.scalar("SELECT id FROM review_tasks WHERE post_id = ?", [fine])
        task_c = db.scalar("SELECT id FROM review_tasks WHERE post_id = ?", [unsure])
    assert set(tasks) == {f"{task_a}-first", f"{task_a}-second", f"{task_b}-first",
                          f"{task_c}-first"}
    assert tasks[f"{task_c}-first"].data["origin"] == "active_learning"
    pred = admin.predictions.list(task=tasks[f"{task_a}-first"].id)[0]
    assert pred.model_version == "clf-test" and pred.score == pytest.approx(0.95)

    with Database(settings.database) as db:
        assigned = dict(db.rows("SELECT id, assigned_to FROM review_rounds"))
    as_user = {email: LabelStudio(base_url=labelstudio.url, api_key=labelstudio.sign_up(email))
               for email in {*assigned.values(), "vaccines.senior@kepu.example"}}
    r1 = as_user[assigned[f"{task_a}-first"]]
    first = r1.annotations.create(id=tasks[f"{task_a}-first"].id,
                                  result=review("pseudoscience", "medium", "No causal link."))
    assert pull(settings, backend)["rejected"] == 1  # a reference is required
    r1.annotations.update(id=first.id, result=review(
        "pseudoscience", "medium", "No causal link.", "WHO vaccine safety 2024"))
    as_user[assigned[f"{task_a}-second"]].annotations.create(
        id=tasks[f"{task_a}-second"].id, result=review("accurate", "none"))
    as_user[assigned[f"{task_b}-first"]].annotations.create(
        id=tasks[f"{task_b}-first"].id, result=review("accurate", "none"))
    counts = pull(settings, backend)
    assert (counts["decisions"], counts["arbitration"], counts["decided"], counts["sent"]) == \
        (3, 1, 1, 1)

    _check_status(settings, task_a, task_b)
    tasks = _tasks_by_round(admin)
    assert "pseudoscience" not in json.dumps(tasks[f"{task_a}-second"].data)  # blind
    earlier = tasks[f"{task_a}-arbiter"].data["earlier"]
    assert "pseudoscience" in earlier and "accurate" in earlier
    as_user["vaccines.senior@kepu.example"].annotations.create(
        id=tasks[f"{task_a}-arbiter"].id,
        result=review("pseudoscience", "high", "Cohorts of millions show no link.",
                      "Madsen 2002 NEJM\nWHO GACVS"))
    assert pull(settings, backend)["decided"] == 1
    titles = sorted(p.title for p in admin.projects.list() if p.title.startswith("kepu-review"))
    owners = {*assigned.values(), "vaccines.senior@kepu.example"}
    assert titles == sorted(project_title("kepu-review", o) for o in owners)  # one per reviewer
    assert len({assigned[f"{task_a}-first"], assigned[f"{task_a}-second"]}) == 2
    assert not list((labelstudio.data_dir / "export").glob("*"))  # pull made no export files

    with Database(settings.database) as db:
        audit_before = db.scalar("SELECT count(*) FROM audit_log")
        again = pull(settings, backend)
        assert again["decisions"] == again["rejected"] == again["sent"] == 0
        assert db.scalar("SELECT count(*) FROM audit_log") == audit_before  # idempotent
        _check_store(db, task_a, task_b, myth, fine, assigned)


def _check_status(settings, task_a, task_b):
    """`kepu review status` shows the pending arbitration and an overdue round, each with its
    assignee and due time, per panel."""
    with Database(settings.database) as db:
        db.execute("UPDATE review_tasks SET due_at = now() - INTERVAL 2 HOUR WHERE id = ?",
                   [task_a])
    result = CliRunner().invoke(app, ["review", "status"], env={
        "KEPU_HOME": str(settings.home), "COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    arbitration = result.output.split("arbitration pending")[1].split("changes after")[0]
    assert f"{task_a}-arbiter" in arbitration and "vaccines.senior@kepu.example" in arbitration
    overdue = result.output.split("overdue rounds")[1].split("answers not accepted")[0]
    assert f"{task_a}-arbiter" in overdue and "vaccines" in overdue
    assert task_b not in overdue  # decided
    assert "answers not accepted, round still open: none" in result.output


def _check_store(db, task_a, task_b, myth, fine, assigned):
    outcomes = {r[0]: r[1:] for r in db.rows(
        "SELECT task_id, verdict, harm, method, decided_by FROM review_outcomes")}
    assert outcomes[task_a] == ("pseudoscience", "high", "arbitrated",
                                [assigned[f"{task_a}-first"], assigned[f"{task_a}-second"],
                                 "vaccines.senior@kepu.example"])
    assert outcomes[task_b][:3] == ("accurate", "none", "single")
    decisions = db.dicts("SELECT * FROM decisions ORDER BY decided_at")
    assert [d["role"] for d in decisions if d["task_id"] == task_a] == [
        "first", "second", "arbiter"]
    assert all(d["model_version"] == "clf-test" for d in decisions)
    assert all("vaccines cause autism" in d["evidence"] or "Leftovers" in d["evidence"]
               for d in decisions)
    assert db.scalar("SELECT count(*) FROM decisions") == 4
    claim = db.dicts("SELECT * FROM claims WHERE id = 'c2' ORDER BY version DESC LIMIT 1")[0]
    assert claim["version"] == 2 and claim["source"].startswith(f"review:{task_a}")
    assert "Madsen 2002 NEJM" in claim["source"]
    assert claim["variants"] == ["vaccines cause autism in children"]  # the confirmed sentence
    assert claim["claim_group"] == "autism"  # the new version stays with its other languages
    examples = {r[0]: r[1:] for r in db.rows(
        "SELECT post_id, label, kind, source FROM training_examples")}
    assert examples == {myth: (1, "confirmed", "review"), fine: (0, "false_positive", "review")}
    actions = [r[0] for r in db.rows(
        "SELECT action FROM audit_log WHERE entity_id = ? ORDER BY id", [task_a])]
    assert actions == ["created", "status:open->in_review", "status:in_review->arbitration",
                       "final_verdict", "status:arbitration->decided", "fed_back"]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'annotation_rejected'") == 1
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'send_failed'") == 4
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'recorded'") == 4
    assert db.scalar("SELECT count(*) FROM review_rejections WHERE kind <> 'invalid'") == 0
    assert verify_audit(db).ok  # every audit row chained
