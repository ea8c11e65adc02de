"""The "this week" summary policy, on hand-made figures and on the fixture week's real figures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows.narratives import Narrative
from flows.report_data import collect_figures
from flows.report_figures import Count, MythTrend, ReviewOutcomes, WeeklyFigures
from flows.report_summary import highlight_sentence, pick_highlights
from flows.weeks import week_bounds
from tests.flows.conftest import HOSTILE, WEEK

START, END = week_bounds(WEEK)


def figures(topics=(), myths=(), narratives=(), reviews=None) -> WeeklyFigures:
    return WeeklyFigures(WEEK, START, END, Count("total", 0, 0), tuple(topics), (), (),
                         tuple(myths), tuple(narratives), reviews or ReviewOutcomes())


def narrative(label: str, size: int, size_prev: int, days_before_start: int) -> Narrative:
    return Narrative(label, size, size_prev, START - timedelta(days=days_before_start), ())


def test_best_change_of_each_kind_first_then_the_next_largest():
    f = figures(
        topics=[Count("physics", 20, 9, 10, 1), Count("vaccines", 9, 2, 9, 7),
                Count("health", 5, 3, 5, 3)],  # physics +8, vaccines -5, health unchanged
        myths=[MythTrend("c2", "Vaccines cause autism", "false", "vaccines", (0,) * 6 + (0, 2))],
        narratives=[narrative("quantum bracelets", 4, 0, -1)])
    picked = pick_highlights(f)
    assert [(h.kind, h.key, h.now, h.before) for h in picked] == [
        ("field", "physics", 9, 1), ("narrative", "quantum bracelets", 4, 0),
        ("myth", "c2", 2, 0)]  # vaccines' -5 is larger than c2's +2 but a field is already in
    four = pick_highlights(f, limit=4)  # the next largest joins, and all go largest first
    assert [(h.key, h.sentence) for h in four] == [
        ("physics", "field_up"), ("vaccines", "field_down"),
        ("quantum bracelets", "narrative_new"), ("c2", "myth_new")]


def test_only_changes_are_candidates_and_an_unchanged_week_has_none():
    f = figures(topics=[Count("health", 5, 3, 5, 3)],
                myths=[MythTrend("c1", "x", "false", "health", (1, 0, 3, 3))],  # flat
                narratives=[narrative("old story", 3, 3, 10)],  # neither new nor growing
                reviews=ReviewOutcomes(queue=(("health", 1, 4),), open_prev=4))
    assert pick_highlights(f) == ()
    assert pick_highlights(figures()) == ()


def test_myth_new_back_and_rising_are_told_apart():
    f = figures(myths=[MythTrend("new", "a", "false", "", (0, 0, 0, 3)),
                       MythTrend("back", "b", "false", "", (2, 0, 0, 2)),
                       MythTrend("up", "c", "false", "", (0, 0, 1, 4))])
    sentences = {h.key: h.sentence for h in pick_highlights(f, limit=3)}
    assert sentences == {"new": "myth_new", "back": "myth_back", "up": "myth_up"}


def test_backlog_and_an_older_growing_narrative():
    f = figures(narratives=[narrative("older", 5, 2, 10)],
                reviews=ReviewOutcomes(queue=(("physics", 3, 7), ("health", 0, 2)), open_prev=12))
    grown, backlog = pick_highlights(f)  # both moved 3: a narrative ranks before the backlog
    assert (backlog.sentence, backlog.now, backlog.before, backlog.overdue) == (
        "backlog_down", 9, 12, 3)
    assert (grown.sentence, grown.series) == ("narrative_up", (2, 5))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sentences_in_both_languages_fill_every_slot(lang):
    f = figures(topics=[Count("unknown", 3, 3, 0, 0)],
                myths=[MythTrend("c9", "A very long claim " * 10, "false", "health",
                                 (0, 0, 0, 0, 0, 0, 0, 5))],
                narratives=[narrative(HOSTILE + "手环", 4, 0, -2)],
                reviews=ReviewOutcomes(queue=(("physics", 1, 2),)))
    picked = pick_highlights(f, limit=4)
    sentences = {h.kind: highlight_sentence(h, lang, 8) for h in picked}
    assert len(sentences) == 4 and not any("{" in s or "}" in s for s in sentences.values())
    field = sentences["field"]
    assert ("未知" in field and "unknown" not in field) if lang == "zh" else "Unknown" in field
    assert HOSTILE in sentences["narrative"]  # plain text: the page escapes it
    myth = sentences["myth"]
    assert "…" in myth and "A very long claim " * 3 not in myth and "8" in myth and "5" in myth
    assert "2" in sentences["backlog"] and "1" in sentences["backlog"]  # 2 open, 1 overdue


def test_fixture_week_picks_the_field_the_narrative_and_the_backlog(week_db, settings):
    db, _ = week_db
    f = collect_figures(db, WEEK, settings, pseudonymise=str)
    picked = pick_highlights(f)
    assert [(h.kind, h.sentence) for h in picked] == [
        ("field", "field_up"), ("narrative", "narrative_up"), ("backlog", "backlog_up")]
    assert (picked[0].key, picked[0].series) == ("physics", (1, 7))  # b2 -> n1-n4, e1-e3
    assert picked[1].text.startswith(HOSTILE)  # the Chinese narrative, first seen last week
    assert (picked[2].before, picked[2].now, picked[2].overdue) == (0, 2, 2)
    assert "物理" in highlight_sentence(picked[0], "zh", f.history_weeks)
