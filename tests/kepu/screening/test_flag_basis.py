"""Migration 008: a flag stores which signal raised it and the detector's probability; the
review queue reads both with the flagged posts. Re-scoring replaces them."""

from common.records import Flag, Post
from store.flags import flagged_posts, save_flags
from store.posts import save_post


def test_the_basis_and_detector_score_are_stored_and_replaced(db):
    save_post(db, Post(id="p", text="Onion socks pull out toxins."), "http://a.test/p")
    pid = db.scalar("SELECT id FROM posts")
    detector_flag = Flag(pid, True, 0.91, "neutral", (), "probable pseudo-science, no known "
                         "claim: detector p=0.91 >= 0.70; cues: toxins", None, 0.2, "detector",
                         0.91)
    save_flags(db, [detector_flag], {}, "m1")
    row = flagged_posts(db)[0]
    assert row["basis"] == "detector" and row["detector_score"] == 0.91
    rescored = Flag(pid, True, 0.8, "asserts", (), "asserts c1", "health", 0.2, "claim", 0.3)
    save_flags(db, [rescored, rescored], {}, "m1")
    assert db.rows("SELECT basis, detector_score FROM flags") == [("claim", 0.3)]


def test_flags_written_before_the_migration_read_as_claim_flags(db):
    save_post(db, Post(id="q", text="Text."), "http://a.test/q")
    pid = db.scalar("SELECT id FROM posts")
    db.execute("INSERT INTO flags (post_id, flagged, score, stance, scored_at) "
               "VALUES (?, true, 0.9, 'asserts', now())", [pid])
    assert db.rows("SELECT basis, detector_score FROM flags") == [("claim", None)]
