"""The verifier's match decision (pure): which candidates it reads, beside which words, and
what stands. The pair scorer here is a word-overlap rule standing in for the cross-encoder
(its real counterpart is exercised in tests/pipeline/test_cross_encoder.py)."""

from __future__ import annotations

import numpy as np

from common.records import Claim
from models.verifier_training import (
    EncodedPost,
    HeldOutRead,
    choose_threshold,
    figures_at,
    training_pairs,
)
from pipeline.match_verifier import (
    Candidate,
    VerifierPolicy,
    below_thresholds,
    candidates,
    context_text,
    decide,
    read_posts,
)
from pipeline.matching import ClaimIndex, SentenceHit


def _claim(cid: str, text: str, group: str = "") -> Claim:
    return Claim(cid, text, "en", "false", "health", "why", "src", group=group)


CLAIMS = [_claim("garlic", "garlic cures flu"), _claim("salt", "salt water cures colds"),
          _claim("garlic-twin", "Garlic cures flu!", group="garlic"),
          _claim("moon", "the moon landing was staged")]


def _index() -> ClaimIndex:
    vectors = np.eye(4, 6, dtype=np.float32)
    vectors[2] = vectors[0]  # the twin sits where its original does
    return ClaimIndex(CLAIMS, vectors, lexical=False)


def _rows(*sims: tuple[float, float, float, float]) -> np.ndarray:
    """Sentence vectors whose similarities to the claims garlic, salt, (twin), moon are given."""
    out = []
    for g, s, _, m in sims:
        rest = max(0.0, 1.0 - g * g - s * s - m * m)
        out.append([g, s, 0.0, m, np.sqrt(rest), 0.0])
    return np.array(out, dtype=np.float32)


class OverlapScorer:
    """Logit: shared words between the context and the claim, minus 2."""

    def __init__(self) -> None:
        self.read: list[tuple[str, str]] = []

    def logits(self, pairs):
        self.read += list(pairs)
        return np.array([len(set(t.lower().split()) & set(c.lower().split())) - 2.0
                         for t, c in pairs], dtype=np.float32)


def verified_matches(index, sentences, vectors, scorer, policy):
    """One post through the decide path, as the Flagger composes it for a batch."""
    found = candidates(index, sentences, vectors, policy.candidates, policy.floor)
    return decide(index, found, read_posts(index, scorer, [sentences], [found])[0], policy)


