"""Leave-one-set-out flag figures (`kepu eval flags --leave-one-set-out`): the honest figures of
the development sets, on which the bundled stance model and calibration are fitted.

Each development set (the sample site, each data/dev file) is left out in turn: the stance
model's post head, its wording model and the score calibration are fitted on the other sets, as
`kepu train-stance` and `kepu train-calibration` fit them on all, and the left-out set is flagged
with them. The pair head is the bundled one: it is fitted on public stance sets, never on our
posts. In-sample figures of these sets say little (the wording model has seen every post); these
say how the fitting procedure does on posts it has not seen, which is what a change to matching,
the rules or the features should be judged by before a held-out set is looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from common.records import Flag, post_text
from common.settings import Settings
from kepu.research.calibration import fit_calibration
from kepu.research.stance import draft_model, fit_post_model, own_post_features
from kepu.screening.scoring import build_flagger
from models.flag_figures import flag_figures
from models.labelled_posts import LabelledPost, dev_files, labelled_posts, sample_site_posts
from pipeline.embedding import Embedder, MemoEmbedder
from pipeline.stance_model import StanceModel
from store import Database

Progress = Callable[[int], None]


def development_sets(data_dir: Path) -> dict[str, list[LabelledPost]]:
    """The development sets by name: the sample site, then data/dev/*.jsonl in name order."""
    sets = {"sample site": sample_site_posts(data_dir)}
    for path in dev_files(data_dir):
        sets[f"data/dev/{path.name}"] = labelled_posts(path)
    return sets


def leave_one_set_out(settings: Settings, db: Database, embedder: Embedder, bundled: StanceModel,
                      post_c: float = 1.0, progress: Progress | None = None
                      ) -> dict[str, dict[str, float]]:
    """Flag figures of each development set left out, then of all of them pooled."""
    memo = MemoEmbedder(embedder)  # every fold flags the same posts: encode them once
    rules_only = settings.model_copy(update={"use_stance_model": False})
    base = build_flagger(rules_only, db, memo, calibrated=False)
    draft = draft_model(bundled.pair_weights, bundled.pair_bias, memo.name, "leave-one-set-out")
    sets = development_sets(settings.data_dir)
    matched = {name: own_post_features(base, draft, posts) for name, posts in sets.items()}
    results: dict[str, dict[str, float]] = {}
    pooled: list[tuple[LabelledPost, Flag]] = []
    for held, posts in sets.items():
        rest = [name for name in sets if name != held]
        model, _ = fit_post_model(
            draft, np.concatenate([matched[name][0] for name in rest]),
            [label for name in rest for label in matched[name][1]],
            [post_text(p.title, p.text) for name in rest for p in matched[name][2]], post_c)
        flagger = replace(base, stance_model=model)
        calibration, _ = fit_calibration(flagger, [lp for name in rest for lp in sets[name]])
        flags = list(replace(flagger, calibration=calibration).flag([p for p, _ in posts]))
        results[f"{held} (left out)"] = flag_figures(posts, flags)
        pooled += zip(posts, flags, strict=True)
        if progress:
            progress(1)
    results["all development sets, each left out"] = flag_figures(
        [lp for lp, _ in pooled], [flag for _, flag in pooled])
    return results
