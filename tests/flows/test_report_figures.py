"""The report's figures for a fixture week, checked against SQL written independently here."""

from __future__ import annotations

from datetime import timedelta
from statistics import median

import pytest

from flows.report_data import collect_figures
from flows.weeks import week_bounds
from tests.flows.conftest import WEEK


def _posts_by(db, column, start, end):
    """Independent: non-duplicate posts per value of `column` published in [start, end)."""
    rows = db.rows(
        f"SELECT {column}, count(*), sum(CASE WHEN f.flagged THEN 1 ELSE 0 END) FROM posts p "
        "LEFT JOIN flags f ON p.id = f.post_id WHERE p.duplicate_of IS NULL "
        "AND p.published >= ? AND p.published < ? GROUP BY 1", [start, end])
    return {r[0]: (r[1], int(r[2] or 0)) for r in rows}


@pytest.fixture
def figures(week_db, settings):
    db, _ = week_db
    return collect_figures(db, WEEK, settings, pseudonymise=lambda h: f"anon({len(h)})")


def test_volumes_and_week_over_week_match_independent_sql(week_db, figures):
    db, _ = week_db
    start, end = week_bounds(WEEK)
    prev = start - timedelta(days=7)
    total_now = db.rows("SELECT count(*), count(*) FILTER (WHERE f.flagged) FROM posts p "
                        "JOIN flags f ON f.post_id = p.id WHERE p.duplicate_of IS NULL "
                        "AND p.published BETWEEN ? AND ? - INTERVAL 1 MICROSECOND",
                        [start, end])[0]
    assert (figures.totals.posts, figures.totals.flagged) == total_now == (12, 10)
    assert (figures.totals.posts_prev, figures.totals.flagged_prev) == (3, 2)
    for dimension, column in (("by_platform", "p.platform"), ("by_source", "p.source_id"),
                              ("by_topic", "f.topic")):
        now, before = _posts_by(db, column, start, end), _posts_by(db, column, prev, start)
        got = {c.key: c for c in getattr(figures, dimension)}
        expected_keys = {k if k else "unknown" for k in set(now) | set(before)}
        assert set(got) == expected_keys, dimension
        for key, (posts, flagged) in now.items():
            c = got[key or "unknown"]
            assert (c.posts, c.flagged) == (posts, flagged), (dimension, key)
            assert (c.posts_prev, c.flagged_prev) == before.get(key, (0, 0)), (dimension, key)
    weibo = next(c for c in figures.by_platform if c.key == "weibo")
    assert weibo.flagged_change == pytest.approx((weibo.flagged - 1) / 1)


def test_top_myths_with_trend(week_db, figures):
    db, _ = week_db
    start, end = week_bounds(WEEK)
    expected = dict(db.rows(
        "SELECT pc.claim_id, count(*) FROM post_claims pc, posts p, flags f "
        "WHERE pc.post_id = p.id AND f.post_id = p.id AND f.flagged AND pc.stance = 'asserts' "
        "AND p.duplicate_of IS NULL AND p.published >= ? AND p.published < ? GROUP BY 1",
        [start, end]))
    assert {m.claim_id: m.posts for m in figures.myths} == expected == {"c2": 2, "c4": 1}
    c2 = figures.myths[0]
    assert c2.claim_id == "c2" and c2.posts_prev == 1 and c2.posts_change == pytest.approx(1.0)
    assert len(c2.weekly) == 8 and sum(c2.weekly) == 3  # the debunking post a4 is not counted
    assert c2.text.startswith("Vaccines cause autism")


def test_emerging_narratives_cluster_unmatched_flagged_posts(week_db, figures):
    _, ids = week_db
    sizes = sorted((n.size, n.size_prev) for n in figures.narratives)
    assert sizes == [(3, 0), (4, 1)]  # the Chinese one was seen last week too (b2)
    zh = next(n for n in figures.narratives if n.size == 4)
    assert zh.first_seen.date().isoformat() == "2026-11-10"
    assert zh.growth == pytest.approx(3.0)
    assert len(zh.examples) == 3
    assert {e.post_id for e in zh.examples} < {ids[k] for k in ("n1", "n2", "n3", "n4")}
    assert all(e.author.startswith("anon(") for e in zh.examples)


