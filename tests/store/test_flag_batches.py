"""save_flags writes a batch in a few statements: the rows must be what one row at a time wrote."""

from common.records import Flag, Match
from store.audit import verify_audit
from store.flags import save_flags


def _flag(i: int, flagged: bool, score: float = 0.9, matches: tuple[Match, ...] = ()) -> Flag:
    return Flag(f"p{i:04d}", flagged, score, "asserts" if flagged else "none", matches,
                f"reason {i}", "health" if i % 2 else None, None if i % 3 else 0.25,
                "detector" if i % 5 == 0 else "claim", 0.5 if i % 5 == 0 else None)


def test_a_batch_across_chunks_stores_each_flag_once_with_its_audit_chain(db):
    flags = [_flag(i, i % 4 == 0, matches=(Match("c1", 0.8, f"s{i}"),)) for i in range(1_203)]
    save_flags(db, flags, {"c1": 3}, "m1")
    assert db.scalar("SELECT count(*) FROM flags") == 1_203
    assert db.rows("SELECT post_id, flagged, score, stance, topic, reason, classifier_score, "
                   "model_version, basis, detector_score FROM flags WHERE post_id = 'p0015'") == [
        ("p0015", False, 0.9, "none", "health", "reason 15", 0.25, "m1", "detector", 0.5)]
    assert db.scalar("SELECT count(*) FROM post_claims WHERE claim_version = 3") == 1_203
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'flag'") == 1_203
    # the same batch again changes nothing; flipping 10 flags adds exactly 10 audit rows
    save_flags(db, flags, {"c1": 3}, "m1")
    flipped = [_flag(i, not flags[i].flagged) for i in range(10)]
    save_flags(db, flipped, {"c1": 3}, "m2")
    assert db.scalar("SELECT count(*) FROM flags") == 1_203
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'flag'") == 1_213
    assert db.scalar("SELECT count(*) FROM post_claims") == 1_193  # re-scored posts: no match
    assert db.scalar("SELECT count(*) FROM flags WHERE model_version = 'm2'") == 10
    report = verify_audit(db)
    assert report.broken_at is None and report.rows == db.scalar("SELECT count(*) FROM audit_log")


def test_a_post_twice_in_one_batch_keeps_the_last_and_a_claim_twice_its_highest_similarity(db):
    first = _flag(1, True, 0.4)
    last = _flag(1, False, 0.2, (Match("c1", 0.7, "a"), Match("c1", 0.9, "b"),
                                 Match("c2", 0.6, "c")))
    save_flags(db, [first, last], {}, "m1")
    assert db.rows("SELECT flagged, score FROM flags") == [(False, 0.2)]
    assert db.rows("SELECT claim_id, claim_version, sentence, similarity FROM post_claims "
                   "ORDER BY claim_id") == [("c1", 1, "a", 0.9), ("c2", 1, "c", 0.6)]
    assert db.scalar("SELECT count(*) FROM audit_log") == 1
    save_flags(db, [], {}, "m1")  # nothing to write: no statement fails
    report = verify_audit(db)
    assert report.broken_at is None and report.rows == db.scalar("SELECT count(*) FROM audit_log")
