"""The registry on a real DuckDB file with the hashing embedder and tiny made-up datasets."""

import json

import pytest

from common.errors import ModelError
from common.settings import load_settings
from kepu.research.promotion import evaluate_version, promote
from models.examples import gather_examples
from models.registry import KIND, current_classifier, model_card, train_and_register
from pipeline.embedding import HashingEmbedder
from store import Database
from store.models import current_model, list_models, unflagged_scores


@pytest.fixture
def world(tmp_path, tiny_datasets, tiny_claims):
    # promotion_flag_limit 1.0: these tests are about the macro-F1 gate; the flag gate has its
    # own tests in test_flag_gate.py
    settings = load_settings(home=tmp_path / "home", embedder="hashing",
                             datasets_dir=tiny_datasets, promotion_margin=0.01,
                             promotion_flag_limit=1.0,
                             classifier_datasets=["checked-covid-weibo-zh",
                                                  "constraint-covid-fakenews", "coaid",
                                                  "rumor-breaker-guokr-zh"])
    db = Database(settings.database)
    emb = HashingEmbedder()
    boot = current_classifier(settings, db, emb, tiny_claims)  # the bootstrap head
    yield settings, db, emb, boot
    db.close()


def test_train_writes_a_versioned_card_and_promotion_beats_the_bootstrap(world):
    settings, db, emb, boot = world
    trained, path = train_and_register(settings, db, emb)
    card = json.loads((path / "model_card.json").read_text(encoding="utf-8"))
    assert card["parent"] == boot.version and card["date"]
    assert set(card["data"]) == {"checked-covid-weibo-zh", "constraint-covid-fakenews", "coaid",
                                 "rumor-breaker-guokr-zh"}
    metrics = card["metrics"]
    assert set(metrics["by_dataset"]) == set(card["data"])
    assert set(metrics["by_lang"]) == {"zh", "en"}
    assert {"precision", "recall", "f1", "pr_auc", "ece"} <= set(metrics["overall"])
    assert metrics["macro_f1_mean"] > 0.9  # the made-up classes are separable
    assert (path / "head.safetensors").exists() and not list(path.rglob("*.pkl"))
    assert current_model(db, KIND)[0] == boot.version  # registered, not promoted
    verdict = promote(settings, db, emb, trained.head.version)
    assert verdict.allowed and current_model(db, KIND)[0] == trained.head.version
    assert current_classifier(settings, db, emb, []).version == trained.head.version
    assert model_card(settings, db, trained.head.version)["promoted"]
    again = evaluate_version(settings, db, emb, None)
    assert again["macro_f1_mean"] == metrics["macro_f1_mean"]
    assert again["fingerprint"] == metrics["fingerprint"]
    tuned = card["dev_tuned_threshold"]
    assert again["at_dev_threshold"]["threshold"] == tuned
    assert again["at_dev_threshold"] == card["metrics_at_dev_threshold"]


def test_promotion_is_refused_without_the_margin_and_says_why(world):
    settings, db, emb, _ = world
    first, _ = train_and_register(settings, db, emb)
    promote(settings, db, emb, first.head.version)
    second, _ = train_and_register(settings, db, emb)  # same data: no better
    refusal = r"refused: macro_f1_mean on the frozen test sets .*margin 0\.0100"
    with pytest.raises(ModelError, match=refusal) as err:
        promote(settings, db, emb, second.head.version)
    assert first.head.version in str(err.value)
    assert current_model(db, KIND)[0] == first.head.version
    assert {m["id"] for m in list_models(db, KIND)} >= {first.head.version, second.head.version}
    with pytest.raises(ModelError, match="not registered"):
        promote(settings, db, emb, "head-nope")


def test_expert_decisions_join_the_training_data_when_their_table_exists(world):
    settings, db, _, _ = world
    before = gather_examples(settings, db)
    if not db.scalar("SELECT count(*) FROM information_schema.tables "
                     "WHERE table_name = 'training_examples'"):  # the review area's migration
        db.execute("CREATE TABLE training_examples (post_id VARCHAR, text VARCHAR, "
                   "label INTEGER, verdict VARCHAR, kind VARCHAR, source VARCHAR, "
                   "task_id VARCHAR, decided_at TIMESTAMPTZ)")
    for i in range(20):
        db.execute("INSERT INTO training_examples (post_id, text, label, verdict, kind, source, "
                   "task_id, decided_at) SELECT ?, ?, ?, 'x', 'x', 'review', 't', "
                   "?::TIMESTAMPTZ",
                   [f"p{i}", f"Expert reviewed post number {i} about vaccines and cancer.",
                    [1, 0, 0, 7][i % 4], f"2025-01-{1 + i:02d} 10:00:00+00"])
    after = gather_examples(settings, db)
    expert = [e for e in after if e.dataset == "expert-decisions"]
    assert len(after) - len(before) == len(expert) == 15  # odd labels are skipped
    assert {e.label for e in expert} == {0, 1}
    assert max(e.time for e in expert if e.split == "train") < min(
        e.time for e in expert if e.split == "test")
    limited = gather_examples(settings, db, ["coaid"], train_limit=3)
    assert sum(e.split == "train" and e.dataset == "coaid" for e in limited) == 3


def test_unflagged_scores_skip_flagged_and_queued_posts(world):
    _, db, _, _ = world
    for post, flagged, score in (("a", False, 0.4), ("b", True, 0.9), ("c", False, 0.1),
                                 ("d", False, None)):
        db.execute("INSERT INTO flags (post_id, flagged, score, stance, classifier_score, "
                   "scored_at) VALUES (?, ?, 0.5, 'neutral', ?, now())", [post, flagged, score])
    db.execute("INSERT INTO review_tasks (id, post_id, panel, priority, status, created_at) "
               "VALUES ('t', 'c', 'health', 1, 'open', now())")
    assert unflagged_scores(db) == [("a", 0.4)]


def test_a_base_of_true_claims_only_bootstraps_a_head_that_does_not_know(tmp_path, tiny_claims):
    settings = load_settings(home=tmp_path / "home", embedder="hashing")
    emb = HashingEmbedder()
    true_only = [c for c in tiny_claims if c.verdict == "true"]
    with Database(settings.database) as db:
        head = current_classifier(settings, db, emb, true_only)
        assert current_model(db, KIND)[0] == head.version
    probs = head.predict_proba(emb.encode(["Vaccines cause autism.", "隔夜菜会致癌。"]))
    assert probs.tolist() == [0.5, 0.5]
