"""The report page and PDF for the fixture week, displayed by real headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest
from matplotlib import image

from common.errors import InputError
from flows.chromium import ReportRenderError, print_pdf, screenshot
from flows.weekly_report import weekly_report
from tests.flows.conftest import POSTS, WEEK, fill_week


@pytest.fixture
def report_settings(db, tiny_claims, settings):
    fill_week(db, tiny_claims)
    db.close()
    return settings.model_copy(update={"db_path": db.path})


def test_report_html_is_escaped_self_contained_and_pseudonymised(report_settings):
    html_path = weekly_report(report_settings, WEEK, "zh")
    html = html_path.read_text(encoding="utf-8")
    assert html_path.name == f"report-{WEEK}-zh.html"
    assert html_path.with_suffix(".pdf").stat().st_size > 10_000
    assert "<script" not in html and "&lt;script&gt;" in html  # crawled text, escaped
    summary = html[html.index('<section id="summary">'):html.index("</section>")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in summary  # the narrative's crawled title
    assert len(re.findall(r'src="data:image/png;base64,', summary)) == 3  # a chart per change
    assert len(re.findall(r'src="data:image/png;base64,', html)) == 7  # and the four sections'
    assert html.count('<svg class="spark"') == 2  # a sparkline per myth (c2, c4)
    assert not re.search(r'(src|href)="(?!data:)', html)  # nothing fetched from anywhere
    for handle in {p[4] for p in POSTS}:
        assert handle not in html, handle
    assert re.search(r"user-[0-9a-f]{10}", html)
    assert "疫苗与传染病" in html and "新出现的说法" in html and "伪科学" in html
    en = weekly_report(report_settings, WEEK, "en").read_text(encoding="utf-8")
    assert "Vaccines and infectious disease" in en and "Emerging narratives" in en
    assert "50%" in en  # false-positive rate of the week (2 of 4 reviewed flags)
    with pytest.raises(InputError, match="--lang"):
        weekly_report(report_settings, WEEK, "fr")


def test_chromium_displays_the_report_with_cjk_text(report_settings, tmp_path):
    assert subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout, \
        "no Chinese font installed (scripts/setup.d/20-report.sh)"
    html = weekly_report(report_settings, WEEK, "zh")
    png = screenshot(html, tmp_path / "report.png", width=1100, height=1800)
    pixels = image.imread(png)
    assert pixels.shape[:2] == (1800, 1100)
    ink = (pixels[..., :3].mean(axis=2) < 0.6).mean()
    assert 0.01 < ink < 0.5, f"page looks blank or broken (ink {ink:.3f})"
    assert np.unique(pixels[..., :3].reshape(-1, 3), axis=0).shape[0] > 50  # charts, colours
    shutil.copy(png, report_settings.reports / "report-screenshot.png")
    text = subprocess.run(["pdftotext", str(html.with_suffix(".pdf")), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "每周趋势" in text and "疫苗与传染病" in text and "&lt;" not in text


def test_pdf_without_chromium_is_a_clear_error(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(ReportRenderError, match="no such file"):
        print_pdf(page, tmp_path / "p.pdf", chromium=tmp_path / "missing-chromium")


def test_a_week_without_posts_says_so_instead_of_reporting_falls(report_settings, monkeypatch):
    """A week after the data: every count fell to 0 because nothing was collected; page 1
    says that, and `kepu report` names the newest week that has posts."""
    from typer.testing import CliRunner

    from kepu.cli import app

    for lang, warning in (("zh", "本周没有收录任何帖子"), ("en", "No posts were collected")):
        html = weekly_report(report_settings, "2026-W49", lang).read_text(encoding="utf-8")
        summary = html[html.index('<section id="summary">'):html.index("</section>")]
        assert warning in summary and "data:image/png" not in summary  # no chart of a "fall"
        assert warning not in weekly_report(report_settings, WEEK, lang).read_text("utf-8")
    monkeypatch.setenv("KEPU_HOME", str(report_settings.home))
    monkeypatch.setenv("KEPU_DB_PATH", str(report_settings.database))
    result = CliRunner().invoke(app, ["report", "--week", "2026-W49", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "PDF: " in result.output and "kepu report --week 2026-W48" in result.output