class CountingScorer(OverlapScorer):
    """The overlap rule, counting its calls (the verifier's cost is per call as much as per pair)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def logits(self, pairs):
        self.calls += 1
        return super().logits(pairs)


SENTENCES = ["My aunt swears by it.", "garlic cures flu in two days", "Nothing else worked."]


def test_each_candidate_is_read_once_at_its_closest_sentence_above_the_floor():
    vectors = _rows((0.3, 0.2, 0, 0.1), (0.8, 0.25, 0, 0.1), (0.5, 0.1, 0, 0.05))
    found = candidates(_index(), SENTENCES, vectors, k=3, floor=0.2)
    by_claim = {CLAIMS[c.claim].id: c for c in found}
    assert by_claim["garlic"].sentence_index == 1
    assert abs(by_claim["garlic"].similarity - 0.8) < 1e-5
    assert by_claim["salt"].sentence_index == 1  # 0.25 there, below the floor elsewhere
    assert "moon" not in by_claim  # never reaches the floor
    assert [c.similarity for c in found] == sorted((c.similarity for c in found), reverse=True)


def test_excluded_keys_take_twins_with_them():
    vectors = _rows((0.8, 0.3, 0, 0.1))
    found = candidates(_index(), ["garlic cures flu"], vectors, k=3, floor=0.0,
                       exclude_keys=frozenset({"garlic"}))
    assert {CLAIMS[c.claim].id for c in found} == {"salt", "moon"}


def test_a_short_post_is_read_whole_a_long_one_around_the_sentence():
    assert context_text(SENTENCES, 0) == context_text(SENTENCES, 2) == " ".join(SENTENCES)
    long = [f"Sentence {i} " + "words " * 20 for i in range(6)]
    assert context_text(long, 0) == " ".join(long[:2])
    assert context_text(long, 3) == " ".join(long[2:5])


def test_at_most_k_claims_are_read_per_post():
    vectors = _rows((0.8, 0.3, 0, 0.1), (0.2, 0.7, 0, 0.6))
    found = candidates(_index(), ["a", "b"], vectors, k=2, floor=0.0)
    assert [CLAIMS[c.claim].id for c in found] == ["garlic", "salt"]


def test_the_verifier_decides_not_the_similarity():
    index, scorer = _index(), OverlapScorer()
    vectors = _rows((0.2, 0.1, 0, 0.1), (0.35, 0.34, 0, 0.1), (0.2, 0.1, 0, 0.1))
    hits = verified_matches(index, SENTENCES, vectors, scorer, VerifierPolicy(0.3, 0.5))
    # garlic at 0.35 (far below any threshold) stands: the words state it; salt, as similar,
    # shares one word ("cures") and is read but refused
    assert [(h.sentence_index, h.claim.id, h.threshold) for h in hits] == [(1, "garlic", 0.3)]
    assert {claim for _, claim in scorer.read} == {"garlic cures flu", "salt water cures colds"}
    strict = verified_matches(index, SENTENCES, vectors, OverlapScorer(), VerifierPolicy(0.3, 2.0))
    assert strict == []


def test_one_claim_per_sentence_the_highest_logit():
    index = _index()
    found = candidates(index, SENTENCES, _rows((0, 0, 0, 0), (0.5, 0.6, 0, 0), (0, 0, 0, 0)),
                       k=3, floor=0.1)
    order = [CLAIMS[c.claim].id for c in found]
    logits = np.array([3.0 if cid == "garlic" else 1.0 for cid in order], dtype=np.float32)
    hits = decide(index, found, logits, VerifierPolicy(0.1, 0.5))
    assert [h.claim.id for h in hits] == ["garlic"]


def test_training_pairs_are_gold_beside_its_sentence_and_nearest_others():
    index = _index()
    post = EncodedPost(SENTENCES, _rows((0.1, 0.3, 0, 0.2), (0.7, 0.4, 0, 0.1),
                                        (0.1, 0.1, 0, 0.5)), frozenset({"garlic"}))
    pairs, gold_sims = training_pairs(index, [post], negatives=1)
    yes = [(t, c) for t, c, label in pairs if label == 1.0]
    no = [(t, c) for t, c, label in pairs if label == 0.0]
    assert {c for _, c in yes} == {"garlic cures flu", "Garlic cures flu!"}  # twins are gold
    assert all(t == " ".join(SENTENCES) for t, _ in yes)
    assert no == [(context_text(SENTENCES, 2), "the moon landing was staged")]
    assert len(gold_sims) == 1 and abs(gold_sims[0] - 0.7) < 1e-5  # one per myth, its closest


def test_the_threshold_keeps_false_matches_within_the_rate():
    reads = [HeldOutRead(3.0, 0.5), HeldOutRead(2.0, 1.5), HeldOutRead(None, -1.0),
             HeldOutRead(0.2, None)]
    threshold = choose_threshold(reads, 0.25)
    assert threshold == 1.5
    assert figures_at(reads, threshold) == (0.5, 0.25)
    assert figures_at(reads, choose_threshold(reads, 0.0)) == (0.5, 0.0)
    assert choose_threshold([], 0.05) == 0.0


def test_the_flagger_takes_the_verifiers_decision(tiny_claims):
    """With a verifier, a myth far below the threshold is matched when the verifier reads it,
    and a close sentence it refuses is not."""
    from common.records import Post
    from pipeline.embedding import HashingEmbedder
    from pipeline.flagger import Flagger
    from tests.pipeline.test_matching_scoring import ConstantClassifier

    emb = HashingEmbedder()
    index = ClaimIndex(tiny_claims, emb.encode([c.text for c in tiny_claims]))
    post = Post("m", "Leftover vegetables kept overnight cause cancer. Throw them away now!")
    plain = Flagger(emb, index, ConstantClassifier(0.5), lambda lang: 0.5, lambda topic: 0.5)
    assert [m.claim_id for m in next(plain.flag([post])).matches] == ["c1"]
    never = Flagger(emb, index, ConstantClassifier(0.5), lambda lang: 0.5, lambda topic: 0.5,
                    verifier=OverlapScorer(),
                    verifier_policy=VerifierPolicy(-1.0, 99.0, mode="decide"))
    assert not next(never.flag([post])).matches
    always = Flagger(emb, index, ConstantClassifier(0.5), lambda lang: 2.0, lambda topic: 0.5,
                     verifier=OverlapScorer(),
                     verifier_policy=VerifierPolicy(-1.0, 2.0, mode="decide"))
    flag = next(always.flag([post]))
    assert [m.claim_id for m in flag.matches] == ["c1"] and flag.flagged


def test_a_rescue_reads_only_what_the_thresholds_left_below_them():
    index = _index()
    found = [Candidate(0, 1, 0.45), Candidate(1, 0, 0.40), Candidate(3, 2, 0.70),
             Candidate(1, 3, 0.30)]
    thresholds = [0.5, 0.5, 0.6, 0.5]
    # a window hit over sentences 2-3 of the twin's key: garlic is taken, 2 and 3 covered
    taken = [SentenceHit(2, CLAIMS[2], 0.7, 0.6, span=2)]
    kept = below_thresholds(index, found, taken, thresholds)
    assert kept == [Candidate(1, 0, 0.40)]
    # nothing taken: the moon (0.70 >= 0.6) was the thresholds' to take, the rest are read
    assert below_thresholds(index, found, [], thresholds) == [found[0], found[1], found[3]]


def test_the_posts_of_a_batch_are_read_in_one_call():
    index = _index()
    scorer = CountingScorer()
    posts = [SENTENCES, ["my gran says salt water cures colds"], ["Lovely weather."]]
    found = [[Candidate(0, 1, 0.4)], [Candidate(1, 0, 0.4), Candidate(0, 0, 0.3)], []]
    logits = read_posts(index, scorer, posts, found)
    assert scorer.calls == 1
    assert [len(x) for x in logits] == [1, 2, 0]
    assert logits[0][0] == 1.0  # garlic cures flu: 3 shared words - 2
    assert logits[1][0] == 2.0 and logits[1][1] == -1.0  # salt: 4 words; garlic: "cures"
    idle = CountingScorer()
    assert read_posts(index, idle, [["a"]], [[]])[0].shape == (0,)
    assert idle.calls == 0  # nothing to read: no call


def test_in_a_rescue_the_thresholds_matches_stand_and_the_verifier_adds(tiny_claims):
    """A post that states one myth plainly (above the threshold) and implies another: the
    first stands without a read, the second is the verifier's; a refused read adds nothing."""
    from common.records import Post
    from pipeline.embedding import HashingEmbedder
    from pipeline.flagger import Flagger
    from tests.pipeline.test_matching_scoring import ConstantClassifier

    emb = HashingEmbedder()
    index = ClaimIndex(tiny_claims, emb.encode([c.text for c in tiny_claims]))
    post = Post("m", "Leftover vegetables kept overnight cause cancer. "
                     "Doctors now quietly admit the jabs cause autism in kids.")
    plain = Flagger(emb, index, ConstantClassifier(0.5), lambda lang: 0.5, lambda topic: 0.5)
    plain_ids = [m.claim_id for m in next(plain.flag([post])).matches]
    assert plain_ids == ["c1"]
    scorer = OverlapScorer()
    rescue = Flagger(emb, index, ConstantClassifier(0.5), lambda lang: 0.5, lambda topic: 0.5,
                     verifier=scorer,
                     verifier_policy=VerifierPolicy(-1.0, 1.0, mode="rescue"))
    # the autism sentence sits at 0.38 of c2 (threshold 0.5); its words state it
    assert [m.claim_id for m in next(rescue.flag([post])).matches] == ["c1", "c2"]
    sentences, vectors, hits = rescue.matched(post)
    rescued = hits[-1]
    assert rescued.claim.id == "c2" and rescued.similarity < 0.5
    assert rescued.threshold == 0.5  # scored as a match at its threshold, not from the floor
    assert all(claim != tiny_claims[0].text for _, claim in scorer.read)  # c1 never read
    refusing = Flagger(emb, index, ConstantClassifier(0.5), lambda lang: 0.5,
                       lambda topic: 0.5, verifier=OverlapScorer(),
                       verifier_policy=VerifierPolicy(-1.0, 99.0, mode="rescue"))
    assert [m.claim_id for m in next(refusing.flag([post])).matches] == plain_ids


