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

from common.errors import InputError
from common.records import Flag, Post
from common.settings import Settings
from models.registry import vector_cache
from models.vectors import CachedEmbedder
from pipeline.embedding import describe

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


def detector_flags(settings: Settings, split: str, held_out: bool,
                   progress: Callable[[int], None] | None = None
                   ) -> tuple[str, dict[str, dict[str, dict[str, float]]]]:
    """(title, {set: basis_rates}) of HRDE `split`, the development posts and, with `held_out`,
    data/eval, each flagged by the flagger `kepu flag` builds (bundled claims base)."""
    from kepu.screening.claims import ensure_claims
    from kepu.screening.scoring import build_flagger
    from models.labelled_posts import dev_files, held_out_files, labelled_posts, sample_site_posts
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
