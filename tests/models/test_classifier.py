from dataclasses import replace

import numpy as np
import pytest

from common.errors import ModelError
from models.bootstrap import examples_from_claims
from models.classifier import calibrate, load_head, train_head
from models.metrics import expected_calibration_error
from pipeline.embedding import HashingEmbedder


def test_head_learns_separates_and_round_trips(tmp_path, tiny_claims):
    texts, labels = examples_from_claims(tiny_claims)
    assert labels.count(1) == 3 and len(texts) == 8
    emb = HashingEmbedder()
    head = train_head(emb.encode(texts), labels, emb.name)
    probs = head.predict_proba(emb.encode(texts))
    assert probs[np.array(labels) == 1].mean() > probs[np.array(labels) == 0].mean()
    head.save(tmp_path / head.version, {"data": "tiny"})
    assert not list(tmp_path.rglob("*.pkl"))
    loaded = load_head(tmp_path / head.version)
    assert np.allclose(loaded.predict_proba(emb.encode(texts)), probs)


def _blobs(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, 16)) + np.outer(2 * y - 1, np.ones(16)) * 0.3
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), y


def test_mlp_head_round_trips_and_platt_calibration_lowers_ece(tmp_path):
    x, y = _blobs(600, 0)
    dev_x, dev_y = _blobs(600, 1)
    mlp = train_head(x, y, "blobs", hidden=8)
    assert mlp.kind == "mlp"
    mlp.save(tmp_path / "m", {})
    assert np.allclose(load_head(tmp_path / "m").predict_proba(dev_x), mlp.predict_proba(dev_x))
    fitted = train_head(x, y, "blobs")
    raw = replace(fitted, weights=fitted.weights * 6, bias=fitted.bias * 6)  # overconfident
    tuned = calibrate(raw, dev_x, dev_y)
    test_x, test_y = _blobs(2000, 2)
    assert (expected_calibration_error(test_y, tuned.predict_proba(test_x))
            < expected_calibration_error(test_y, raw.predict_proba(test_x)))
    tuned.save(tmp_path / "t", {})
    assert load_head(tmp_path / "t").scale == pytest.approx(tuned.scale)


def test_one_class_is_refused():
    with pytest.raises(ModelError, match="both classes"):
        train_head(np.eye(3, dtype=np.float32), [1, 1, 1], "x")
    with pytest.raises(ModelError, match="cannot load"):
        load_head(__import__("pathlib").Path("/nonexistent"))
