from datetime import UTC, datetime, timedelta

import pytest

from common.errors import InputError
from common.records import TOPICS
from common.settings import PROJECT_ROOT
from models.active import uncertainty
from review_queue.panels import read_panels, route
from review_queue.priority import (
    ACTIVE_CEILING,
    SLA_HOURS,
    active_priority,
    due_at,
    priority,
    priority_band,
    reach_factor,
    recency_factor,
)
from review_queue.queue import build_tasks, build_uncertain_tasks, task_id_for

NOW = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.fixture(scope="module")
def panels():
    return read_panels(PROJECT_ROOT / "data" / "panels.toml")


def test_bundled_panels_cover_every_field(panels):
    assert set(TOPICS) <= set(panels)
    assert all(p.experts and p.seniors for p in panels.values())
    assert route("vaccines", panels).topic == "vaccines"
    assert route(None, panels).topic == "general"


def test_panels_file_missing_a_field_is_refused(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[panels.health]\nexperts = [{ id = "a" }]\n')
    with pytest.raises(InputError, match="no panel for"):
        read_panels(path)


def test_priority_grows_with_risk_reach_and_recency():
    assert reach_factor(1_000_000, 0) > reach_factor(1000, 0)
    assert reach_factor(1000, 8) > reach_factor(1000, 0)
    assert recency_factor(NOW - timedelta(days=3), NOW) == pytest.approx(0.75)
    assert recency_factor(NOW - timedelta(days=365), NOW) == pytest.approx(0.5)
    assert priority(0.9, 1000, 0, NOW, NOW) > priority(0.6, 1000, 0, NOW, NOW)
    assert priority(0.9, 1000, 0, NOW, NOW) > priority(0.9, 1000, 0, NOW - timedelta(days=2), NOW)
    assert priority_band(3.0) == "urgent" and priority_band(0.1) == "low"


@pytest.mark.parametrize("age_days", [0, 1, 3, 7, 14, 30, 90, 365, 3650])
def test_age_never_puts_a_flag_below_an_uncertain_unflagged_post(age_days):
    published = NOW - timedelta(days=age_days)
    most_unsure = active_priority(uncertainty(0.5))  # the top active-learning task
    assert active_priority(1.0) == most_unsure <= ACTIVE_CEILING
    for score, audience in ((0.99, 0), (0.99, 1000), (0.5, 0), (0.3, 0)):
        assert priority(score, audience, 0, published, NOW) > most_unsure
    assert priority(0.99, 1000, 0, published, NOW) >= round(0.99 * reach_factor(1000, 0) * 0.5, 4)


# Realistic posts: flag scores, source audiences and publication dates as a real `kepu demo` run
# gave them (the bundled sample site: blog 20k, news 50k readers); NOW is a day after the newest.
REALISTIC = [  # (score, audience, reposts, published, band)
    (0.9947, 50_000, 0, "2026-11-22", "high"),  # 1 day old, 50k readers
    (0.9947, 50_000, 3, "2026-11-22", "urgent"),  # the same with three reposts seen
    (0.9948, 50_000, 0, "2026-11-23", "urgent"),  # published today, 50k readers
    (0.9954, 20_000, 0, "2026-11-23", "high"),  # published today, 20k readers
    (0.9236, 50_000, 0, "2026-11-20", "high"),
    (0.9938, 20_000, 0, "2026-11-16", "normal"),  # a week old
    (0.55, 5_000, 0, "2026-11-22", "normal"),  # just over the flag threshold, a forum
    (0.99, 1_000, 0, "2026-10-01", "low"),  # old, tiny source
]


@pytest.mark.parametrize(("score", "audience", "reposts", "published", "band"), REALISTIC)
def test_sla_bands_on_realistic_posts(score, audience, reposts, published, band):
    when = datetime.fromisoformat(published).replace(tzinfo=UTC)
    value = priority(score, audience, reposts, when, NOW)
    assert priority_band(value) == band
    assert due_at(value, NOW) == NOW + timedelta(hours=SLA_HOURS[band])


def test_realistic_posts_spread_over_every_band():
    assert {band for *_, band in REALISTIC} == set(SLA_HOURS)


def test_build_tasks_routes_orders_and_is_stable(panels):
    rows = [
        {"post_id": "a", "score": 0.6, "topic": "health", "audience": 1000, "reposts": 0,
         "published": NOW - timedelta(days=6)},
        {"post_id": "b", "score": 0.95, "topic": "vaccines", "audience": 100000, "reposts": 3,
         "published": NOW},
        {"post_id": "c", "score": 0.7, "topic": None, "audience": 1000, "reposts": 0,
         "published": None},
    ]
    tasks = build_tasks(rows, panels, NOW, reach_threshold=5.0)
    assert [t.post_id for t in tasks] == ["b", "c", "a"]
    assert {t.post_id: t.panel for t in tasks} == {"a": "health", "b": "vaccines", "c": "general"}
    assert {t.post_id: t.required_reviews for t in tasks}["b"] == 2
    assert {t.post_id: t.required_reviews for t in tasks}["a"] == 1
    assert tasks[0].id == task_id_for("b") and tasks[0].due_at > NOW


def test_uncertain_tasks_are_marked_low_priority_and_routed(panels):
    rows = [{"post_id": "a", "classifier_score": 0.3, "topic": "nutrition"},
            {"post_id": "b", "classifier_score": 0.5, "topic": None}]
    tasks = build_uncertain_tasks(rows, panels, NOW)
    assert [t.post_id for t in tasks] == ["b", "a"]  # most uncertain first
    assert {t.panel for t in tasks} == {"general", "nutrition"}
    assert all(t.origin == "active_learning" and t.required_reviews == 1 for t in tasks)
    assert all(priority_band(t.priority) == "low" for t in tasks)
    assert tasks[0].id == task_id_for("b")


def test_a_detector_flag_ranks_below_the_same_post_matched_to_a_myth(panels):
    row = {"post_id": "p", "score": 0.95, "topic": "health", "audience": 20_000, "reposts": 2,
           "published": NOW - timedelta(hours=2)}
    matched = build_tasks([{**row, "basis": "claim"}], panels, NOW, 5.0)[0]
    detected = build_tasks([{**row, "basis": "detector"}], panels, NOW, 5.0, 0.5)[0]
    assert detected.priority == pytest.approx(matched.priority * 0.5, abs=1e-3)
    assert detected.priority > ACTIVE_CEILING
    assert priority_band(detected.priority) != priority_band(matched.priority)
