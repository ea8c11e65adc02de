"""`kepu eval operating-point`: imported base, kepu flag's path, gold claims removed."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from common.errors import InputError
from common.records import Flag, Match, Post
from kepu.evaluation.operating_point import (
    LabelledPost,
    figures,
    operating_point,
    own_post_rows,
    read_labelled_posts,
    with_added_claims,
)
from pipeline.embedding import HashingEmbedder


def _claim_rows(claims):
    rows = []
    for claim in claims:
        row = asdict(claim)
        row.pop("version")
        row["variants"] = list(row["variants"])
        rows.append(row)
    return rows


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def test_figures_count_matches_false_matches_and_flags():
    def lp(pid, label, ids=(), lang="en"):
        return LabelledPost(Post(pid, "text", lang=lang), label, tuple(ids))

    def flag(pid, flagged, *claims):
        return Flag(pid, flagged, 0.9 if flagged else 0.1, "asserts",
                    tuple(Match(c, 0.9, "s") for c in claims))

    picked = [(lp("m1", "myth", ["c1"]), flag("m1", True, "c1")),
              (lp("m2", "myth", ["c2"]), flag("m2", False, "c9")),
              (lp("d1", "debunk", ["c1"]), flag("d1", False, "c1")),
              (lp("s1", "science"), flag("s1", True, "c3")),
              (lp("o1", "offtopic"), flag("o1", False))]
    without = {"m1": flag("m1", False), "m2": flag("m2", True, "c9"), "d1": flag("d1", False)}
    got = figures(picked, without)
    assert got["match recall"] == pytest.approx(2 / 3)
    assert got["false matches, gold removed"] == pytest.approx(1 / 3)
    assert got["false matches, posts of no claim"] == pytest.approx(1 / 2)
    assert got["myth flagged"] == 0.5 and got["debunk flagged"] == 0.0
    assert got["science flagged"] == 1.0 and got["offtopic flagged"] == 0.0
    assert got["flag precision"] == 0.5 and got["flag recall"] == 0.5


def test_operating_point_runs_kepu_flags_path_twice(settings, tiny_claims, tmp_path):
    posts = _write(tmp_path / "posts.jsonl", [
        {"id": "p1", "text": "Leftover vegetables kept overnight cause cancer, really.",
         "lang": "en", "label": "myth", "claim_ids": ["c1"]},
        {"id": "p2", "text": "Our cat sleeps in the laundry basket every single afternoon.",
         "lang": "en", "label": "offtopic", "claim_ids": []}])
    labelled = read_labelled_posts(posts)
    got = operating_point(settings, HashingEmbedder(), _claim_rows(tiny_claims), labelled, "t")
    assert got["en"]["match recall"] == 1.0
    assert got["en"]["false matches, gold removed"] == 0.0
    assert got["en"]["false matches, posts of no claim"] == 0.0
    # the scratch homes hold exactly the base given, and the one without the gold claim
    homes = sorted(p.name for p in (settings.home / "eval").iterdir())
    assert len(homes) == 2 and homes[1].startswith("t-no-gold")


def test_labelled_posts_are_checked_with_their_line(tmp_path):
    bad = _write(tmp_path / "bad.jsonl", [
        {"id": "p1", "text": "fine", "label": "myth", "claim_ids": ["c1"]},
        {"id": "p2", "text": "fine", "label": "rumour", "claim_ids": []}])
    with pytest.raises(InputError, match=r"bad.jsonl:2: label must be one of"):
        read_labelled_posts(bad)
    ids = _write(tmp_path / "ids.jsonl", [{"id": "p1", "text": "x", "claim_ids": "c1"}])
    with pytest.raises(InputError, match=r"ids.jsonl:1: claim_ids must be a list"):
        read_labelled_posts(ids)


def test_our_post_files_name_the_claim_in_both_languages(tmp_path):
    path = _write(tmp_path / "own.jsonl", [
        {"id": "x", "lang": "zh", "kind": "myth", "claim": "001", "title": "", "text": "隔夜菜"},
        {"id": "y", "lang": "en", "kind": "science", "claim": "", "title": "", "text": "ok"}])
    rows = own_post_rows(path, [{"id": "kc-001-zh"}, {"id": "kc-001-en"}, {"id": "kc-002-en"}])
    assert rows[0]["claim_ids"] == ["kc-001-zh", "kc-001-en"] and rows[0]["label"] == "myth"
    assert rows[1]["claim_ids"] == []


def test_gold_claims_are_removed_a_fold_at_a_time_in_a_small_base():
    from kepu.evaluation.operating_point import gold_folds

    posts = [LabelledPost(Post(f"p{i}", "t"), "myth", (f"c{i % 40}",)) for i in range(120)]
    posts.append(LabelledPost(Post("s", "t"), "science", ()))
    folds = gold_folds(posts, base_size=100)
    assert len(folds) == 4  # 40 gold claims, at most ~10 of 100 removed at once
    assert sorted(p.post.id for f in folds for p in f) == sorted(f"p{i}" for i in range(120))
    for fold in folds:  # a claim's posts share its fold
        others = {i for f in folds if f is not fold for p in f for i in p.claim_ids}
        assert not {i for p in fold for i in p.claim_ids} & others
    assert len(gold_folds(posts, base_size=10_000)) == 1


def test_a_gold_claims_twins_count_as_it_and_leave_the_base_with_it():
    from kepu.evaluation.operating_point import with_twins

    claims = [{"id": "c1", "text": 'He said "x."', "lang": "en"},
              {"id": "c2", "text": "He said 'x'", "lang": "en"},
              {"id": "c3", "text": "Something else.", "lang": "en"},
              {"id": "k-zh", "text": "某说法", "lang": "zh", "group": "k"},
              {"id": "k-en", "text": "A claim", "lang": "en", "group": "k"}]
    posts = [LabelledPost(Post("p1", "t"), "myth", ("c2",)),
             LabelledPost(Post("p2", "t"), "myth", ("k-zh",)),
             LabelledPost(Post("p3", "t"), "myth", ("c3", "gone")),
             LabelledPost(Post("p4", "t"), "science", ())]
    got = [p.claim_ids for p in with_twins(posts, claims)]
    assert got == [("c1", "c2"), ("k-en", "k-zh"), ("c3", "gone"), ()]


def test_added_claims_join_the_base_and_an_id_already_there_is_refused():
    base = [{"id": "kc-001-zh", "text": "a"}, {"id": "kc-001-en", "text": "b"}]
    feed = [{"id": "feed-1", "text": "c"}, {"id": "feed-2", "text": "d"}]
    assert [r["id"] for r in with_added_claims(base, feed, "feed.jsonl")] == [
        "kc-001-zh", "kc-001-en", "feed-1", "feed-2"]
    with pytest.raises(InputError, match="feed.jsonl.*kc-001-en"):
        with_added_claims(base, [*feed, {"id": "kc-001-en", "text": "e"}], "feed.jsonl")
