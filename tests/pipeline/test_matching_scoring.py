from dataclasses import replace

import numpy as np
import pytest

from common.records import Post
from pipeline.embedding import HashingEmbedder, MemoEmbedder
from pipeline.flagger import Flagger
from pipeline.matching import ClaimIndex, hit_text, hit_vector, match_claims, match_windows
from pipeline.scoring import score_post


class ConstantClassifier:
    """A classifier stand-in for scoring tests; the real head is tested in tests/models."""

    version = "test"
    standalone = False

    def __init__(self, p: float) -> None:
        self.p = p

    def predict_proba(self, vectors, texts=None):
        return np.full(len(vectors), self.p)


def _index(claims):
    emb = HashingEmbedder()
    return emb, ClaimIndex(claims, emb.encode([c.text for c in claims]))


def test_hashing_embedder_similarity_means_something():
    emb = HashingEmbedder()
    a, b, c = emb.encode(["vaccines cause autism", "vaccines cause autism in kids",
                          "the moon is made of rock"])
    assert a @ b > 0.6 > a @ c
    assert np.allclose(np.linalg.norm(emb.encode(["x y", ""]), axis=1)[:1], 1.0)


def test_match_claims_respects_threshold(tiny_claims):
    emb, index = _index(tiny_claims)
    vectors = emb.encode(["Vaccines cause autism in children, wake up.", "I like football."])
    hits = match_claims(index, vectors, 0.5)
    assert [(h.sentence_index, h.claim.id) for h in hits] == [(0, "c2")]
    assert match_claims(index, vectors, [0.99, 0.5]) == []


def test_centring_spreads_similarities(tiny_claims):
    emb = HashingEmbedder()
    vectors = emb.encode([c.text for c in tiny_claims])
    plain, centred = ClaimIndex(tiny_claims, vectors), ClaimIndex(tiny_claims, vectors, True)
    query = emb.encode(["Vaccines cause autism in children."])
    _, plain_sims = plain.search(query, k=4)
    _, centred_sims = centred.search(query, k=4)
    assert plain.search(query, 1)[0][0, 0] == centred.search(query, 1)[0][0, 0] == 1
    assert (centred_sims[0, 0] - centred_sims[0, 1]) > (plain_sims[0, 0] - plain_sims[0, 1])


def test_asserting_a_myth_flags_and_refuting_does_not(tiny_claims):
    emb, index = _index(tiny_claims)
    flagger = Flagger(emb, index, ConstantClassifier(0.5), lambda lang: 0.5, lambda topic: 0.5)
    posts = [
        Post("m", "Leftover vegetables kept overnight cause cancer. Throw them away now!"),
        Post("d", "It is a myth that leftover vegetables kept overnight cause cancer."),
        Post("t", "The HPV vaccine prevents cervical cancer in young women."),
        Post("o", "Our team won the football match on Sunday evening."),
    ]
    flags = {f.post_id: f for f in flagger.flag(posts)}
    assert flags["m"].flagged and flags["m"].stance == "asserts"
    assert "c1" in flags["m"].reason and flags["m"].matches[0].claim_id == "c1"
    assert not flags["d"].flagged and flags["d"].stance == "debunks"
    assert not flags["t"].flagged  # asserting a true claim is not a flag
    assert not flags["o"].flagged and flags["o"].matches == ()
    assert all(0.0 <= f.score <= 1.0 for f in flags.values())


def test_classifier_alone_flags_only_above_threshold():
    flag = score_post("p", "", "a sentence", ["a sentence"], [], [], 0.95, lambda t: 0.5)
    assert flag.flagged and flag.topic is None and "no known claim" in flag.reason
    assert not score_post("p", "", "a sentence", ["a sentence"], [], [], 0.7, lambda t: 0.5).flagged
    advisory = score_post("p", "", "a sentence", ["a sentence"], [], [], 0.99, lambda t: 0.5,
                          classifier_standalone=False)
    assert not advisory.flagged and advisory.score > 0


def test_claim_variants_are_matched_as_their_claim(tiny_claims):
    from dataclasses import replace

    emb = HashingEmbedder()
    claims = [replace(tiny_claims[0], variants=("eating last night's dinner gives you tumours",
                                                "old food from yesterday is carcinogenic")),
              *tiny_claims[1:]]
    plain = ClaimIndex(tiny_claims, emb.encode([c.text for c in tiny_claims]))
    variants = emb.encode([v for c in claims for v in c.variants])
    index = ClaimIndex(claims, emb.encode([c.text for c in claims]), variant_vectors=variants)
    post = ["Eating last night's dinner gives you tumours, my aunt says."]
    vectors = emb.encode(post)
    assert match_claims(plain, vectors, 0.5, texts=post) == []
    hit, = match_claims(index, vectors, 0.5, texts=post)
    assert hit.claim.id == "c1" and hit.similarity > 0.5
    assert hit.similarity == index.similarity(vectors[0], 0) > plain.similarity(vectors[0], 0)
    ids, sims = index.search(vectors, k=4)
    assert sorted(ids[0].tolist()) == [0, 1, 2, 3] and list(sims[0]) == sorted(sims[0])[::-1]
    assert index.lexical_rank(post[0])[0] == 0
    with pytest.raises(ValueError, match="one vector per claim variant"):
        ClaimIndex(claims, emb.encode([c.text for c in claims]), variant_vectors=variants[:1])


