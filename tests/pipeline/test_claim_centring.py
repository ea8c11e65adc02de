"""The claims' centre weighs each language the same: importing many claims in one language
must not make every text of the other language look alike."""

from __future__ import annotations

import numpy as np

from common.records import Claim
from pipeline.matching import ClaimIndex, language_balanced_mean

rng = np.random.default_rng(3)
DIM = 64
ZH, EN = (v / np.linalg.norm(v) for v in rng.normal(size=(2, DIM)))


def texts(language: np.ndarray, count: int) -> np.ndarray:
    """Unit vectors sharing a strong language direction, as e5's do, otherwise unrelated."""
    vectors = 3.0 * language + rng.normal(size=(count, DIM)) / np.sqrt(DIM) * 2.0
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def claims(lang: str, count: int) -> list[Claim]:
    return [Claim(f"{lang}-{i}", f"claim {lang} {i}", lang, "false", "health", "", "")
            for i in range(count)]


def test_balanced_mean_is_the_plain_mean_on_an_even_or_one_language_base():
    zh, en = texts(ZH, 5), texts(EN, 5)
    both = np.vstack([zh, en])
    np.testing.assert_allclose(language_balanced_mean(both, ["zh"] * 5 + ["en"] * 5),
                               both.mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(language_balanced_mean(en, ["en"] * 5), en.mean(axis=0),
                               atol=1e-6)
    uneven = np.vstack([zh, texts(EN, 50)])
    assert np.abs(language_balanced_mean(uneven, ["zh"] * 5 + ["en"] * 50)
                  - uneven.mean(axis=0)).max() > 0.1


def test_a_large_import_in_one_language_leaves_the_other_languages_similarities_alone():
    zh, few_en, many_en = texts(ZH, 6), texts(EN, 6), texts(EN, 300)
    small = ClaimIndex(claims("zh", 6) + claims("en", 6), np.vstack([zh, few_en]), center=True)
    large = ClaimIndex(claims("zh", 6) + claims("en", 300), np.vstack([zh, many_en]),
                       center=True)
    unrelated = texts(ZH, 20)  # Chinese sentences that state none of the Chinese claims

    def best_zh(index: ClaimIndex, queries: np.ndarray) -> np.ndarray:
        prepared = index.prepare(queries)
        return np.array([max(index.similarity(q, c) for c in range(6)) for q in prepared])

    on_small, on_large = best_zh(small, unrelated), best_zh(large, unrelated)
    assert np.abs(on_small - on_large).max() < 0.1
    # centred on the plain mean of the large base, the same sentences all look alike
    plain_mean = np.vstack([zh, many_en]).mean(axis=0)
    shifted = lambda v: (v - plain_mean) / np.linalg.norm(v - plain_mean, axis=-1, keepdims=True)  # noqa: E731
    plain = (shifted(unrelated) @ shifted(zh).T).max(axis=1)
    assert plain.min() > on_large.max() and plain.mean() > on_large.mean() + 0.15
