"""Flag quality figures of labelled posts: share flagged per kind, precision and recall with
`myth` as the positive class, and how well scores read as P(myth) (ECE, Brier)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from common.records import Flag
from models.labelled_posts import LabelledPost
from models.metrics import expected_calibration_error
from pipeline.flagger import Flagger


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
