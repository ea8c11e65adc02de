from datetime import UTC, datetime

from common.records import Claim, Flag, Match, Post, ReviewTask
from store import Database
from store.claims import current_claims, save_claims
from store.flags import flagged_posts, save_flags
from store.posts import load_posts, save_post
from store.review import save_tasks


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


def test_a_claim_group_is_stored_and_only_a_set_group_changes_the_version(db, tiny_claims):
    from dataclasses import replace

    save_claims(db, tiny_claims)
    assert save_claims(db, tiny_claims)["unchanged"] == len(tiny_claims)  # no group: same hash
    assert save_claims(db, [replace(tiny_claims[0], group="leftovers")])["updated"] == 1
    latest = {c.id: c for c in current_claims(db)}
    assert (latest["c1"].group, latest["c1"].version) == ("leftovers", 2)
    assert (latest["c4"].group, latest["c4"].version) == ("", 1)


def test_claim_variants_are_content_and_their_vectors_are_cached(db, tiny_claims,
                                                                 counting_embedder):
    from dataclasses import replace

    import numpy as np

    from kepu.screening.scoring import claim_index

    save_claims(db, tiny_claims)
    with_variants = replace(tiny_claims[1], variants=("Jabs give kids autism.",
                                                      "The MMR shot causes autism."))
    assert save_claims(db, [with_variants])["updated"] == 1
    assert save_claims(db, [with_variants])["unchanged"] == 1
    latest = {c.id: c for c in current_claims(db)}
    assert latest["c2"].variants == with_variants.variants and latest["c2"].version == 2
    assert latest["c1"].variants == () and latest["c1"].version == 1

    embedder = counting_embedder
    index = claim_index(db, embedder)
    assert embedder.calls == len(tiny_claims) + 2
    assert claim_index(db, embedder).vectors.shape == index.vectors.shape == (6, embedder.dim)
    assert embedder.calls == len(tiny_claims) + 2  # nothing embedded twice
    jab = embedder.encode(["Jabs give kids autism."])[0]
    assert np.isclose(index.similarity(jab, index.position["c2"]), 1.0, atol=1e-5)


def test_a_confirmed_sentence_becomes_a_variant_once():
    from kepu.reviewing.sync import MAX_VARIANTS, with_variant

    claim = "Vaccines cause autism."
    assert with_variant((), "  Jabs  give kids autism. ", claim) == ("Jabs give kids autism.",)
    assert with_variant(("Jabs give kids autism.",), "Jabs give kids autism.", claim) == (
        "Jabs give kids autism.",)
    assert with_variant((), claim, claim) == ()
    full = tuple(f"v{i}" for i in range(MAX_VARIANTS))
    assert with_variant(full, "new one", claim) == (*full[1:], "new one")


def test_vectors_are_cached_under_their_vectors_id_not_the_model_name(db, tiny_claims,
                                                                      counting_embedder,
                                                                      settings):
    """An approximate runtime (int8) shares the model's name, for its heads, but never the
    cached vectors of the exact one."""
    from kepu.evaluation.public_sets import cached_encode
    from kepu.screening.scoring import claim_index
    from models.registry import vector_cache

    save_claims(db, tiny_claims)
    exact = counting_embedder
    claim_index(db, exact)
    approximate = type(exact)()
    approximate.vectors_id = f"{exact.name}-int8-test"
    claim_index(db, approximate)
    assert approximate.calls == len(tiny_claims)  # nothing taken from the exact one's cache
    ids = {row[0] for row in db.rows("SELECT DISTINCT model FROM embeddings")}
    assert ids == {exact.vectors_id, approximate.vectors_id}
    assert vector_cache(settings, approximate).directory != vector_cache(settings, exact).directory
    cached_encode(settings, exact, ["one text"], "query")
    cached_encode(settings, approximate, ["one text"], "query")
    assert approximate.calls == len(tiny_claims) + 1
