"""The report's "this week" summary: which few changes an authority should read first (pure).

A policy over the weekly figures, like the review queue's ordering: every week-over-week change
in flagged posts by field, every known myth newly appearing or rising, every narrative new this
week or growing, and the review backlog's change are candidates; each is scored by how many posts
(or tasks) it moved. The largest change of each kind is taken first, so one busy field does not
fill the page, then the next largest of any kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flows.report_figures import WeeklyFigures, text_in
from flows.report_labels import HIGHLIGHTS, LANGS, term

KINDS = ("field", "myth", "narrative", "backlog")
CLAIM_CHARS = 40


@dataclass(frozen=True)
class Highlight:
    """One change worth a sentence and a chart: `series` is what the chart plots (last week and
    this week, or a myth's weekly counts), `sentence` names the wording in report_labels."""

    kind: str
    sentence: str
    key: str
    now: int
    before: int
    series: tuple[int, ...]
    text: str = ""  # the claim or the narrative label (untrusted when crawled: escape it)
    overdue: int = 0
    texts: tuple[tuple[str, str], ...] = ()  # a myth's wordings by language

    def text_in(self, lang: str) -> str:
        return text_in(self.texts, lang, self.text)

    @property
    def moved(self) -> int:
        return abs(self.now - self.before)


def _fields(figures: WeeklyFigures) -> Iterator[Highlight]:
    for c in figures.by_topic:
        if c.flagged != c.flagged_prev:
            way = "up" if c.flagged > c.flagged_prev else "down"
            yield Highlight("field", f"field_{way}", c.key, c.flagged, c.flagged_prev,
                            (c.flagged_prev, c.flagged))


def _myths(figures: WeeklyFigures) -> Iterator[Highlight]:
    for m in figures.myths:
        if m.posts <= m.posts_prev:
            continue
        earlier = sum(m.weekly[:-2])
        sentence = "myth_up" if m.posts_prev else ("myth_back" if earlier else "myth_new")
        yield Highlight("myth", sentence, m.claim_id, m.posts, m.posts_prev, m.weekly, m.text,
                        texts=m.texts)


def _narratives(figures: WeeklyFigures) -> Iterator[Highlight]:
    for n in figures.narratives:
        if n.first_seen >= figures.start:
            yield Highlight("narrative", "narrative_new", n.label, n.size, n.size_prev,
                            (n.size_prev, n.size), n.label)
        elif n.size > n.size_prev:
            yield Highlight("narrative", "narrative_up", n.label, n.size, n.size_prev,
                            (n.size_prev, n.size), n.label)


def _backlog(figures: WeeklyFigures) -> Iterator[Highlight]:
    r = figures.reviews
    if r.open_total != r.open_prev:
        way = "up" if r.open_total > r.open_prev else "down"
        yield Highlight("backlog", f"backlog_{way}", "", r.open_total, r.open_prev,
                        (r.open_prev, r.open_total), overdue=r.overdue_total)


def _rank(h: Highlight) -> tuple[int, int, str]:
    return (-h.moved, KINDS.index(h.kind), h.key)


def pick_highlights(figures: WeeklyFigures, limit: int = 3) -> tuple[Highlight, ...]:
    """The `limit` largest changes of the week, the best of each kind first, largest first."""
    candidates = sorted((h for source in (_fields, _myths, _narratives, _backlog)
                         for h in source(figures)), key=_rank)
    best: dict[str, Highlight] = {}
    for h in candidates:
        best.setdefault(h.kind, h)
    chosen = sorted(best.values(), key=_rank)[:limit]
    chosen += [h for h in candidates if h not in chosen][: limit - len(chosen)]
    return tuple(sorted(chosen, key=_rank))


def _short(text: str, width: int = CLAIM_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def highlight_sentence(h: Highlight, lang: str, weeks: int) -> str:
    """The highlight's sentence in `lang`, as plain text (the page escapes it)."""
    template = HIGHLIGHTS[h.sentence][LANGS.index(lang)]
    return template.format(field=term("topic", h.key, lang), claim=_short(h.text_in(lang) or h.key), label=_short(h.text),
                           now=h.now, before=h.before, overdue=h.overdue, weeks=weeks)