# A myth told over two sentences, neither of which states it alone (hashing similarities to c1:
# 0.585 and 0.30; their window 0.627).
STORY = ["Grandma swore by it: leftover vegetables kept overnight.", "They cause cancer, she said.",
         "We went to the beach on Sunday."]


def test_a_claim_told_over_two_sentences_matches_their_window(tiny_claims):
    emb, index = _index(tiny_claims)
    vectors = emb.encode(STORY)
    assert match_claims(index, vectors, 0.6) == []
    hits = match_windows(index, STORY, vectors, lambda text: 0.6)
    assert [(h.sentence_index, h.span, h.claim.id) for h in hits] == [(0, 2, "c1")]
    assert hit_text(STORY, hits[0]) == " ".join(STORY[:2])
    mean = vectors[:2].mean(axis=0)
    window = mean / np.linalg.norm(mean)
    assert np.allclose(hit_vector(vectors, hits[0]), window)
    assert hits[0].similarity == pytest.approx(float(window @ index.vectors[0]), abs=1e-5)


def test_windows_add_only_claims_no_sentence_matched_and_never_overlap(tiny_claims):
    emb, index = _index(tiny_claims)
    vectors = emb.encode(STORY)
    sentence_hits = match_claims(index, vectors, 0.5)
    assert [h.claim.id for h in sentence_hits] == ["c1"]
    assert match_windows(index, STORY, vectors, lambda text: 0.5, sentence_hits) == []
    # windows (0, 2) and (0, 3) both reach 0.45 for c1: only the closer one is kept
    hits = match_windows(index, STORY, vectors, lambda text: 0.45)
    assert [(h.sentence_index, h.span) for h in hits] == [(0, 2)]


def test_the_flagger_flags_a_myth_told_over_two_sentences(tiny_claims):
    emb, index = _index(tiny_claims)
    flagger = Flagger(emb, index, ConstantClassifier(0.5), lambda lang: 0.6, lambda topic: 0.5)
    post = Post("story", " ".join(STORY))
    flag = next(flagger.flag([post]))
    assert flag.flagged and flag.stance == "asserts"
    assert flag.matches[0].claim_id == "c1" and flag.matches[0].sentence == " ".join(STORY[:2])
    assert not next(replace(flagger, match_windows=False).flag([post])).flagged


def test_memo_embedder_encodes_each_text_once(counting_embedder):
    memo = MemoEmbedder(counting_embedder)
    first = memo.encode(["a b", "c d", "a b"], role="query")
    again = memo.encode(["c d", "e f"], role="query")
    memo.encode(["a b"], role="passage")  # another role is another vector
    assert counting_embedder.calls == 4
    assert np.array_equal(first[1], again[0]) and np.array_equal(first[0], first[2])
    assert np.array_equal(again, counting_embedder.encode(["c d", "e f"], role="query"))
    assert memo.encode([]).shape == (0, counting_embedder.dim)


def test_the_flagger_encodes_a_sentence_repeated_across_posts_once(tiny_claims,
                                                                  counting_embedder):
    _, index = _index(tiny_claims)
    flagger = Flagger(counting_embedder, index, ConstantClassifier(0.5), lambda lang: 0.5,
                      lambda topic: 0.5)
    footer = "Follow us for more science every week."
    posts = [Post("m", f"Leftover vegetables kept overnight cause cancer. {footer}"),
             Post("r", f"Leftover vegetables kept overnight cause cancer. {footer}"),
             Post("o", f"Our team won the football match on Sunday evening. {footer}")]
    flags = list(flagger.flag(posts))
    assert counting_embedder.calls == 3  # three distinct sentences of six
    alone = Flagger(HashingEmbedder(), index, ConstantClassifier(0.5), lambda lang: 0.5,
                    lambda topic: 0.5)
    for together, by_itself in zip(flags, (next(alone.flag([p])) for p in posts), strict=True):
        assert together == by_itself
    assert flags[0].flagged and flags[1].flagged and not flags[2].flagged
