"""Tiny made-up datasets in the public datasets' file layouts (never the real data)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

FAKE_EN = ["Drinking hot lemon water cures the virus in {i} days, doctors hide it.",
           "Secret miracle remedy number {i} kills the virus, share before they delete it."]
REAL_EN = ["Health officials reported {i} new cases and updated testing guidance today.",
           "The ministry published weekly hospital data, {i} patients were discharged."]
FAKE_ZH = ["喝盐水能杀死病毒秘方第{i}条赶紧转发", "神奇偏方第{i}号包治百病医生都不说"]
REAL_ZH = ["卫健委通报新增确诊病例第{i}号数据发布", "疾控中心发布第{i}期疫情防控指南通知"]


def _texts(templates: list[str], start: int, n: int) -> list[str]:
    return [templates[i % len(templates)].format(i=start + i) for i in range(n)]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_tiny_datasets(root: Path, n: int = 8) -> Path:
    """Write all four dataset layouts with `n` fake and `n` real rows per split."""
    weibo = root / "checked-covid-weibo-zh" / "baseline" / "data"
    weibo.mkdir(parents=True)
    constraint = root / "constraint-covid-fakenews" / "data"
    for k, split in enumerate(("train", "dev", "test")):
        lines = [f"{t}\tfake" for t in _texts(FAKE_ZH, 100 * k, n)]
        lines += [f"{t}\treal" for t in _texts(REAL_ZH, 100 * k, n)]
        (weibo / f"new_{split}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        name = {"train": "Constraint_Train.csv", "dev": "Constraint_Val.csv",
                "test": "english_test_with_labels.csv"}[split]
        rows = [[str(i), t, "fake"] for i, t in enumerate(_texts(FAKE_EN, 100 * k, n))]
        rows += [[str(i + n), t, "real"] for i, t in enumerate(_texts(REAL_EN, 100 * k, n))]
        _write_csv(constraint / name, ["id", "tweet", "label"], rows)
    for k, folder in enumerate(("05-01-2020", "07-01-2020", "09-01-2020", "11-01-2020")):
        for kind, templates in (("NewsFake", FAKE_EN), ("NewsReal", REAL_EN)):
            rows = [[str(i), t, "x"] for i, t in enumerate(_texts(templates, 1000 + 100 * k, n))]
            _write_csv(root / "coaid" / folder / f"{kind}COVID-19.csv", ["", "title", "content"],
                       rows)
    guokr = root / "rumor-breaker-guokr-zh" / "后端" / "data" / "果壳网爬虫" / "分类数据" / "分段"
    rows = []
    for i in range(5 * n):
        verdict = "假" if i % 2 == 0 else "真"
        text = (FAKE_ZH if verdict == "假" else REAL_ZH)[i % 2].format(i=500 + i)
        rows.append(["医学健康", f"2014-01-{1 + i % 28:02d}", text, "说明" + text, verdict])
    rows.append(["医学健康", "2014-02-01", "尚在争论的说法一二三四五六", "", "论"])
    _write_csv(guokr / "gk00.csv", ["category", "date", "title", "descrip", "LiuyanType"], rows)
    return root


@pytest.fixture
def tiny_datasets(tmp_path: Path) -> Path:
    return write_tiny_datasets(tmp_path / "datasets")