def test_review_outcomes_match_independent_sql(week_db, figures):
    db, ids = week_db
    start, end = week_bounds(WEEK)
    rows = db.rows("SELECT o.verdict, epoch(o.decided_at - t.created_at) / 3600 FROM "
                   "review_outcomes o JOIN review_tasks t ON t.id = o.task_id "
                   "WHERE o.decided_at >= ? AND o.decided_at < ?", [start, end])
    r = figures.reviews
    assert r.decided == len(rows) == 4
    assert dict(r.verdicts) == {"pseudoscience": 2, "accurate": 1, "not_science": 1}
    assert r.median_hours == pytest.approx(median(h for _, h in rows))
    assert r.false_positive_rate == pytest.approx(
        sum(v in ("accurate", "not_science") for v, _ in rows) / len(rows)) == 0.5
    assert r.false_positive_rate_prev == 1.0  # b1 was found accurate last week
    # a2 agreed, a3 disagreed -> 50 %; verdicts pooled: pseudo 2, accurate 1, unsupported 1
    assert r.pairs == 2 and r.agreement == 0.5
    expected = (0.5**2 + 0.25**2 + 0.25**2)
    assert r.kappa == pytest.approx((0.5 - expected) / (1 - expected))
    # open at the week's end: n2 (waiting for its 2nd review), n3 (no review): both overdue
    assert r.queue == (("physics", 2, 2),)
    assert (r.open_prev, r.overdue_prev) == (0, 0)  # b1 was decided within last week


def test_backlog_at_last_weeks_end_matches_independent_sql(week_db, settings):
    db, _ = week_db
    start, _ = week_bounds(WEEK)
    # n3 queued last week with a deadline before this week began: open and overdue at start
    db.execute("UPDATE review_tasks SET created_at = ?, due_at = ? WHERE id = 'rt-n3'",
               [start - timedelta(days=3), start - timedelta(days=1)])
    expected = db.rows(
        "SELECT count(*), count(*) FILTER (WHERE t.due_at < ?) FROM review_tasks t "
        "LEFT JOIN review_outcomes o ON o.task_id = t.id "
        "WHERE t.created_at < ? AND (o.decided_at IS NULL OR o.decided_at >= ?)",
        [start, start, start])[0]
    r = collect_figures(db, WEEK, settings).reviews
    assert (r.open_prev, r.overdue_prev) == expected == (1, 1)
    assert r.open_total == 2


def test_empty_week_has_no_figures(db, settings):
    figures = collect_figures(db, "2020-W01", settings)
    assert figures.totals.posts == 0 and figures.myths == () and figures.narratives == ()
    assert figures.reviews.decided == 0 and figures.reviews.false_positive_rate is None


def test_bench_generates_and_reports_synthetic_posts(settings, tmp_path):
    from kepu.evaluation.bench_report import bench_report, describe

    result = bench_report(settings, 20_000, pdf=False, workdir=tmp_path / "bench")
    f = result.figures
    assert 1_000 < f.totals.posts < 3_000 and 0 < f.totals.flagged < f.totals.posts
    assert f.myths and f.narratives and f.reviews.decided > 0 and f.reviews.pairs > 0
    assert "weekly report 2026-W47" in describe(result) and result.html.exists()