def test_a_margin_match_is_the_thresholds_and_the_rescue_does_not_read_it():
    from pipeline.flagger import threshold_hits

    index = _index()
    vectors = _rows((0.1, 0.05, 0, 0.0), (0.45, 0.1, 0, 0.05), (0.1, 0.3, 0, 0.0))
    thresholds = [0.6] * len(SENTENCES)
    plain = threshold_hits(index, SENTENCES, vectors, lambda lang: 0.6,
                           windows=False)
    assert plain == []
    led = threshold_hits(index, SENTENCES, vectors, lambda lang: 0.6,
                         windows=False, margin_floor=lambda lang: 0.4, match_margin=0.2)
    # garlic at 0.45 leads salt (another key) by 0.35; its twin is no rival
    assert [(h.sentence_index, h.claim.group or h.claim.id) for h in led] == [(1, "garlic")]
    too_close = threshold_hits(index, SENTENCES, vectors, lambda lang: 0.6,
                               windows=False, margin_floor=lambda lang: 0.4, match_margin=0.4)
    assert too_close == []
    found = candidates(index, SENTENCES, vectors, k=3, floor=0.2)
    assert {CLAIMS[c.claim].id for c in below_thresholds(index, found, plain, thresholds)} \
        == {"garlic", "salt"}
    assert {CLAIMS[c.claim].id for c in below_thresholds(index, found, led, thresholds)} \
        == {"salt"}  # the margin's match is taken, and its sentence covered
