"""Pure parts of the report: ISO weeks, pseudonyms, clustering, week-over-week change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from common.errors import InputError
from flows.narratives import char_ngram_tfidf, cluster_narratives
from flows.pseudonyms import pseudonym, pseudonymiser
from flows.report_figures import change, kappa
from flows.weeks import last_full_week, previous_week, week_bounds


def test_week_bounds_are_shanghai_mondays():
    start, end = week_bounds("2026-W47")
    assert start == datetime(2026, 11, 15, 16, tzinfo=UTC)
    assert (end - start).days == 7
    assert last_full_week(datetime(2026, 11, 23, 3, tzinfo=UTC)) == "2026-W47"
    assert last_full_week(datetime(2026, 11, 22, 15, 59, tzinfo=UTC)) == "2026-W46"
    assert previous_week("2026-W01") == "2025-W52"
    with pytest.raises(InputError, match="--week"):
        week_bounds("2026-47")


def test_pseudonyms_are_keyed_stable_and_hide_the_handle():
    key, other = b"k" * 32, b"o" * 32
    assert pseudonym("@Alice", key) == pseudonym("@alice ", key)
    assert pseudonym("@alice", key) != pseudonym("@alice", other)
    assert pseudonym("@alice", key) != pseudonym("@bob", key)
    assert "alice" not in pseudonym("@alice", key) and pseudonym("", key) == "—"
    with pytest.raises(ValueError):
        pseudonymiser(b"short")


def test_char_ngram_tfidf_similarity_means_something():
    x = char_ngram_tfidf(["隔夜菜会致癌，千万别吃", "隔夜菜会致癌！千万别吃啊",
                          "Vaccines cause autism", "vaccines cause autism!!", "今天天气很好"])
    sims = (x @ x.T).toarray()
    assert sims[0, 1] > 0.6 and sims[2, 3] > 0.6
    assert sims[0, 2] < 0.05 and sims[0, 4] < 0.3
    assert sims.diagonal() == pytest.approx([1.0] * 5, abs=1e-5)


def test_clusters_date_and_grow_from_earlier_weeks():
    start = datetime(2026, 11, 15, 16, tzinfo=UTC)
    prev = start - timedelta(days=7)
    text = "Magnetic insoles cure diabetes and high blood pressure within days"

    def row(i, when, body):
        return {"id": f"p{i}", "title": "", "text": body, "author": f"@u{i}",
                "platform": "blog", "seen_at": when}

    rows = [row(i, start + timedelta(hours=i), f"{text} #{i}") for i in range(5)]
    rows += [row(10, start + timedelta(hours=1), "A completely unrelated cooking recipe")]
    rows += [row(20 + i, prev + timedelta(days=i), f"{text} ({i})") for i in range(2)]
    rows += [row(30, prev - timedelta(days=10), f"{text}!")]
    found = cluster_narratives(rows, start, prev, lambda h: "x" + h, min_size=3)
    assert len(found) == 1
    n = found[0]
    assert (n.size, n.size_prev) == (5, 2) and n.growth == pytest.approx(1.5)
    assert n.first_seen == prev - timedelta(days=10)
    assert all(e.author.startswith("x@u") for e in n.examples) and len(n.examples) == 3
    assert cluster_narratives(rows[:2], start, prev, str) == ()


def test_change_and_kappa():
    assert change(15, 10) == pytest.approx(0.5) and change(3, 0) is None
    assert kappa(1.0, 0.5) == 1.0 and kappa(0.5, 0.5) == 0.0 and kappa(None, 0.3) is None
    assert kappa(1.0, 1.0) is None
