"""Measure the detector through the same path as `kepu flag` (`kepu eval detector`).

HRDE (../shared/datasets/hrde-health-rumors-zh, evaluation only: no licence, never fitted on):
2,500 labelled Chinese health texts. Its "dev split" here is the first 400 items in sha256
order of their text (a fixed sample anyone can rebuild); `--split rest` is the other 2,100 and
`all` both. Labels: 是谣言 rumour, 不是谣言 health (accurate health posts), 与健康信息不相关
unrelated. Our held-out sets (data/eval) are read only with `--held-out`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from common.errors import InputError
from common.records import Flag, Post
from common.settings import Settings
from models.vectors import VectorCache, sentence_key
from pipeline.embedding import Embedder, Role, describe

HRDE_LABELS = {"是谣言": "rumour", "不是谣言": "health", "与健康信息不相关": "unrelated"}
HRDE_DEV_SIZE = 400


def read_hrde(datasets_dir: Path, split: str = "dev") -> list[tuple[Post, str]]:
    """(post, label) of the HRDE evaluation texts in `split` (dev, rest or all)."""
    path = datasets_dir / "hrde-health-rumors-zh" / "data" / "dev_data" / "dev_data.json"
    if split not in ("dev", "rest", "all"):
        raise InputError("--split", f"unknown HRDE split {split!r}; choose dev, rest or all")
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(str(path), f"cannot read the HRDE evaluation texts: {exc}") from exc
    ordered = sorted(items, key=lambda r: hashlib.sha256(r["input"].encode()).hexdigest())
    chosen = {"dev": ordered[:HRDE_DEV_SIZE], "rest": ordered[HRDE_DEV_SIZE:],
              "all": ordered}[split]
    return [(Post(f"hrde-{hashlib.sha256(r['input'].encode()).hexdigest()[:12]}", r["input"],
                  "", "zh"), HRDE_LABELS[r["label"]]) for r in chosen]


def basis_rates(labelled: Sequence[tuple[Post, str]], flags: Sequence[Flag]
                ) -> dict[str, dict[str, float]]:
    """Per label: posts, share flagged, share flagged by a claim (what the claims alone flag:
    the detector only adds flags) and by the detector."""
    out: dict[str, dict[str, float]] = {}
    for label in sorted({lab for _, lab in labelled}):
        mine = [f for (_, lab), f in zip(labelled, flags, strict=True) if lab == label]
        out[label] = {"posts": float(len(mine)),
                      "flagged": sum(f.flagged for f in mine) / len(mine),
                      "by claim": sum(f.flagged and f.basis == "claim" for f in mine) / len(mine),
                      "by detector": sum(f.flagged and f.basis == "detector"
                                         for f in mine) / len(mine)}
    return out


class CachedEmbedder:
    """An embedder whose query vectors persist in the vector cache: an evaluation re-run only
    pays for texts it has not seen (same vectors, so the same flags)."""

    def __init__(self, inner: Embedder, cache: VectorCache) -> None:
        self._inner, self._cache = inner, cache
        self.name, self.vectors_id = inner.name, inner.vectors_id
        self.runtime, self.dim = inner.runtime, inner.dim

    def encode(self, texts: Sequence[str], role: Role = "passage") -> np.ndarray:
        if role != "query":
            return self._inner.encode(texts, role=role)
        todo = list(dict.fromkeys(t for t in texts if self._cache.get(sentence_key(t)) is None))
        if todo:
            self._cache.add([sentence_key(t) for t in todo], self._inner.encode(todo, role=role))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache.get(sentence_key(t)) for t in texts])  # type: ignore[misc]


def detector_flags(settings: Settings, split: str, held_out: bool,
                   progress: Callable[[int], None] | None = None
                   ) -> tuple[str, dict[str, dict[str, dict[str, float]]]]:
    """(title, {set: basis_rates}) of HRDE `split`, the development posts and, with `held_out`,
    data/eval, each flagged by the flagger `kepu flag` builds (bundled claims base)."""
    from kepu.flag_eval import dev_files, held_out_files, labelled_posts, sample_site_posts
    from kepu.scoring_service import build_flagger
    from kepu.services import ensure_claims
    from models.registry import vector_cache
    from pipeline.embedders import load_embedder
    from store import Database

    ensure_claims(settings)
    embedder = load_embedder(settings)
    sets = {f"hrde {split} (evaluation only)": read_hrde(settings.datasets_dir, split),
            "development posts (sample site + data/dev)": sample_site_posts(settings.data_dir)
            + [p for path in dev_files(settings.data_dir) for p in labelled_posts(path)]}
    for path in held_out_files(settings.data_dir) if held_out else []:
        sets[f"data/eval/{path.name} (held out)"] = labelled_posts(path)
    with Database(settings.database) as db:
        flagger = build_flagger(settings, db, embedder)
        flagger = replace(flagger, embedder=CachedEmbedder(embedder,
                                                           vector_cache(settings, embedder)))
        results = {}
        for name, labelled in sets.items():
            flags = []
            for flag in flagger.flag([post for post, _ in labelled]):
                flags.append(flag)
                if progress:
                    progress(1)
            results[name] = basis_rates(labelled, flags)
    detector = flagger.detector
    used = (f"{detector.version} at threshold {flagger.detector_threshold or detector.threshold:.3f}"
            if detector else "absent")
    return f"flags by signal ({describe(embedder)}; detector {used})", results
