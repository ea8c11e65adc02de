"""The weekly trend figures, computed in DuckDB SQL (one scan per section, `?` parameters).

A post belongs to the week it was published in (fetch time when it has no date); duplicates
are left out. Review outcomes belong to the week the task got its final verdict (review_outcomes,
written by the review workflow, migration 003); agreement comes from the blind reviews.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from store.db import Database

ARBITER_ROLES = ("arbiter",)
FALSE_POSITIVE_VERDICTS = ("accurate", "not_science")

_WHEN = "coalesce(p.published, p.fetched_at)"

_VOLUME = f"""
WITH w AS (
  SELECT p.platform, p.source_id, coalesce(f.flagged, false) AS flagged,
         coalesce(f.topic, s.topic) AS topic, {_WHEN} >= ? AS this_week
  FROM posts p LEFT JOIN flags f ON f.post_id = p.id LEFT JOIN sources s ON s.id = p.source_id
  WHERE p.duplicate_of IS NULL AND {_WHEN} >= ? AND {_WHEN} < ?)
SELECT CASE WHEN grouping(topic) = 0 THEN 'topic' WHEN grouping(platform) = 0 THEN 'platform'
            WHEN grouping(source_id) = 0 THEN 'source' ELSE 'total' END AS dimension,
       CASE WHEN grouping(topic, platform, source_id) = 7 THEN 'total' ELSE coalesce(
         nullif(topic, ''), nullif(platform, ''), nullif(source_id, ''), 'unknown') END AS key,
       count(*) FILTER (this_week) AS posts, count(*) FILTER (this_week AND flagged) AS flagged,
       count(*) FILTER (NOT this_week) AS posts_prev,
       count(*) FILTER (NOT this_week AND flagged) AS flagged_prev
FROM w GROUP BY GROUPING SETS ((topic), (platform), (source_id), ())
"""

# One myth per claim group (the records of one claim in several languages), or per claim when it
# has none; a post asserting it in two languages counts once. Groups and ids are kept apart
# (a group named like a claim id is still another myth); `label` is what the report shows.
_MYTH_KEY = "CASE WHEN {c}.claim_group IS NULL THEN 'c:' || {id} ELSE 'g:' || {c}.claim_group END"
_MYTHS = f"""
WITH latest AS (SELECT * FROM claims
                QUALIFY row_number() OVER (PARTITION BY id ORDER BY version DESC) = 1),
hits AS (
  SELECT {_MYTH_KEY.format(c="c", id="pc.claim_id")} AS myth,
         coalesce(c.claim_group, pc.claim_id) AS label, p.id AS post_id,
         CAST(floor((epoch({_WHEN}) - epoch(?::TIMESTAMPTZ)) / 604800) AS INTEGER) AS wk
  FROM post_claims pc JOIN posts p ON p.id = pc.post_id JOIN flags f ON f.post_id = p.id
  LEFT JOIN latest c ON c.id = pc.claim_id
  WHERE pc.stance = 'asserts' AND f.flagged AND p.duplicate_of IS NULL
    AND {_WHEN} >= ? AND {_WHEN} < ?),
per_week AS (SELECT myth, label, wk, count(DISTINCT post_id) AS posts FROM hits GROUP BY ALL),
top AS (SELECT myth, label, sum(posts) FILTER (wk = ?) AS now_posts,
               sum(posts) FILTER (wk = ? - 1) AS prev_posts
        FROM per_week GROUP BY myth, label HAVING now_posts > 0
        ORDER BY now_posts DESC, prev_posts DESC NULLS LAST, label, myth LIMIT ?),
members AS (SELECT {_MYTH_KEY.format(c="latest", id="id")} AS myth,
                   list({{'id': id, 'lang': lang, 'text': text, 'verdict': verdict,
                         'topic': topic}} ORDER BY id) AS members
            FROM latest GROUP BY ALL)
SELECT t.myth, t.label AS claim_id, m.members, t.now_posts, pw.wk, pw.posts
FROM top t JOIN per_week pw USING (myth) LEFT JOIN members m USING (myth)
ORDER BY t.now_posts DESC, t.prev_posts DESC NULLS LAST, t.label, t.myth, pw.wk
"""

_UNMATCHED = f"""
SELECT p.id, coalesce(p.title, '') AS title, left(p.text, 400) AS text,
       coalesce(p.author, '') AS author,
       coalesce(nullif(p.platform, ''), 'unknown') AS platform, {_WHEN} AS seen_at