def test_active_learning_verdicts_are_not_false_flags(week_db, settings):
    """An "accurate" verdict on a post that was never flagged (queued by active learning) must
    not count as a false positive of the flagger."""
    db, _ = week_db
    start, end = week_bounds(WEEK)
    accurate = db.rows("SELECT o.task_id FROM review_outcomes o WHERE o.verdict = 'accurate' "
                       "AND o.decided_at >= ? AND o.decided_at < ?", [start, end])
    assert len(accurate) == 1
    db.execute("UPDATE review_tasks SET origin = 'active_learning' WHERE id = ?",
               [accurate[0][0]])
    r = collect_figures(db, WEEK, settings).reviews
    assert r.decided == 3 and dict(r.verdicts) == {"pseudoscience": 2, "not_science": 1}
    assert r.false_positive_rate == pytest.approx(1 / 3)


def test_one_claim_in_two_languages_is_one_myth_quoted_in_the_reports_language(week_db,
                                                                               settings):
    """c1 and c4 state the same myth in English and Chinese: grouped, their posts add up (a post
    asserting both counts once) and each report quotes the wording in its own language."""
    from dataclasses import replace

    from common.records import Flag, Match, Post
    from flows.report_render import render_html
    from store.claims import current_claims, save_claims
    from store.flags import save_flags
    from store.posts import save_post
    from tests.flows.conftest import W47

    db, _ = week_db
    claims = {c.id: c for c in current_claims(db)}
    assert save_claims(db, [replace(claims["c1"], group="leftovers"),
                            replace(claims["c4"], group="leftovers")])["updated"] == 2
    flags = []
    for key, matched in (("g1", ("c1",)), ("g2", ("c1", "c4"))):
        post = save_post(db, Post(id=key, text=f"Leftovers give you cancer ({key}).",
                                  published=W47 + timedelta(days=1), platform="weibo"),
                         f"https://g.test/{key}")
        flags.append(Flag(post.post_id, True, 0.9, "asserts",
                          tuple(Match(c, 0.9, "Leftovers give you cancer", "asserts")
                                for c in matched), "r", "food_safety", 0.5))
    save_flags(db, flags, {}, "m")

    figures = collect_figures(db, WEEK, settings, pseudonymise=lambda h: h)
    myths = {m.claim_id: m for m in figures.myths}
    assert set(myths) == {"c2", "leftovers"}
    leftovers = myths["leftovers"]
    assert leftovers.posts == 3  # a3 (zh), g1 (en), g2 (both: once)
    assert leftovers.text_in("en") == claims["c1"].text
    assert leftovers.text_in("zh") == claims["c4"].text
    assert myths["c2"].text_in("zh") == claims["c2"].text  # no Chinese wording: as written
    assert claims["c1"].text in render_html(figures, "en")
    zh_page = render_html(figures, "zh")
    assert claims["c4"].text in zh_page and claims["c1"].text not in zh_page


def test_a_group_named_like_a_claim_id_is_another_myth_and_odd_names_render(week_db, settings):
    """Groups and claim ids are kept apart: c1 and c4 grouped as "c2" do not swallow the claim
    c2. A group name is data, not markup or TeX: it renders escaped and the chart still draws."""
    from dataclasses import replace

    from flows.report_charts import myth_figure, png_base64
    from flows.report_render import render_html
    from store.claims import current_claims, save_claims

    db, _ = week_db
    claims = {c.id: c for c in current_claims(db)}
    save_claims(db, [replace(claims["c4"], group="c2")])
    figures = collect_figures(db, WEEK, settings, pseudonymise=lambda h: h)
    shown = sorted((m.claim_id, m.posts, m.text_in("en")) for m in figures.myths)
    assert shown == [("c2", 1, claims["c4"].text), ("c2", 2, claims["c2"].text)]

    odd = "$\\frac{$ <b>_x</b>"
    save_claims(db, [replace(claims["c4"], group=odd)])
    figures = collect_figures(db, WEEK, settings, pseudonymise=lambda h: h)
    assert odd in {m.claim_id for m in figures.myths}
    page = render_html(figures, "en")
    assert "&lt;b&gt;_x&lt;/b&gt;" in page and "<b>_x</b>" not in page
    assert png_base64(myth_figure(figures.myths, [str(i) for i in range(8)], "posts"))
