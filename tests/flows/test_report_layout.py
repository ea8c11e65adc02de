"""The printed weekly report, read back from the PDF that real headless Chromium writes.

One PDF (zh) of a week shaped like the demo's (every field, five platforms and an unknown one,
several myths, narratives, reviews) is printed once for the module; the tests read its pages
with poppler: page count, how full page 1 is, whether each heading shares a page with its first
chart, and that no English key leaks into the Chinese report.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from common.records import TOPICS, Flag, Match, Post
from common.settings import load_settings
from flows.report_labels import CLAIM_VERDICTS, LABELS, PLATFORMS, REVIEW_VERDICTS, UNKNOWN
from flows.weekly_report import weekly_report
from store import Database
from store.flags import save_flags
from store.posts import save_post
from tests.conftest import make_tiny_claims
from tests.flows.conftest import W46, W47, WEEK, fill_week
from tests.flows.pdf_layout import (
    headings_with_first_chart,
    image_pages,
    inked_rows,
    page_count,
    pdf_lines,
    squeeze,
)


def fill_every_topic(db: Database) -> None:
    """A few posts in each of the 14 fields this week and last; the flagged ones repeat the
    known myth c1, and one post has no platform (the report must say "未知", not "unknown")."""
    flags = []
    for i, topic in enumerate(TOPICS):
        for week, when, count in (("now", W47, 1 + i % 4), ("prev", W46, i % 3)):
            for j in range(count):
                key = f"t{i}-{week}-{j}"
                flagged = j < (i % 3 if week == "now" else (i + 1) % 2)
                url = f"https://topics.test/{key}"
                save_post(db, Post(id=key, text=f"{TOPICS[topic][0]}第 {i}-{j} 篇 {week} 文章",
                                   title=f"{topic} {key}", published=when + timedelta(hours=j),
                                   platform="" if key == "t0-now-0" else ("wechat", "zhihu")[j % 2],
                                   source_id="src-t", author=f"@t{i}"), url)
                post_id = db.scalar("SELECT id FROM posts WHERE canonical_url = ?", [url])
                matches = (Match("c1", 0.9, "剩菜", "asserts"),) if flagged else ()
                flags.append(Flag(post_id, flagged, 0.8 if flagged else 0.2,
                                  "asserts" if flagged else "neutral", matches, "r", topic, 0.5))
    save_flags(db, flags, {}, "m")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """(settings, html text, pdf path) of the zh report, printed once for the module."""
    home = tmp_path_factory.mktemp("layout")
    settings = load_settings(home=home / "home", embedder="hashing", demo_port=0,
                             db_path=home / "report.duckdb")
    with Database(settings.db_path) as db:
        fill_week(db, make_tiny_claims())
        fill_every_topic(db)
    html = weekly_report(settings, WEEK, "zh")
    return settings, html.read_text(encoding="utf-8"), html.with_suffix(".pdf")


def test_page_count_within_bounds(printed):
    _, _, pdf = printed
    assert 2 <= page_count(pdf) <= 6


def test_first_page_carries_the_summary_and_is_well_filled(printed, tmp_path):
    _, html, pdf = printed
    lines, height = pdf_lines(pdf)
    first = [line for line in lines if line.page == 1]
    assert any(line.text == LABELS["zh"]["summary"] for line in first)
    assert sum(re.match(r"^图[123]·", line.text) is not None for line in first) == 3
    assert image_pages(pdf).count(1) >= 3  # the three summary charts
    ink = inked_rows(pdf, 1, tmp_path)
    last = len(ink) - 1 - ink[::-1].argmax()
    assert last / len(ink) > 0.7, f"page 1 ends at {last / len(ink):.0%} of its height"
    assert ink.mean() > 0.45, f"only {ink.mean():.0%} of page 1's rows hold anything"
    assert max(line.bottom for line in first) / height > 0.6


def test_each_heading_shares_a_page_with_its_first_chart(printed):
    _, html, pdf = printed
    lines, _ = pdf_lines(pdf)
    pairs = headings_with_first_chart(html)
    headings = {h for h, _ in pairs}
    assert {LABELS["zh"][k] for k in ("summary", "volume", "by_topic", "by_platform", "myths",
                                      "reviews", "verdict_share")} <= headings
    images = set(image_pages(pdf))
    for heading, caption in pairs:
        number = re.match(r"(图\s*\d+\s*·)", caption).group(1)
        head = next(line for line in lines if line.text == squeeze(heading))
        cap = next(line for line in lines if line.text.startswith(squeeze(number)))
        assert head.page == cap.page, (heading, caption, head.page, cap.page)
        assert head.top < cap.top and cap.page in images, (heading, caption)


def test_myth_table_keeps_short_columns_on_one_line(printed):
    _, html, pdf = printed
    lines, _ = pdf_lines(pdf)
    verdict = CLAIM_VERDICTS["false"][0]
    assert any(verdict in line.text for line in lines)
    assert not any(line.text in (verdict[0], verdict[1]) for line in lines)  # one char a line
    trend = re.findall(r'<td class="spark"><svg class="spark"[^>]*>(.*?)</svg>', html, re.S)
    assert len(trend) == html.count("<tr><td><b>c") >= 2  # one sparkline per myth row
    assert all(t.count("<rect ") == 8 for t in trend)
    assert not any(re.search(r"\d·\d·\d", line.text) for line in lines)  # no "0·0·0·1"


def test_zh_report_has_no_english_labels(printed):
    _, html, pdf = printed
    text = "\n".join(line.text for line in pdf_lines(pdf)[0])
    assert UNKNOWN[0] in text  # the post without a platform, and the unflagged field-less ones
    english = {"unknown", UNKNOWN[1], *(v[1] for v in TOPICS.values()),
               *(v[1] for v in PLATFORMS.values()), *(v[1] for v in REVIEW_VERDICTS.values()),
               *(v[1] for v in CLAIM_VERDICTS.values()),
               *(v for v in LABELS["en"].values() if len(v) < 40 and "{" not in v)}
    for word in english:
        assert not re.search(rf"(?<![A-Za-z]){re.escape(squeeze(word))}(?![A-Za-z])", text), word
    assert 'lang="zh-CN"' in html and "Asia/Shanghai" not in text