FROM posts p JOIN flags f ON f.post_id = p.id
WHERE f.flagged AND p.duplicate_of IS NULL AND {_WHEN} >= ? AND {_WHEN} < ?
  AND NOT EXISTS (SELECT 1 FROM post_claims pc WHERE pc.post_id = p.id)
ORDER BY {_WHEN} DESC, f.score DESC, p.id LIMIT ?
"""

_FINAL = """
WITH final AS (
  SELECT t.id AS task_id, t.panel, t.created_at, t.due_at, o.verdict, o.decided_at AS final_at,
         coalesce(t.origin, 'flagged') = 'flagged' AS was_flagged
  FROM review_tasks t LEFT JOIN review_outcomes o ON o.task_id = t.id)
"""


def volume_rows(db: Database, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Posts and flags per topic, platform, source and in total, this week and the week before."""
    return db.dicts(_VOLUME + " ORDER BY dimension, flagged DESC, posts DESC, key",
                    [start, start - timedelta(days=7), end])


def myth_rows(db: Database, start: datetime, end: datetime, weeks: int,
              limit: int = 10) -> list[dict[str, Any]]:
    """Weekly counts of flagged posts asserting each of the top myths (claim groups); wk 0 is the
    oldest week; `members` are the group's claims (id, lang, text, verdict, topic)."""
    first = start - timedelta(days=7 * (weeks - 1))
    return db.dicts(_MYTHS, [first, first, end, weeks - 1, weeks - 1, limit])


def unmatched_flagged(db: Database, since: datetime, end: datetime,
                      limit: int) -> list[dict[str, Any]]:
    """The newest flagged posts matching no known claim: the raw material of emerging narratives."""
    return db.dicts(_UNMATCHED, [since, end, limit])


def review_rows(db: Database, start: datetime, end: datetime) -> dict[str, Any]:
    """Verdict counts, median hours to verdict, false positives, agreement, and the open and
    overdue tasks at the week's end (per panel) and at last week's end (in total).

    Verdicts, timing and false positives count flagged posts only: an "accurate" verdict on a
    post that active learning queued is not a false flag. Overdue counts every open task."""
    week = [start, end]
    verdicts = db.dicts(_FINAL + "SELECT verdict, count(*) AS n FROM final WHERE was_flagged "
                        "AND final_at >= ? AND final_at < ? GROUP BY verdict "
                        "ORDER BY n DESC, verdict", week)
    timing = db.dicts(
        _FINAL + "SELECT count(*) FILTER (WHERE this_week) AS decided, "
        "median(epoch(final_at) - epoch(created_at)) FILTER (WHERE this_week) / 3600.0 "
        "AS median_hours, count(*) FILTER (WHERE this_week AND fp) AS false_positives, "
        "count(*) FILTER (WHERE NOT this_week) AS decided_prev, "
        "count(*) FILTER (WHERE NOT this_week AND fp) AS false_prev FROM (SELECT *, "
        "final_at >= ? AS this_week, list_contains(?::VARCHAR[], verdict) AS fp FROM final "
        "WHERE was_flagged AND final_at >= ? AND final_at < ?)",
        [start, list(FALSE_POSITIVE_VERDICTS), start - timedelta(days=7), end])[0]
    overdue = db.dicts(
        _FINAL + "SELECT panel, count(*) FILTER (WHERE due_at < ?) AS overdue, count(*) AS open "
        "FROM final WHERE created_at < ? AND (final_at IS NULL OR final_at >= ?) "
        "GROUP BY panel ORDER BY overdue DESC, open DESC, panel", [end, end, end])
    before = db.dicts(  # the queue at last week's end, for the backlog's change
        _FINAL + "SELECT count(*) FILTER (WHERE due_at < ?) AS overdue_prev, count(*) AS open_prev "
        "FROM final WHERE created_at < ? AND (final_at IS NULL OR final_at >= ?)",
        [start, start, start])[0]
    return {"verdicts": verdicts, **timing, "overdue": overdue, **before,
            **agreement_row(db, start, end)}


