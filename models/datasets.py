"""One small loader per public dataset, each returning labelled `Example`s with a split.

Label 1 = fake / pseudo-science / rumour, 0 = real. Official splits are kept where they exist;
otherwise examples are split by time (oldest 70% train, next 10% dev, newest 20% test) so that
nothing from the future leaks into training. Files are read in place from the datasets folder,
never copied. Pure: file reading only, no store.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from common.errors import InputError

csv.field_size_limit(sys.maxsize)
SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class Example:
    """One labelled text; `time` orders time splits, `topic` groups the per-topic figures."""

    text: str
    label: int
    lang: str
    split: str
    dataset: str
    time: datetime | None = None
    topic: str = ""


def time_split(examples: Sequence[Example], train: float = 0.7, dev: float = 0.1) -> list[Example]:
    """Assign train/dev/test by time order (ties keep file order): no future in training."""
    ordered = sorted(examples, key=lambda e: e.time.timestamp() if e.time else float("-inf"))
    n = len(ordered)
    cut_train, cut_dev = round(n * train), round(n * (train + dev))
    return [replace(e, split="train" if i < cut_train else "dev" if i < cut_dev else "test")
            for i, e in enumerate(ordered)]


def _need(path: Path) -> Path:
    if not path.exists():
        raise InputError(str(path), "dataset file not found (is settings.datasets_dir right?)")
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with _need(path).open(encoding="utf-8-sig", newline="") as handle:
        return [{(k or "").strip('\ufeff"'): (v or "") for k, v in row.items()}
                for row in csv.DictReader(handle)]


def load_checked_weibo(root: Path) -> list[Example]:
    """CHECKED (zh Weibo COVID): the authors' time-ordered 70/10/20 split, text<TAB>label."""
    out: list[Example] = []
    for split, name in (("train", "new_train"), ("dev", "new_dev"), ("test", "new_test")):
        path = _need(root / "checked-covid-weibo-zh" / "baseline" / "data" / f"{name}.txt")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            text, sep, label = line.rpartition("\t")
            if not sep or label.strip() not in ("fake", "real"):
                raise InputError(str(path), f"expected text<TAB>fake|real, got {label[:20]!r}",
                                 number)
            out.append(Example(text.strip(), int(label.strip() == "fake"), "zh", split,
                               "checked-covid-weibo-zh", topic="vaccines"))
    return out


def load_constraint(root: Path) -> list[Example]:
    """CONSTRAINT@AAAI-2021 (en COVID posts): the official train/val/test split."""
    files = (("train", "Constraint_Train.csv"), ("dev", "Constraint_Val.csv"),
             ("test", "english_test_with_labels.csv"))
    out: list[Example] = []
    for split, name in files:
        for row in _rows(root / "constraint-covid-fakenews" / "data" / name):
            out.append(Example(row["tweet"].strip(), int(row["label"] == "fake"), "en", split,
                               "constraint-covid-fakenews", topic="vaccines"))
    return out


def load_coaid(root: Path) -> list[Example]:
    """CoAID (en COVID news titles and claims): split by snapshot date, the newest one tested.

    Only titles are used: fake items mostly lack article bodies, so bodies would leak the label.
    Snapshots 05-01 and 07-01 train, 09-01 dev, 11-01 test.
    """
    splits = {"05-01-2020": "train", "07-01-2020": "train", "09-01-2020": "dev",
              "11-01-2020": "test"}
    out: list[Example] = []
    for folder, split in splits.items():
        when = datetime.strptime(folder, "%m-%d-%Y")
        for kind in ("NewsFake", "NewsReal", "ClaimFake", "ClaimReal"):
            path = root / "coaid" / folder / f"{kind}COVID-19.csv"
            if not path.exists():
                continue  # ClaimFake is absent from the later snapshots
            for row in _rows(path):
                text = row.get("title", "").strip().strip('"')
                if text:
                    out.append(Example(text, int("Fake" in kind), "en", split, "coaid", when,
                                       "vaccines"))
    return out


GUOKR_TOPICS = {"医学健康": "health", "科学技术": "physics", "食品安全": "food_safety",
                "自然环境": "environment", "宠物花草": "life_science", "生活窍门": "health"}


def load_guokr(root: Path) -> list[Example]:
    """Guokr rumour verdicts (zh science/health, 2013-2016): 假 vs 真, time split by date.

    论证中 (still under debate) items are left out: they are neither label.
    """
    folder = _need(root / "rumor-breaker-guokr-zh" / "后端" / "data" / "果壳网爬虫" / "分类数据"
                   / "分段")
    out: list[Example] = []
    for path in sorted(folder.glob("gk*.csv")):
        for row in _rows(path):
            verdict = row.get("LiuyanType", "")
            if verdict not in ("假", "真"):
                continue
            text = "\n".join(p for p in (row["title"].strip(), row["descrip"].strip()) if p)
            when = datetime.strptime(row["date"], "%Y-%m-%d") if row.get("date") else None
            out.append(Example(text, int(verdict == "假"), "zh", "", "rumor-breaker-guokr-zh",
                               when, GUOKR_TOPICS.get(row.get("category", ""), "other")))
    return time_split(out)


LOADERS: dict[str, Callable[[Path], list[Example]]] = {
    "checked-covid-weibo-zh": load_checked_weibo,
    "constraint-covid-fakenews": load_constraint,
    "coaid": load_coaid,
    "rumor-breaker-guokr-zh": load_guokr,
}


# Each loader's licence as its SOURCE.txt in the datasets folder states it: none of these lets us
# ship weights fitted on them (the bundled pseudo-science detector is fitted on our own posts).
LICENCES: dict[str, str] = {
    "checked-covid-weibo-zh": "no licence; the README allows academic research only",
    "constraint-covid-fakenews": "unclear: the mirror's MIT licence covers code, not the data",
    "coaid": "no licence stated: research use only",
    "rumor-breaker-guokr-zh": "no licence; texts copyrighted by their publishers",
}


def licence_warnings(names: Sequence[str]) -> list[str]:
    """One warning per dataset whose licence does not allow shipping a model fitted on it."""
    return [f"{name}: {LICENCES[name]}. A model trained on it is for in-house use only: do not "
            "ship or publish its weights." for name in names if name in LICENCES]


def load_datasets(root: Path, names: Sequence[str] | None = None) -> list[Example]:
    """Every example of the named datasets (all known ones by default), deduplicated by text.

    A text seen in an earlier split or dataset is dropped later on, so that no test text is
    also a training text.
    """
    unknown = set(names or ()) - LOADERS.keys()
    if unknown:
        raise InputError(", ".join(sorted(unknown)),
                         f"unknown dataset; known: {', '.join(LOADERS)}")
    examples = [e for name in (names or LOADERS) for e in LOADERS[name](root)]
    order = {s: i for i, s in enumerate(SPLITS)}
    seen: set[str] = set()
    kept: list[Example] = []
    for example in sorted(examples, key=lambda e: order[e.split]):
        if example.text and example.text not in seen:
            seen.add(example.text)
            kept.append(example)
    return kept
