"""Flags the pseudo-science detector raised alone, through the queue and back (real DuckDB file,
no review UI): ranked below matched myths, and a confirmed one grows the claims base."""

from __future__ import annotations

from common.records import Flag, Match, Post
from kepu.reviewing.enqueue import enqueue_flagged
from kepu.reviewing.sync import feed_back
from store import Database
from store import review as store
from store.claims import current_claims, save_claims
from store.flags import save_flags
from store.posts import save_post

QUANTUM = ("量子能量吊坠，贴身佩戴七天，血液里的毒素全部排出，医院不会告诉你。"
           "Scientists are hiding it: the quantum pendant cures every disease.")


def _seed(settings, tiny_claims) -> dict[str, str]:
    with Database(settings.database) as db:
        save_claims(db, tiny_claims)
        myth = save_post(db, Post("", "Vaccines cause autism in children.", "myth", "en"),
                         "http://s.example/myth").post_id
        gadget = save_post(db, Post("", QUANTUM, "pendant", "zh"),
                           "http://s.example/pendant").post_id
        save_flags(db, [
            Flag(myth, True, 0.95, "asserts", (Match("c2", 0.9, "Vaccines cause autism",
                                                     "asserts"),), "asserts c2", "vaccines",
                 0.5),
            Flag(gadget, True, 0.95, "neutral", (), "probable pseudo-science, no known claim",
                 "health", 0.5, "detector", 0.95)], {"c2": 1}, "clf-test")
    return {"myth": myth, "gadget": gadget}


def test_detector_flags_queue_below_myths_and_confirmed_ones_become_claims(settings,
                                                                          tiny_claims):
    ids = _seed(settings, tiny_claims)
    assert enqueue_flagged(settings) == 2
    with Database(settings.database) as db:
        tasks = dict(db.rows("SELECT post_id, priority FROM review_tasks"))
        assert tasks[ids["gadget"]] < tasks[ids["myth"]]
        task = db.scalar("SELECT id FROM review_tasks WHERE post_id = ?", [ids["gadget"]])
        with db.transaction():
            store.add_outcome(db, task, "pseudoscience", "medium", "single", ["r1"])
        assert feed_back(db) == 1
        assert feed_back(db) == 0  # each outcome once
        new = [c for c in current_claims(db) if c.source == f"review:{task}"]
        example = db.rows("SELECT label, kind FROM training_examples")
    assert len(new) == 1 and new[0].verdict == "false" and new[0].topic == "health"
    assert new[0].variants and "量子" in new[0].variants[0]
    assert example == [(1, "confirmed")]
