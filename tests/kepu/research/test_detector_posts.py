"""The detector's training posts are what `scripts/make_detector_posts.py` composes from the
written parts, and its dev split shares no written core with training."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def maker():
    spec = importlib.util.spec_from_file_location(
        "make_detector_posts", ROOT / "scripts" / "make_detector_posts.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bundled_posts_are_the_first_round_composition(maker):
    bundled = [json.loads(line) for line in
               (ROOT / "data" / "detector" / "posts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert list(maker.compose()) == bundled


def test_second_round_adds_posts_and_keeps_every_first_round_split(maker):
    first = {p["id"]: p["split"] for p in maker.compose()}
    both = list(maker.compose(second_round=True))
    assert len(both) > 1.5 * len(first)
    by_id = {p["id"]: p["split"] for p in both}
    assert len(by_id) == len(both)  # ids stay unique
    # a first-round core keeps its split (its frames may rotate, its side of the split may not)
    kept = {i.rsplit("-", 2)[0]: s for i, s in first.items()}
    moved = [i for i, s in by_id.items() if i.rsplit("-", 2)[0] in kept
             and s != kept[i.rsplit("-", 2)[0]]]
    assert moved == []


def test_dev_posts_share_no_core_with_training(maker):
    for second_round in (False, True):
        posts = list(maker.compose(second_round))
        cores = {split: {p["id"].rsplit("-", 2)[0].replace("debunk", "myth") for p in posts
                         if p["split"] == split} for split in ("train", "dev")}
        assert cores["dev"] and cores["train"]
        assert not cores["dev"] & cores["train"]
