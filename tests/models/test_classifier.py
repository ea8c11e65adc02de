import numpy as np
import pytest

from kepu.errors import ModelError
from models.bootstrap import examples_from_claims
from models.classifier import load_head, train_head
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


def test_one_class_is_refused():
    with pytest.raises(ModelError, match="both classes"):
        train_head(np.eye(3, dtype=np.float32), [1, 1, 1], "x")
    with pytest.raises(ModelError, match="cannot load"):
        load_head(__import__("pathlib").Path("/nonexistent"))
