from datetime import UTC, datetime, timedelta

import pytest

from kepu.errors import InputError
from kepu.records import TOPICS
from kepu.settings import PROJECT_ROOT
from review_queue.panels import read_panels, route
from review_queue.priority import priority, priority_band, reach_factor, recency_factor
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
    assert recency_factor(NOW - timedelta(days=3), NOW) == pytest.approx(0.5)
    assert priority(0.9, 1000, 0, NOW, NOW) > priority(0.6, 1000, 0, NOW, NOW)
    assert priority_band(2.0) == "urgent" and priority_band(0.1) == "low"


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
