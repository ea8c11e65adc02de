from datetime import UTC, datetime

import pytest

from flows.report_render import render_weekly
from flows.weeks import last_full_week, previous_week, week_bounds
from kepu.errors import InputError
from kepu.records import Flag, Match, Post
from kepu.store.claims import save_claims
from kepu.store.flags import save_flags
from kepu.store.posts import save_post
from kepu.store.report import weekly_figures


def test_week_bounds_are_shanghai_mondays():
    start, end = week_bounds("2026-W47")
    assert start == datetime(2026, 11, 15, 16, tzinfo=UTC)
    assert (end - start).days == 7
    assert last_full_week(datetime(2026, 11, 23, 3, tzinfo=UTC)) == "2026-W47"
    assert previous_week("2026-W01") == "2025-W52"
    with pytest.raises(InputError, match="--week"):
        week_bounds("2026-47")


def test_weekly_figures_and_escaped_html(db, tiny_claims, tmp_path):
    save_claims(db, tiny_claims)
    inside = datetime(2026, 11, 18, 12, tzinfo=UTC)
    outside = datetime(2026, 11, 25, 12, tzinfo=UTC)
    texts = [("<script>alert(1)</script> Vaccines cause autism.", inside, True),
             ("Nice weather today.", inside, False), ("Old post.", outside, True)]
    flags = []
    for i, (text, when, flagged) in enumerate(texts):
        save_post(db, Post(id=str(i), text=text, title=f"<b>t{i}</b>", published=when,
                           platform="weibo"), f"http://s.test/{i}")
        pid = db.scalar("SELECT id FROM posts WHERE canonical_url = ?", [f"http://s.test/{i}"])
        matches = (Match("c2", 0.95, text, "asserts"),) if flagged else ()
        flags.append(Flag(pid, flagged, 0.9 if flagged else 0.1, "asserts", matches, "r",
                          "vaccines" if flagged else None, 0.5))
    save_flags(db, flags, {}, "m")
    start, end = week_bounds("2026-W47")
    figures = weekly_figures(db, start, end)
    assert figures["totals"] == {"posts": 2, "flagged": 1}
    assert figures["top_myths"][0]["claim_id"] == "c2" and figures["top_myths"][0]["posts"] == 1
    # Claim text is under our control, but make it hostile to prove escaping.
    figures["top_myths"][0]["text"] = "<script>alert('x')</script>"
    for lang in ("zh", "en"):
        html = render_weekly(figures, "2026-W47", start, end, lang, tmp_path).read_text()
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert "data:image/png;base64," in html
    assert "疫苗与传染病" in (tmp_path / "report-2026-W47-zh.html").read_text()
