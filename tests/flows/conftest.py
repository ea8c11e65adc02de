"""A fixture week of data (2026-W47, with 2026-W46 before it) in a real DuckDB file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from common.records import Flag, Match, Post, ReviewTask
from store import Database
from store.claims import save_claims
from store.flags import save_flags
from store.posts import save_post
from store.review import save_tasks

WEEK = "2026-W47"
W47 = datetime(2026, 11, 16, 4, tzinfo=UTC)  # Monday noon in Shanghai
W46 = W47 - timedelta(days=7)
HOSTILE = "<script>alert(1)</script>"
NARRATIVE = "量子能量手环可以吸收手机辐射并提高免疫力，戴上三天就能感觉身体变轻，老人小孩都适合佩戴"
NARRATIVE_EN = "Quantum energy bracelets absorb phone radiation and boost immunity"

# (key, when, platform, source, author, text, flagged, topic, claim, stance)
POSTS = [
    ("a1", W47, "weibo", "src-a", "@alice", "Vaccines cause autism, everyone knows.", True,
     "vaccines", "c2", "asserts"),
    ("a2", W47 + timedelta(days=1), "weibo", "src-a", "@bob", "疫苗会导致自闭症！转发！", True,
     "vaccines", "c2", "asserts"),
    ("a3", W47 + timedelta(days=2), "wechat", "src-b", "@carol", "隔夜菜会致癌，千万别吃。",
     True, "food_safety", "c4", "asserts"),
    ("a4", W47 + timedelta(days=2), "wechat", "src-b", "@dave",
     "Studies show vaccines do not cause autism.", False, "vaccines", "c2", "debunks"),
    ("a5", W47 + timedelta(days=3), "blog", "src-c", "@erin", "Nice weather for a walk.", False,
     None, None, None),
    ("n1", W47 + timedelta(days=1), "douyin", "src-c", HOSTILE, NARRATIVE + " 第1条",
     True, "physics", None, None),
    ("n2", W47 + timedelta(days=2), "douyin", "src-c", "@fan", NARRATIVE + " 第2条", True,
     "physics", None, None),
    ("n3", W47 + timedelta(days=3), "weibo", "src-a", "@gus", NARRATIVE + " 第3条", True,
     "physics", None, None),
    ("n4", W47 + timedelta(days=4), "weibo", "src-a", "@hal", NARRATIVE + "，第4条", True,
     "physics", None, None),
    ("e1", W47 + timedelta(days=4), "blog", "src-c", "@ivy", NARRATIVE_EN + " (1)", True,
     "physics", None, None),
    ("e2", W47 + timedelta(days=5), "blog", "src-c", "@jo", NARRATIVE_EN + " (2)", True,
     "physics", None, None),
    ("e3", W47 + timedelta(days=5), "blog", "src-c", "@kim", NARRATIVE_EN + "!", True,
     "physics", None, None),
    ("b1", W46, "weibo", "src-a", "@alice", "Vaccines cause autism in kids, share!", True,
     "vaccines", "c2", "asserts"),
    ("b2", W46 + timedelta(days=1), "douyin", "src-c", "@fan", NARRATIVE + " 上周", True,
     "physics", None, None),
    ("b3", W46 + timedelta(days=2), "wechat", "src-b", "@lee", "Recipe of the week.", False,
     None, None, None),
    ("z1", W47 + timedelta(days=8), "weibo", "src-a", "@zed", "Next week's post.", True,
     "vaccines", "c2", "asserts"),
]

# (post key, required reviews, [(role, reviewer, verdict, hours after creation)], outcome)
REVIEWS = [
    ("a1", 1, [("first", "e1", "pseudoscience", 5)], ("pseudoscience", 5)),
    ("a2", 2, [("first", "e1", "pseudoscience", 10), ("second", "e2", "pseudoscience", 20)],
     ("pseudoscience", 20)),
    ("a3", 2, [("first", "e1", "accurate", 1), ("second", "e2", "unsupported", 2),
               ("arbiter", "s1", "accurate", 30)], ("accurate", 30)),
    ("n1", 1, [("first", "e3", "not_science", 40)], ("not_science", 40)),
    ("n2", 2, [("first", "e3", "pseudoscience", 3)], None),
    ("n3", 1, [], None),
    ("b1", 1, [("first", "e1", "accurate", 2)], ("accurate", 2)),
]


def fill_week(db: Database, tiny_claims: list) -> dict[str, str]:
    """Store POSTS, their flags and matches, and REVIEWS; return post key -> post id."""
    save_claims(db, tiny_claims)
    ids, flags = {}, []
    for key, when, platform, source, author, text, flagged, topic, claim, stance in POSTS:
        title = HOSTILE + text[:20] if key[0] == "n" else text[:40]  # crawled: untrusted
        post = Post(id=key, text=text, title=title, published=when,
                    platform=platform, source_id=source, author=author)
        save_post(db, post, f"https://{source}.test/{key}")
        ids[key] = db.scalar("SELECT id FROM posts WHERE canonical_url = ?",
                             [f"https://{source}.test/{key}"])
        matches = (Match(claim, 0.9, text, stance),) if claim else ()
        flags.append(Flag(ids[key], flagged, 0.9 if flagged else 0.1, stance or "neutral",
                          matches, "r", topic, 0.5))
    save_post(db, Post(id="dup", text=POSTS[0][5], published=W47, platform="weibo"),
              "https://copy.test/a1")  # a reposted copy: counted once
    save_flags(db, flags, {}, "m")
    _fill_reviews(db, ids)
    return ids


def _fill_reviews(db: Database, ids: dict[str, str]) -> None:
    when = {p[0]: p[1] for p in POSTS}
    tasks = [ReviewTask(f"rt-{k}", ids[k], "vaccines" if k[0] in "ab" else "physics", 1.0,
                        due_at=when[k] + timedelta(hours=24), required_reviews=req)
             for k, req, _, _ in REVIEWS]
    save_tasks(db, tasks)
    for k, _, decisions, outcome in REVIEWS:
        db.execute("UPDATE review_tasks SET created_at = ? WHERE id = ?", [when[k], f"rt-{k}"])
        for role, reviewer, verdict, hours in decisions:
            db.execute("INSERT INTO decisions (id, task_id, reviewer, role, verdict, harm, "
                       "decided_at) VALUES (?, ?, ?, ?, ?, 'low', ?)",
                       [f"d-{k}-{role}", f"rt-{k}", reviewer, role, verdict,
                        when[k] + timedelta(hours=hours)])
        if outcome:
            db.execute("INSERT INTO review_outcomes (task_id, verdict, harm, method, "
                       "decided_by, decided_at) VALUES (?, ?, 'low', 'x', ['r'], ?)",
                       [f"rt-{k}", outcome[0], when[k] + timedelta(hours=outcome[1])])


@pytest.fixture
def week_db(db, tiny_claims) -> tuple[Database, dict[str, str]]:
    return db, fill_week(db, tiny_claims)
