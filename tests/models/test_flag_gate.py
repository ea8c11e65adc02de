"""The promotion gate's flag evaluation: a head that flags off-topic posts when acting alone
is never promoted. Real parts: a DuckDB file, the bundled claims base and development posts,
a head really trained (on the made-up COVID sets) with the hashing embedder."""

import pytest

from common.errors import ModelError
from common.settings import load_settings
from kepu.research.promotion import promote
from models.gate import flag_gate_verdict
from models.registry import KIND, current_classifier, train_and_register
from pipeline.embedding import HashingEmbedder
from store import Database
from store.models import current_model


def test_the_flag_verdict_names_each_rate_and_the_limit():
    ok = flag_gate_verdict("h1", {"science flagged": 0.02, "offtopic flagged": 0.0}, 0.05)
    assert ok.allowed and "science 0.020, offtopic 0.000" in ok.reason
    refused = flag_gate_verdict("h2", {"science flagged": 0.01, "offtopic flagged": 0.3}, 0.05)
    assert not refused.allowed
    assert "h2 refused" in refused.reason and "offtopic 0.300" in refused.reason
    assert "<= 0.050" in refused.reason


@pytest.mark.parametrize("limit", [0.05, 1.0])
def test_a_head_that_flags_off_topic_posts_is_refused(tmp_path, tiny_datasets, tiny_claims,
                                                      limit):
    settings = load_settings(home=tmp_path / "home", embedder="hashing",
                             datasets_dir=tiny_datasets, promotion_flag_limit=limit,
                             classifier_datasets=["checked-covid-weibo-zh",
                                                  "constraint-covid-fakenews"])
    emb = HashingEmbedder()
    with Database(settings.database) as db:
        boot = current_classifier(settings, db, emb, tiny_claims)
        trained, _ = train_and_register(settings, db, emb)
        if limit < 1.0:
            # beats the bootstrap head on the frozen test sets, but acting alone it flags
            # about 30% of the development off-topic posts
            with pytest.raises(ModelError, match=r"refused: acting alone it flags science "
                                                 r"[0-9.]+, offtopic 0\.[1-9]"):
                promote(settings, db, emb, trained.head.version)
            assert current_model(db, KIND)[0] == boot.version
        else:
            verdict = promote(settings, db, emb, trained.head.version)
            assert verdict.allowed and "acting alone it flags" in verdict.reason
            assert current_model(db, KIND)[0] == trained.head.version