def agreement_row(db: Database, start: datetime, end: datetime) -> dict[str, Any]:
    """Blind double reviews completed this week: share agreeing and Fleiss' kappa for two raters
    (expected agreement from the pooled verdict shares)."""
    return db.dicts(
        "WITH pairs AS (SELECT task_id, list(verdict ORDER BY decided_at) AS v, "
        "max(decided_at) AS last_at FROM decisions WHERE NOT list_contains(?::VARCHAR[], role) "
        "GROUP BY task_id "
        "HAVING count(*) = 2), wk AS (SELECT * FROM pairs WHERE last_at >= ? AND last_at < ?), "
        "pooled AS (SELECT u.verdict, count(*) / (2.0 * (SELECT count(*) FROM wk)) AS share "
        "FROM wk, unnest(v) AS u(verdict) GROUP BY u.verdict) "
        "SELECT (SELECT count(*) FROM wk) AS pairs, "
        "(SELECT avg(CASE WHEN v[1] = v[2] THEN 1.0 ELSE 0.0 END) FROM wk) AS agreement, "
        "(SELECT sum(share * share) FROM pooled) AS expected",
        [list(ARBITER_ROLES), start, end])[0]


def data_fingerprint(db: Database) -> str:
    """Changes whenever anything the report reads changes (a cache key for the report task)."""
    row = db.rows(
        "SELECT (SELECT count(*) || '/' || coalesce(max(fetched_at)::VARCHAR, '') FROM posts), "
        "(SELECT count(*) || '/' || coalesce(max(scored_at)::VARCHAR, '') FROM flags), "
        "(SELECT count(*) FROM post_claims), (SELECT count(*) FROM claims), "
        "(SELECT count(*) || '/' || coalesce(max(created_at)::VARCHAR, '') FROM review_tasks), "
        "(SELECT count(*) || '/' || coalesce(max(decided_at)::VARCHAR, '') FROM decisions)")[0]
    return "|".join(str(v) for v in row)


_NARRATIVES = [
    "喝碱性水可以改变血液酸碱度并治愈癌症", "5G 基站辐射导致候鸟迷路和失眠",
    "每天吃一勺生姜粉能代替降压药", "微波炉加热的饭菜会产生致癌辐射残留",
    "Drinking celery juice every morning reverses type 2 diabetes in weeks",
    "Solar panels drain the sun's energy and cool the planet",
    "量子能量手环可以吸收手机辐射", "Crystals placed under the bed cure seasonal flu",
]


def _uniform(salt: str, of: str = "i") -> str:
    """A deterministic pseudo-random number in [0, 1) per row, from a hash of `of`."""
    return f"((hash({of}, '{salt}') % 1000000) / 1000000.0)"


_PLATFORMS = "['weibo','wechat','douyin','zhihu','blog','news']"


def generate_synthetic(db: Database, posts: int, end: datetime, weeks: int = 10) -> None:
    """Fill an empty database with `posts` synthetic posts over `weeks` weeks before `end`,
    with flags (8 %), claim matches, review tasks, decisions and outcomes (for benchmarks)."""
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO sources (id, url, kind, topic, platform) SELECT 's' || i, 'https://s' "
            "|| i || '.test/', 'feed', (['health','medicine','nutrition','food_safety',"
            f"'vaccines','climate','energy','physics'])[1 + i % 8], {_PLATFORMS}[1 + i % 6] "
            "FROM range(60) t(i)")
        conn.execute(
            "INSERT INTO claims (id, version, text, lang, verdict, topic, explanation, source, "
            "content_hash, created_at) SELECT 'syn-c' || i, 1, '合成说法 ' || i, 'zh', "
            "(['false','misleading','true'])[1 + i % 3], (['health','nutrition','vaccines',"
            "'climate'])[1 + i % 4], '-', '-', 'h' || i, now() FROM range(40) t(i)")
        conn.execute(
            "INSERT INTO posts (id, source_id, url, canonical_url, content_hash, title, text, "
            "author, published, lang, platform, fetched_at) SELECT 'p' || i, 's' || (i % 60), "
            "'https://x.test/' || i, 'https://x.test/' || i, 'h' || i, '', CASE WHEN "
            f"{_uniform('n')} < 0.5 THEN (?::VARCHAR[])[1 + i % {len(_NARRATIVES)}] || ' ' || "
            "(i % 97) ELSE '普通科普文章 ' || (i % 1000) END, 'handle' || (i % 20000), "
            f"?::TIMESTAMPTZ - to_seconds(CAST({_uniform('t')} * 604800 * ? AS BIGINT)), 'zh', "
            f"{_PLATFORMS}[1 + (i % 60) % 6], ?::TIMESTAMPTZ FROM range(?) t(i)",
            [_NARRATIVES, end, weeks, end, posts])
        conn.execute(
            "INSERT INTO flags (post_id, flagged, score, stance, topic, model_version, scored_at) "
            f"SELECT 'p' || i, {_uniform('f')} < 0.08, {_uniform('f')}, 'asserts', (['health',"
            "'nutrition','vaccines','climate','energy'])[1 + i % 5], 'syn', now() "
            "FROM range(?) t(i)", [posts])
        conn.execute(
            "INSERT INTO post_claims (post_id, claim_id, claim_version, sentence, similarity, "
            f"stance) SELECT 'p' || i, 'syn-c' || CAST(floor(pow({_uniform('c')}, 2) * 40) AS "
            f"INTEGER), 1, '-', 0.9, 'asserts' FROM range(?) t(i) WHERE {_uniform('f')} < 0.08 "
            f"AND {_uniform('m')} < 0.6", [posts])
        _synthetic_reviews(conn)


