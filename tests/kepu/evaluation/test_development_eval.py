"""`kepu eval flags --leave-one-set-out` on a small copy of the development data (hashing
embedder): every fold fits on the other sets only, and the pooled figures add up."""

import numpy as np
import pytest

import kepu.evaluation.development as development_eval
from common.records import post_text
from common.settings import PROJECT_ROOT
from kepu.screening.claims import ensure_claims
from models.labelled_posts import dev_files
from pipeline.embedders import load_embedder
from pipeline.stance_model import StanceModel
from store import Database


@pytest.fixture
def small_data(settings, tmp_path):
    """The bundled claims and sample site, and the first 24 posts of two development sets."""
    data = tmp_path / "data"
    (data / "dev").mkdir(parents=True)
    for part in ("claims", "site_src"):
        (data / part).symlink_to(PROJECT_ROOT / "data" / part)
    for path in dev_files(PROJECT_ROOT / "data")[:2]:
        lines = path.read_text("utf-8").splitlines()[:24]
        (data / "dev" / path.name).write_text("\n".join(lines) + "\n", "utf-8")
    return settings.model_copy(update={"data_dir": data})


def test_each_set_is_flagged_by_heads_fitted_without_it(small_data, monkeypatch):
    settings = small_data
    ensure_claims(settings)
    embedder = load_embedder(settings)
    bundled = StanceModel(np.zeros((2 * embedder.dim, 3), np.float32), np.zeros(3, np.float32),
                          np.zeros(9, np.float32), 0.0, embedder.name, "test")
    fitted_on: list[set[str]] = []
    calibrated_on: list[set[str]] = []
    fit_post_model, fit_calibration = development_eval.fit_post_model, development_eval.fit_calibration

    def recording_fit(draft, features, labels, texts, post_c=1.0):
        fitted_on.append(set(texts))
        return fit_post_model(draft, features, labels, texts, post_c)

    def recording_calibration(flagger, labelled):
        calibrated_on.append({post.id for post, _ in labelled})
        return fit_calibration(flagger, labelled)

    monkeypatch.setattr(development_eval, "fit_post_model", recording_fit)
    monkeypatch.setattr(development_eval, "fit_calibration", recording_calibration)
    sets = development_eval.development_sets(settings.data_dir)
    with Database(settings.database) as db:
        results = development_eval.leave_one_set_out(settings, db, embedder, bundled)
    assert list(results) == [f"{name} (left out)" for name in sets] + [
        "all development sets, each left out"]
    for (name, posts), texts, ids in zip(sets.items(), fitted_on, calibrated_on, strict=True):
        assert texts and not texts & {post_text(p.title, p.text) for p, _ in posts}, name
        assert ids and not ids & {p.id for p, _ in posts}, name
        assert results[f"{name} (left out)"]["posts"] == len(posts)
    pooled = results["all development sets, each left out"]
    assert pooled["posts"] == sum(len(posts) for posts in sets.values())
    myths = sum(r["myth posts"] * r["myth flagged"] for name, r in results.items()
                if name.endswith("(left out)"))
    assert pooled["myth flagged"] == pytest.approx(myths / pooled["myth posts"])
