"""The wording model: learns debunk framing from posts, is honest out of fold, survives a save."""

import json

import numpy as np
import pytest

from common.errors import ModelError
from common.records import Post
from models.stance_training import fit_wording, out_of_fold_wording
from pipeline.embedding import HashingEmbedder
from pipeline.flagger import Flagger
from pipeline.matching import ClaimIndex
from pipeline.stance_model import POST_FEATURES, WORDING_VOCABULARY, StanceModel
from tests.pipeline.test_matching_scoring import ConstantClassifier

TOPICS = ["leftovers", "vaccines", "microwaves", "phones", "sugar", "vinegar", "gravity", "ozone"]
DEBUNK = ["It is a myth that {t} do that; no study shows it.",
          "Don't believe what they say about {t}: the evidence says otherwise.",
          "{t} 的说法是谣言，其实并不会这样。"]
ASSERT = ["My family swears by it: {t} really do that, trust me.",
          "Everyone should know {t} do that, share before it gets deleted!",
          "{t} 真的会这样，赶紧转给家里人！"]


def _posts(templates: list[str], topics: list[str]) -> list[str]:
    return [tpl.format(t=t) for t in topics for tpl in templates]


def test_wording_learns_framing_that_carries_to_new_topics():
    train, new = TOPICS[:6], TOPICS[6:]
    texts = _posts(DEBUNK, train) + _posts(ASSERT, train)
    labels = [True] * (len(texts) // 2) + [False] * (len(texts) // 2)
    model = fit_wording(texts, labels)
    debunk_logits = model.logits(_posts(DEBUNK, new))
    assert_logits = model.logits(_posts(ASSERT, new))
    assert debunk_logits.min() > assert_logits.max()
    assert len(model.vocabulary) == len(model.idf) == len(model.weights)


def test_out_of_fold_logits_are_less_sure_than_in_sample_ones():
    texts = _posts(DEBUNK, TOPICS) + _posts(ASSERT, TOPICS)
    labels = [True] * (len(texts) // 2) + [False] * (len(texts) // 2)
    in_sample = fit_wording(texts, labels).logits(texts)
    held = out_of_fold_wording(texts, labels)
    assert held.shape == (len(texts),)
    assert np.abs(held).mean() < np.abs(in_sample).mean()
    assert (np.sign(held) == np.where(labels, 1, -1)).mean() > 0.8  # still right, mostly
    with pytest.raises(ValueError, match="both"):
        fit_wording(texts[:3], [True] * 3)


def _model_with_wording(dim: int, weight: float) -> StanceModel:
    texts = _posts(DEBUNK, TOPICS) + _posts(ASSERT, TOPICS)
    labels = [True] * (len(texts) // 2) + [False] * (len(texts) // 2)
    weights = np.zeros(len(POST_FEATURES), np.float32)
    weights[POST_FEATURES.index("wording")] = weight
    return StanceModel(np.zeros((2 * dim, 3), np.float32), np.zeros(3, np.float32), weights,
                       0.0, "hashing-512", "stance-test", fit_wording(texts, labels))


def test_stance_model_saves_and_loads_its_wording(tmp_path):
    model = _model_with_wording(512, 5.0)
    model.save(tmp_path, {})
    loaded = StanceModel.load(tmp_path)
    text = "It is a myth that ice cream does that; no study shows it."
    assert loaded.wording is not None
    assert loaded.wording_logit("", text) == pytest.approx(model.wording_logit("", text), abs=1e-5)
    assert loaded.wording_logit("", text) > 0 > loaded.wording_logit(
        "", "Ice cream really does that, trust me, share it!")
    vocabulary = json.loads((tmp_path / WORDING_VOCABULARY).read_text(encoding="utf-8"))
    (tmp_path / WORDING_VOCABULARY).write_text(json.dumps(vocabulary[:-1]), encoding="utf-8")
    with pytest.raises(ModelError, match=WORDING_VOCABULARY):
        StanceModel.load(tmp_path)


def test_flagger_reads_the_wording(tiny_claims):
    """Two posts restating the same claim, one framed as a debunk: only the wording tells them
    apart, and the post head that trusts it keeps the debunk unflagged."""
    emb = HashingEmbedder()
    index = ClaimIndex(tiny_claims, emb.encode([c.text for c in tiny_claims]))
    flagger = Flagger(emb, index, ConstantClassifier(0.5), lambda lang: 0.3, lambda topic: 0.5,
                      stance_model=_model_with_wording(emb.dim, 10.0))
    posts = [Post("myth", "Vaccines cause autism in children. Trust me, share it!"),
             Post("fix", "Vaccines cause autism in children? It is a myth; no study shows it.")]
    flags = {f.post_id: f for f in flagger.flag(posts)}
    assert flags["myth"].flagged and flags["myth"].stance == "asserts"
    assert not flags["fix"].flagged and flags["fix"].stance == "debunks"


class VectorClassifier:
    """A probability read off the post vector, so a post paired with another's vector shows."""

    version, standalone = "vector-test", False

    def predict_proba(self, vectors, texts=None):
        direction = np.random.default_rng(0).normal(size=np.asarray(vectors).shape[1])
        return 1.0 / (1.0 + np.exp(-3.0 * (np.asarray(vectors) @ direction)))


def test_a_batch_flags_each_post_as_it_would_alone(tiny_claims):
    """The classifier and the wording model read a whole batch at once; unmatched posts first,
    so a wording logit or probability handed to the wrong post would change its flag."""
    emb = HashingEmbedder()
    index = ClaimIndex(tiny_claims, emb.encode([c.text for c in tiny_claims]))
    flagger = Flagger(emb, index, VectorClassifier(), lambda lang: 0.3, lambda topic: 0.5,
                      stance_model=_model_with_wording(emb.dim, 10.0))
    posts = [Post("cat", "My cat slept all afternoon in the sun."),
             Post("fix", "Vaccines cause autism in children? It is a myth; no study shows it."),
             Post("weather", "Rain again tomorrow, bring an umbrella."),
             Post("myth", "Vaccines cause autism in children. Trust me, share it!"),
             Post("leftovers", "Leftover vegetables kept overnight cause cancer, my aunt said.")]
    together = list(flagger.flag(posts, batch_size=64))
    alone = [flag for post in posts for flag in flagger.flag([post], batch_size=1)]
    assert together == alone
    assert len({f.classifier_score for f in together}) > 2  # the probability depends on the post
    assert [f.flagged for f in together] == [False, False, False, True, True]
