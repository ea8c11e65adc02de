"""Flag quality on our own labelled posts, and end-to-end flagging speed (`kepu bench flag`).

Two kinds of labelled sets, named apart: development sets (the sample-site articles in
data/site_src and every data/dev/*.jsonl), which stance, calibration and thresholds are tuned on,
and data/eval/*.jsonl, the held-out sets, written separately by sessions that saw only the claims
base (without its variants), each committed before its first measurement, and never tuned on.
A held-out set that has been looked at and learned from moves to data/dev (former_held_out_*.jsonl)
and a fresh one takes its place.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from common.records import Flag, Post
from common.settings import Settings
from models.metrics import expected_calibration_error
from pipeline.detector import Detection, PseudoscienceDetector
from pipeline.embedding import Embedder, Role
from pipeline.flagger import Flagger
from pipeline.jsonlines import parse_json_lines
from store import Database

LabelledPost = tuple[Post, str]


def _rows(path: Path) -> list[dict[str, Any]]:
    return [row for _, row in parse_json_lines(path.read_text(encoding="utf-8"), str(path))]


def sample_site_posts(data_dir: Path) -> list[LabelledPost]:
    return [(Post(r["slug"], "\n".join(r["paragraphs"]), r["title"], r["lang"]), r["kind"])
            for r in _rows(data_dir / "site_src" / "articles.jsonl")]


def labelled_posts(path: Path) -> list[LabelledPost]:
    """Posts with their kind from a JSON-lines file of {id, lang, kind, title, text}."""
    return [(Post(r["id"], r["text"], r.get("title") or "", r["lang"]), r["kind"])
            for r in _rows(path)]


def dev_files(data_dir: Path) -> list[Path]:
    """The development post files (data/dev/*.jsonl), in name order."""
    return sorted((data_dir / "dev").glob("*.jsonl"))


def dev_posts(data_dir: Path) -> list[LabelledPost]:
    """Posts written for developing stance and thresholds (every data/dev/*.jsonl): tune on
    these."""
    return [post for path in dev_files(data_dir) for post in labelled_posts(path)]


def development_posts(data_dir: Path) -> list[LabelledPost]:
    """Everything stance, calibration and thresholds are tuned on: the sample site's articles,
    then every data/dev/*.jsonl."""
    return sample_site_posts(data_dir) + dev_posts(data_dir)


def held_out_files(data_dir: Path) -> list[Path]:
    """The held-out post files (data/eval/*.jsonl): report on these, never tune on them."""
    return sorted((data_dir / "eval").glob("*.jsonl"))


def calibration_figures(is_myth: Sequence[bool], probs: Sequence[float]) -> dict[str, float]:
    """Expected calibration error (10 bins) and Brier score of scores read as P(myth)."""
    y, p = np.asarray(is_myth, dtype=float), np.asarray(probs, dtype=float)
    return {"ECE": expected_calibration_error(y, p), "Brier": float(np.mean((p - y) ** 2))}


def flag_rates(flagger: Flagger, labelled: list[LabelledPost]) -> dict[str, float]:
    """Share flagged per kind, precision/recall with `myth` as the positive class, and how well
    the scores read as P(myth) (ECE, Brier)."""
    return flag_figures(labelled, list(flagger.flag([p for p, _ in labelled])))


def flag_figures(labelled: Sequence[LabelledPost], flags: Sequence[Flag]) -> dict[str, float]:
    """`flag_rates` of flags already made, one per labelled post."""
    by_kind: dict[str, list[bool]] = {}
    for (_, kind), flag in zip(labelled, flags, strict=True):
        by_kind.setdefault(kind, []).append(flag.flagged)
    tp = sum(by_kind.get("myth", []))
    flagged = sum(f.flagged for f in flags)
    out = {f"{kind} flagged": sum(v) / len(v) for kind, v in sorted(by_kind.items())}
    out |= {f"{kind} posts": float(len(v)) for kind, v in sorted(by_kind.items())}
    out["precision"] = tp / max(flagged, 1)
    out["recall"] = tp / max(len(by_kind.get("myth", [])), 1)
    out.update(calibration_figures([kind == "myth" for _, kind in labelled],
                                   [f.score for f in flags]))
    out["posts"] = float(len(labelled))
    return out


def synthetic_posts(data_dir: Path, count: int, seed: int = 7) -> list[Post]:
    """`count` distinct posts recombined from the sample articles' paragraphs (zh and en)."""
    rng = random.Random(seed)
    by_lang: dict[str, list[str]] = {}
    for post, _ in sample_site_posts(data_dir):
        by_lang.setdefault(post.lang, []).extend(post.text.split("\n"))
    posts = []
    for i in range(count):
        pool = by_lang["zh" if i % 2 else "en"]
        paragraphs = rng.sample(pool, k=min(3, len(pool)))
        posts.append(Post(f"bench-{i}", "\n".join(paragraphs) + f" #{i}", "", ""))
    return posts


class _TimedEmbedder:
    """An embedder that adds up the seconds its encode calls take: the bench's encoder share."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self.name, self.vectors_id = embedder.name, embedder.vectors_id
        self.runtime, self.dim = embedder.runtime, embedder.dim
        self.seconds = 0.0
        self.texts = 0

    def encode(self, texts: Sequence[str], role: Role = "passage") -> np.ndarray:
        started = time.perf_counter()
        try:
            return self._embedder.encode(texts, role=role)
        finally:
            self.seconds += time.perf_counter() - started
            self.texts += len(texts)


class _TimedDetector:
    """A detector that adds up the seconds its calls take: the bench's detector share."""

    def __init__(self, detector: PseudoscienceDetector) -> None:
        self._detector = detector
        self.threshold = detector.threshold
        self.seconds = 0.0

    def detect(self, vectors: np.ndarray, texts: Sequence[str]) -> list[Detection]:
        started = time.perf_counter()
        try:
            return self._detector.detect(vectors, texts)
        finally:
            self.seconds += time.perf_counter() - started


def _timed_runs(flagger: Flagger, posts: Sequence[Post], chunk: int = 100
                ) -> tuple[dict[str, float], dict[str, int], _TimedEmbedder]:
    """Seconds and flags of the flagger "with" its detector and "without" it on the same posts,
    chunk by chunk in alternating order (whichever runs first on a chunk is slower: the order
    must not decide the comparison); the encoder timing is the "with" run's."""
    timed = _TimedEmbedder(flagger.embedder)
    runs = {"with": replace(flagger, embedder=timed),
            "without": replace(flagger, embedder=_TimedEmbedder(flagger.embedder),
                               detector=None)}
    seconds = dict.fromkeys(runs, 0.0)
    flagged = dict.fromkeys(runs, 0)
    order = ["with"] if flagger.detector is None else ["without", "with"]
    for number, start in enumerate(range(0, len(posts), chunk)):
        part = posts[start:start + chunk]
        for name in order if number % 2 == 0 else order[::-1]:
            started = time.perf_counter()
            flagged[name] += sum(f.flagged for f in runs[name].flag(part))
            seconds[name] += time.perf_counter() - started
    return seconds, flagged, timed


def bench_flag(settings: Settings, db: Database, flagger: Flagger, count: int,
               naive_encode: Callable[[list[str]], np.ndarray]) -> dict[str, float]:
    """Posts/s of the full flagger (and the encoder's share of its time) and of a naive
    whole-post encode + cosine baseline. With a detector, the flagger also runs without it on
    the same posts (alternating, chunk by chunk), so the detector's cost is measured within one
    run, and the detector's own calls are timed too."""
    posts = synthetic_posts(settings.data_dir, count)
    figures: dict[str, float] = {}
    list(flagger.flag(posts[:8]))  # untimed warm-up: the first run must not pay the model's start
    detector = _TimedDetector(flagger.detector) if flagger.detector is not None else None
    if detector is not None:
        flagger = replace(flagger, detector=detector)  # type: ignore[arg-type]
    seconds, counts, timed = _timed_runs(flagger, posts)
    pipeline_s, flagged = seconds["with"], counts["with"]
    if detector is not None:
        figures |= {"without detector s": seconds["without"],
                    "without detector flagged": float(counts["without"])}
    claims = [c.text for c in flagger.index.claims]
    started = time.perf_counter()
    claim_vectors = naive_encode(claims)
    post_vectors = naive_encode([p.text for p in posts])
    (post_vectors @ claim_vectors.T).max(axis=1)
    naive_s = time.perf_counter() - started
    figures = {"posts": float(count), "pipeline posts/s": count / pipeline_s,
               "naive posts/s": count / naive_s, "flagged": float(flagged),
               "pipeline s": pipeline_s, "naive s": naive_s,
               "sentences encoded": float(timed.texts), "encoder s": timed.seconds,
               "encoder share": timed.seconds / pipeline_s} | figures
    if detector is not None:
        figures["detector s"] = detector.seconds
        figures["detector share"] = detector.seconds / pipeline_s
        figures["time added by detector share"] = pipeline_s / figures["without detector s"] - 1
    return figures
