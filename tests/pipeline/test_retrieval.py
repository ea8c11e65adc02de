import numpy as np

from common.records import Claim
from pipeline.embedding import HashingEmbedder
from pipeline.lexical import BM25, reciprocal_rank_fusion, tokenize
from pipeline.matching import ClaimIndex, ExactSearch, match_claims
from pipeline.usearch_index import UsearchSearch


def test_tokenize_segments_chinese_and_drops_noise():
    tokens = tokenize("隔夜菜会致癌吗？Vaccines CAUSE autism https://t.co/abc @user")
    assert "隔夜" in tokens and "致癌" in tokens
    assert "vaccines" in tokens and "cause" in tokens
    assert not any(t.startswith("http") or t == "user" for t in tokens)


def test_bm25_prefers_rare_shared_terms():
    docs = [tokenize(t) for t in ("the moon landing was faked in a studio",
                                  "the moon is far away", "vaccines cause autism")]
    scores = BM25(docs).scores(tokenize("was the moon landing faked"))
    assert scores.argmax() == 0 and scores[2] == 0


def test_rrf_rewards_agreement():
    fused = reciprocal_rank_fusion([[1, 2, 3], [2, 1, 4]])
    assert [d for d, _ in fused][:2] in ([1, 2], [2, 1]) and fused[-1][0] in (3, 4)
    assert reciprocal_rank_fusion([[5, 6], [6]])[0][0] == 6


def test_usearch_agrees_with_exact_search():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(2000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[:50] + 0.05 * rng.normal(size=(50, 32)).astype(np.float32)
    exact_ids, exact_sims = ExactSearch(vectors).search(queries, 5)
    ann_ids, ann_sims = UsearchSearch(vectors).search(queries, 5)
    assert (exact_ids[:, 0] == ann_ids[:, 0]).mean() >= 0.98
    assert np.allclose(exact_sims[:, 0], ann_sims[:, 0], atol=1e-4)


def test_claim_index_switches_to_ann_and_fuses_lexical_matches():
    emb = HashingEmbedder()
    claims = [Claim(f"c{i}", f"claim number {i} about topic {i % 7}", "en", "false", "health",
                    "e", "s") for i in range(30)]
    claims.append(Claim("moon", "The Apollo moon landing was staged in a film studio.", "en",
                        "false", "astronomy", "e", "s"))
    vectors = emb.encode([c.text for c in claims])
    index = ClaimIndex(claims, vectors, ann_threshold=10, ann_factory=UsearchSearch)
    assert isinstance(index.dense, UsearchSearch)
    text = "Apollo moon landing staged in a studio, wake up"
    hits = match_claims(index, emb.encode([text]), 0.3, texts=[text])
    assert [h.claim.id for h in hits] == ["moon"]