def _synthetic_reviews(conn: Any) -> None:
    """Tasks for flagged posts; 80 % get a first review, high-risk ones a second, and
    disagreements an arbiter; outcomes follow review_queue.rules.outcome."""
    conn.execute(
        "INSERT INTO review_tasks (id, post_id, panel, priority, status, required_reviews, "
        "due_at, created_at) SELECT 'rt-' || f.post_id, f.post_id, f.topic, f.score, 'open', "
        "CASE WHEN f.score < 0.012 THEN 2 ELSE 1 END, p.published + INTERVAL 50 HOUR, "
        "p.published + INTERVAL 2 HOUR FROM flags f JOIN posts p ON p.id = f.post_id "
        "WHERE f.flagged")
    insert = ("INSERT INTO decisions (id, task_id, reviewer, role, verdict, harm, decided_at) ")
    conn.execute(
        insert + "SELECT id || '-first', id, 'expert' || (hash(id) % 7), 'first', (['accurate',"
        f"'oversimplified','unsupported','pseudoscience','not_science'])[1 + CAST(floor("
        f"{_uniform('v', 'id')} * 5) AS INTEGER)], 'low', created_at + to_seconds(CAST("
        f"{_uniform('d', 'id')} * 200000 AS BIGINT)) FROM review_tasks "
        f"WHERE {_uniform('a', 'id')} < 0.8")
    conn.execute(
        insert + "SELECT t.id || '-second', t.id, 'expert' || (hash(t.id) % 5 + 7), 'second', "
        f"CASE WHEN {_uniform('w', 't.id')} < 0.7 THEN d.verdict ELSE 'pseudoscience' END, "
        "'low', d.decided_at + INTERVAL 3 HOUR FROM review_tasks t JOIN decisions d "
        "ON d.task_id = t.id AND d.role = 'first' WHERE t.required_reviews = 2")
    conn.execute(
        insert + "SELECT a.task_id || '-arbiter', a.task_id, 'senior1', 'arbiter', b.verdict, "
        "'low', b.decided_at + INTERVAL 20 HOUR FROM decisions a JOIN decisions b "
        "ON a.task_id = b.task_id AND a.role = 'first' AND b.role = 'second' "
        "WHERE a.verdict <> b.verdict")
    conn.execute(
        "INSERT INTO review_outcomes (task_id, verdict, harm, method, decided_by, decided_at) "
        "SELECT t.id, arg_max(d.verdict, d.decided_at), 'low', CASE WHEN count(*) = 1 THEN "
        "'single' WHEN count(*) = 2 THEN 'agreed' ELSE 'arbitrated' END, list(d.reviewer), "
        "max(d.decided_at) FROM review_tasks t JOIN decisions d ON d.task_id = t.id "
        "GROUP BY t.id, t.required_reviews HAVING count(*) >= t.required_reviews")
