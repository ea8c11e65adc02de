"""Render the weekly trend summary as a self-contained HTML page (chart embedded, text escaped)."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2

from flows.weeks import SHANGHAI
from kepu.records import TOPICS

LABELS = {
    "zh": {"title": "科普信息科学性审查 · 每周趋势", "period": "统计周期", "posts": "条帖子",
           "flagged": "条疑似伪科学", "by_topic": "按领域", "by_platform": "按平台", "topic": "领域",
           "platform": "平台", "top_myths": "高频谣言（按匹配的已知说法）", "claim": "说法",
           "verdict": "结论", "queue": "专家审查队列", "panel": "专家组", "open": "待审",
           "overdue": "超期"},
    "en": {"title": "Popular-science accuracy review · weekly trends", "period": "Period",
           "posts": "posts", "flagged": "flagged as probable pseudo-science", "by_topic": "By field",
           "by_platform": "By platform", "topic": "Field", "platform": "Platform",
           "top_myths": "Top recurring myths (by matched claim)", "claim": "Claim",
           "verdict": "Verdict", "queue": "Expert review queue", "panel": "Panel", "open": "Open",
           "overdue": "Overdue"},
}


def _chart(by_topic: list[dict[str, Any]]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not by_topic:
        return ""
    fig, ax = plt.subplots(figsize=(8, 3.5))
    names = [r["topic"] for r in by_topic]
    ax.barh(names, [r["posts"] for r in by_topic], color="#9ecae1", label="posts")
    ax.barh(names, [r["flagged"] for r in by_topic], color="#de2d26", label="flagged")
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def render_weekly(figures: dict[str, Any], week: str, start: datetime, end: datetime,
                  lang: str, out_dir: Path) -> Path:
    """Write report-WEEK-LANG.html into out_dir and return its path."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("flows", "templates"), autoescape=True,
        undefined=jinja2.StrictUndefined)
    index = 0 if lang == "zh" else 1
    html = env.get_template("weekly.html").render(
        f=figures, week=week, lang=lang, t=LABELS[lang], chart=_chart(figures["by_topic"]),
        start=start.astimezone(SHANGHAI).date(), end=(end.astimezone(SHANGHAI) - timedelta(days=1)).date(),
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        topic_label=lambda t: TOPICS[t][index] if t in TOPICS else t)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"report-{week}-{lang}.html"
    path.write_text(html, encoding="utf-8")
    return path
