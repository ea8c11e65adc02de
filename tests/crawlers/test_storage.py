"""The post write path on a real DuckDB file: exact and near duplicates across runs, imports."""

from __future__ import annotations

import json

import pytest

from common.errors import InputError
from common.records import Post
from crawlers.importer import import_posts
from crawlers.storage import PostSink
from store import Database
from store.posts import save_post
from tests.crawlers.hostile_site import EN_SENTENCES

ARTICLE = " ".join(EN_SENTENCES)
REPOST = ARTICLE.replace("a sore arm", "an aching arm") + " Reposted from Health Daily."


def _post(text: str, url: str) -> Post:
    return Post(id="", text=text, title="T", lang="en", url=url)


def test_repost_links_to_first_copy_across_runs(tmp_path):
    path = tmp_path / "k.duckdb"
    sink = PostSink(path)
    first = sink.save(_post(ARTICLE, "http://a.test/1"), "http://a.test/1")
    sink.close()
    sink = PostSink(path)  # a new run: the index is rebuilt from stored signatures
    repost = sink.save(_post(REPOST, "http://b.test/x"), "http://b.test/x")
    copy = sink.save(_post(ARTICLE, "http://c.test/y"), "http://c.test/y")
    again = sink.save(_post(REPOST, "http://b.test/x"), "http://b.test/x")
    sink.close()
    assert first.outcome == "new"
    assert (repost.outcome, repost.duplicate_of, repost.near) == ("duplicate", first.post_id, True)
    assert (copy.outcome, copy.duplicate_of, copy.near) == ("duplicate", first.post_id, False)
    assert again.outcome == "unchanged"
    with Database(path) as db:
        assert db.scalar("SELECT count(*) FROM post_signatures") == 3


def test_repost_of_a_repost_links_to_the_original(tmp_path):
    sink = PostSink(tmp_path / "k.duckdb")
    first = sink.save(_post(ARTICLE, "http://a.test/1"), "http://a.test/1")
    sink.save(_post(REPOST, "http://b.test/2"), "http://b.test/2")
    third = sink.save(_post(REPOST + " Shared again.", "http://c.test/3"), "http://c.test/3")
    sink.close()
    assert third.duplicate_of == first.post_id


def test_posts_stored_before_signatures_are_backfilled_and_matched(tmp_path):
    path = tmp_path / "k.duckdb"
    with Database(path) as db:
        old = save_post(db, _post(ARTICLE, "http://a.test/old"), "http://a.test/old")
    sink = PostSink(path)
    repost = sink.save(_post(REPOST, "http://b.test/new"), "http://b.test/new")
    sink.close()
    assert repost.duplicate_of == old.post_id


def test_unrelated_and_changed_posts(tmp_path):
    sink = PostSink(tmp_path / "k.duckdb")
    a = sink.save(_post(ARTICLE, "http://a.test/1"), "http://a.test/1")
    changed = sink.save(_post(ARTICLE + " Updated with a correction.", "http://a.test/1"),
                        "http://a.test/1")
    other_text = " ".join(" ".join(reversed(s.split())) for s in EN_SENTENCES)
    other = sink.save(_post(other_text, "http://d.test/2"), "http://d.test/2")
    sink.close()
    assert a.outcome == "new" and changed.outcome == "changed"
    assert (other.outcome, other.duplicate_of) == ("new", None)  # same words, other text


def _dump(tmp_path, rows):
    path = tmp_path / "dump.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def test_import_posts_is_idempotent_and_dedups(tmp_path):
    db_path = tmp_path / "k.duckdb"
    path = _dump(tmp_path, [{"id": "1", "text": ARTICLE, "title": "Vaccines"},
                            {"id": "2", "text": REPOST},
                            {"url": "https://w.test/p?utm_source=a&id=3",
                             "text": "隔夜菜会致癌吗？"}])
    first = import_posts(db_path, path, "dump", "weibo")
    again = import_posts(db_path, path, "dump", "weibo")
    assert (first["new"], first["duplicate"], first["near_duplicate"]) == (2, 1, 1)
    assert again["unchanged"] == 3 and again["new"] == 0
    with Database(db_path) as db:
        rows = db.rows("SELECT canonical_url, platform, source_id, lang FROM posts ORDER BY 1")
    assert rows[0] == ("dump://weibo/dump/1", "weibo", "dump", "en")
    assert rows[2] == ("https://w.test/p?id=3", "weibo", "dump", "zh")


def test_import_posts_bad_line_stores_nothing(tmp_path):
    db_path = tmp_path / "k.duckdb"
    path = _dump(tmp_path, [{"id": "1", "text": ARTICLE}, {"id": "2", "text": ""}])
    with pytest.raises(InputError, match=r"dump\.jsonl:2: empty 'text'"):
        import_posts(db_path, path, "dump", "weibo")
    with Database(db_path) as db:
        assert db.scalar("SELECT count(*) FROM posts") == 0
