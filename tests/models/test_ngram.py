"""The text n-gram head: learns from tiny made-up posts, round-trips without pickle, and goes
through the registry (train, register, evaluate, promote) like the embedding heads."""

import json

import numpy as np
import pytest

from common.errors import ModelError
from common.settings import load_settings
from kepu.research.promotion import evaluate_version, promote
from models.datasets import load_datasets
from models.ngram import calibrate_ngram, load_ngram_head, train_ngram_head
from models.registry import KIND, current_classifier, train_and_register
from pipeline.embedding import HashingEmbedder
from store import Database
from store.models import current_model

FAKE = ["喝盐水能杀死病毒，赶紧转发", "Miracle lemon water cures the virus, doctors hide it",
        "神奇偏方包治百病，医生都不说", "Secret remedy kills the virus, share before deleted"]
REAL = ["卫健委通报新增确诊病例数据", "Officials reported new cases and updated testing guidance",
        "疾控中心发布疫情防控指南", "The ministry published weekly hospital data"]


def test_head_reads_text_round_trips_without_pickle_and_needs_texts(tmp_path):
    texts, labels = FAKE + REAL, [1] * 4 + [0] * 4
    head = calibrate_ngram(train_ngram_head(texts, labels, min_df=1), texts, labels)
    probe = ["盐水杀死病毒，转发", "lemon water cures the virus", "卫健委通报病例数据",
             "officials reported hospital data"]
    probs = head.predict_proba(None, probe)
    assert probs[:2].min() > 0.5 > probs[2:].max()
    head.save(tmp_path / "h", {"data": "tiny"})
    assert not list(tmp_path.rglob("*.pkl"))
    loaded = load_ngram_head(tmp_path / "h")
    assert np.allclose(loaded.predict_proba(np.zeros((4, 3)), texts=probe), probs)
    with pytest.raises(ModelError, match="needs the post texts"):
        loaded.predict_proba(np.zeros((1, 3)))


def test_texts_without_words_train_on_characters_alone():
    head = train_ngram_head(["假", "谣", "真", "实"], [1, 1, 0, 0], min_df=1)  # no 2-char token
    assert head.char_vocab and not head.word_vocab
    assert head.predict_proba(None, ["假谣", "真实"]).shape == (2,)


def test_ngram_candidate_trains_evaluates_and_promotes_through_the_registry(tmp_path,
                                                                            tiny_datasets,
                                                                            tiny_claims):
    # promotion_flag_limit 1.0: the n-gram head on the made-up sets flags ~20% of the
    # development science and off-topic posts acting alone; the flag gate has its own tests
    settings = load_settings(home=tmp_path / "home", embedder="hashing",
                             datasets_dir=tiny_datasets, promotion_flag_limit=1.0)
    emb = HashingEmbedder()
    with Database(settings.database) as db:
        boot = current_classifier(settings, db, emb, tiny_claims)
        trained, path = train_and_register(settings, db, None, "ngram")
        card = json.loads((path / "model_card.json").read_text(encoding="utf-8"))
        assert card["kind"] == "ngram" and card["parent"] == boot.version
        assert card["metrics"]["macro_f1_mean"] > 0.9  # the made-up classes are separable
        assert current_model(db, KIND)[0] == boot.version  # registered, not promoted
        assert promote(settings, db, emb, trained.head.version).allowed
        served = current_classifier(settings, db, emb, [])
        assert served.version == trained.head.version
        again = evaluate_version(settings, db, emb, None, settings.classifier_datasets)
    assert again["macro_f1_mean"] == card["metrics"]["macro_f1_mean"]
    test = [e for e in load_datasets(tiny_datasets, settings.classifier_datasets)
            if e.split == "test"]
    probs = served.predict_proba(None, [e.text for e in test])
    assert probs[[e.label == 1 for e in test]].min() > 0.5
