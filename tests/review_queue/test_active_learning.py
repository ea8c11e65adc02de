"""Active learning in the review queue, on a real DuckDB file and without the review UI: which
unflagged posts become tasks, where they are routed, how they are marked, and that re-running
adds nothing."""

from __future__ import annotations

import pytest

from common.records import Flag, Match, Post
from kepu.reviewing.enqueue import enqueue_flagged, enqueue_uncertain
from kepu.reviewing.sync import feed_back, plan_rounds
from store import Database
from store import review as store
from store.claims import save_claims
from store.flags import save_flags
from store.posts import save_post

# post key -> (flagged, classifier score, matched claim or None)
POSTS = {
    "myth": (True, 0.97, "c2"),
    "unsure_matched": (False, 0.52, "c1"),  # most uncertain; matched a food_safety claim
    "unsure_plain": (False, 0.44, None),  # next; no claim, no topic
    "sure_no": (False, 0.03, None),
    "fairly_sure": (False, 0.2, None),
}


def _seed(settings, tiny_claims) -> dict[str, str]:
    ids = {}
    with Database(settings.database) as db:
        save_claims(db, tiny_claims)
        flags = []
        for i, (key, (flagged, prob, claim)) in enumerate(POSTS.items()):
            stored = save_post(db, Post(id="", text=f"Post {key} about leftovers and vaccines.",
                                        title=key, lang="en"), f"http://s.example/{i}")
            ids[key] = stored.post_id
            matches = (Match(claim, 0.7, "a sentence", "neutral"),) if claim else ()
            flags.append(Flag(stored.post_id, flagged, 0.9 if flagged else 0.2, "neutral",
                              matches, "test", "vaccines" if flagged else None, prob))
        save_flags(db, flags, {"c1": 1, "c2": 1}, "clf-test")
    return ids


def _tasks(settings) -> dict[str, dict]:
    with Database(settings.database) as db:
        return {r["post_id"]: r for r in db.dicts(
            "SELECT post_id, panel, priority, origin, required_reviews FROM review_tasks")}


def test_most_uncertain_unflagged_posts_become_marked_tasks_once(settings, tiny_claims):
    ids = _seed(settings, tiny_claims)
    assert enqueue_flagged(settings) == 1
    assert enqueue_uncertain(settings, 0.5) == 2  # ceil(0.5 * 4 unflagged)
    tasks = _tasks(settings)
    picked = {k for k, v in ids.items() if v in tasks and tasks[v]["origin"] == "active_learning"}
    assert picked == {"unsure_matched", "unsure_plain"}
    assert tasks[ids["unsure_matched"]]["panel"] == "food_safety"  # the matched claim's field
    assert tasks[ids["unsure_plain"]]["panel"] == "general"
    assert tasks[ids["myth"]]["origin"] == "flagged"
    assert max(tasks[ids[k]]["priority"] for k in picked) < tasks[ids["myth"]]["priority"]
    assert all(tasks[ids[k]]["required_reviews"] == 1 for k in picked)

    assert enqueue_uncertain(settings, 0.5) == 0  # the share counts earlier picks: no drain
    assert enqueue_uncertain(settings, 0.0) == 0
    assert enqueue_uncertain(settings, 1.0) == 2  # a bigger share adds the rest, once
    assert enqueue_uncertain(settings, 1.0) == 0
    with Database(settings.database) as db:
        audit = db.rows("SELECT actor, detail FROM audit_log WHERE entity = 'review_task' "
                        "AND action = 'created' ORDER BY id")
    assert [a for a, _ in audit] == ["queue"] + ["active_learning"] * 4
    assert all("origin=active_learning" in d for a, d in audit if a == "active_learning")


def test_active_learning_rounds_tell_the_reviewer_where_the_post_came_from(settings,
                                                                          tiny_claims):
    ids = _seed(settings, tiny_claims)
    enqueue_flagged(settings)
    enqueue_uncertain(settings, 0.25)
    with Database(settings.database) as db:
        assert plan_rounds(settings, db) == 3  # the flagged myth is double-reviewed
        payloads = {r["payload"]["data"]["post_id"]: r["payload"]["data"]
                    for r in store.pending_outbox(db)}
    active, flagged = payloads[ids["unsure_matched"]], payloads[ids["myth"]]
    assert active["origin"] == "active_learning" and flagged["origin"] == "flagged"
    assert active["round_label"].startswith("主动学习 Active learning")
    assert "Active learning" not in flagged["round_label"]


def test_active_learning_verdicts_feed_back_as_their_own_source(settings, tiny_claims):
    ids = _seed(settings, tiny_claims)
    enqueue_uncertain(settings, 0.25)
    with Database(settings.database) as db:
        task = db.scalar("SELECT id FROM review_tasks WHERE post_id = ?", [ids["unsure_matched"]])
        with db.transaction():
            store.add_outcome(db, task, "accurate", "none", "single", ["r1"])
        assert feed_back(db) == 1
        row = db.rows("SELECT label, kind, source FROM training_examples")
    assert row == [(0, "accurate", "active_learning")]  # not a false positive: never flagged


def test_push_refuses_a_share_outside_zero_to_one(settings):
    with pytest.raises(ValueError, match="share"):
        enqueue_uncertain(settings, 1.5)
