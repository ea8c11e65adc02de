from datetime import UTC, datetime

from kepu.records import Claim, Flag, Match, Post, ReviewTask
from kepu.store import Database
from kepu.store.claims import current_claims, save_claims
from kepu.store.flags import flagged_posts, save_flags
from kepu.store.posts import load_posts, save_post
from kepu.store.review import save_tasks


def test_migrations_apply_once(tmp_path):
    path = tmp_path / "k.duckdb"
    with Database(path) as db:
        assert db.scalar("SELECT count(*) FROM schema_migrations") >= 1
    with Database(path) as db:
        assert db.migrate() == []
        tables = {r[0] for r in db.rows("SELECT table_name FROM information_schema.tables")}
    assert {"sources", "posts", "claims", "post_claims", "flags", "review_tasks", "decisions",
            "audit_log", "model_versions"} <= tables


def test_post_is_stored_once_and_copies_link_to_first(db):
    post = Post(id="x", text="Some text about vaccines.", title="T")
    assert save_post(db, post, "http://a.test/1").outcome == "new"
    assert save_post(db, post, "http://a.test/1").outcome == "unchanged"
    assert save_post(db, post, "http://b.test/copy").outcome == "duplicate"
    changed = Post(id="x", text="Some other text.", title="T")
    assert save_post(db, changed, "http://a.test/1").outcome == "changed"
    assert db.scalar("SELECT count(*) FROM posts") == 2
    first = db.scalar("SELECT id FROM posts WHERE canonical_url = 'http://a.test/1'")
    assert db.scalar("SELECT duplicate_of FROM posts WHERE canonical_url = 'http://b.test/copy'") \
        == first
    assert [p.id for p in load_posts(db)] == [first]


def test_claim_edits_are_new_versions(db, tiny_claims):
    assert save_claims(db, tiny_claims)["new"] == 4
    assert save_claims(db, tiny_claims)["unchanged"] == 4
    edited = Claim(**{**tiny_claims[0].__dict__, "explanation": "Updated explanation."})
    assert save_claims(db, [edited])["updated"] == 1
    assert db.scalar("SELECT count(*) FROM claims WHERE id = 'c1'") == 2
    latest = {c.id: c for c in current_claims(db)}["c1"]
    assert latest.version == 2 and latest.explanation == "Updated explanation."
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'claim'") == 5


def test_flags_and_tasks_are_idempotent(db):
    save_post(db, Post(id="p", text="Vaccines cause autism."), "http://a.test/p")
    pid = db.scalar("SELECT id FROM posts")
    flag = Flag(pid, True, 0.9, "asserts", (Match("c2", 0.93, "Vaccines cause autism."),),
                "asserts c2", "vaccines", 0.7)
    for _ in range(2):
        save_flags(db, [flag], {"c2": 1}, "m1")
    assert db.scalar("SELECT count(*) FROM flags") == 1
    assert db.scalar("SELECT count(*) FROM post_claims") == 1
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'flag'") == 1
    assert flagged_posts(db)[0]["topic"] == "vaccines"
    task = ReviewTask("rt-1", pid, "vaccines", 0.9, due_at=datetime.now(UTC))
    assert save_tasks(db, [task]) == 1
    assert save_tasks(db, [task]) == 0
    assert db.scalar("SELECT count(*) FROM review_tasks") == 1
