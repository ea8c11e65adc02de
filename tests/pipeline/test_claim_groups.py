"""Twins of one myth (claims whose texts repeat) and the margin rule that must not count them
as rivals."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

from common.records import Claim
from pipeline.claim_groups import group_repeated_texts, match_key, match_keys, text_key
from pipeline.matching import ClaimIndex, MarginRule, match_claims


def _claim(cid: str, text: str, lang: str = "en", group: str = "") -> Claim:
    return Claim(cid, text, lang, "false", "health", "why", "src", group=group)


def test_text_key_ignores_quotes_case_punctuation_and_spacing():
    assert (text_key('Biden said Republicans would "put y\'all back in chains."')
            == text_key("biden said  republicans would ‘put y'all back in chains’"))
    assert text_key("喝醋能软化血管！") == text_key("喝醋能软化血管")
    assert text_key("Vaccines cause autism.") != text_key("Vaccines cause asthma.")


def test_repeated_texts_are_grouped_within_one_language():
    claims = [_claim("a", 'He said "x is y."'), _claim("b", "He said 'x is y'"),
              _claim("c", "He said x is z."), _claim("d", "he said x is y", lang="zh")]
    grouped, regrouped = group_repeated_texts(claims)
    assert [c.group for c in grouped] == ["a", "a", "", ""]
    assert regrouped == []
    assert match_keys(claims) == {"a": "a", "b": "a", "c": "c", "d": "d"}


def test_a_given_group_names_the_twins_and_stored_claims_join():
    stored = [_claim("old", "Garlic cures flu."), _claim("kept", "Salt water cures colds.")]
    incoming = [_claim("new", "garlic cures flu!"), _claim("other", "Salt water cures colds",
                                                           group="myth-7")]
    grouped, regrouped = group_repeated_texts(incoming, stored)
    assert [c.group for c in grouped] == ["old", "myth-7"]
    assert regrouped == [replace(stored[0], group="old"), replace(stored[1], group="myth-7")]


def test_a_reimported_claims_old_text_makes_no_twin():
    stored = [_claim("a", "Garlic cures flu.")]
    incoming = [_claim("a", "Garlic prevents flu."), _claim("b", "Garlic cures flu.")]
    grouped, regrouped = group_repeated_texts(incoming, stored)
    assert [c.group for c in grouped] == ["", ""] and regrouped == []


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def _query(similarities: list[float]) -> np.ndarray:
    """A unit vector whose dot products with the first axes are `similarities`."""
    rest = 1.0 - sum(s * s for s in similarities)
    return np.array([[*similarities, np.sqrt(rest), 0.0]], dtype=np.float32)


def test_a_clear_lead_lets_a_match_stand_below_the_threshold():
    claims = [_claim("a", "A"), _claim("b", "B"), _claim("c", "C")]
    vectors = np.eye(5, dtype=np.float32)[:3]
    index = ClaimIndex(claims, vectors, lexical=False)
    lead = _query([0.5, 0.2, 0.1])  # 0.5, ahead of the next claim by 0.3
    close = _query([0.5, 0.45, 0.1])
    rule = MarginRule([0.4], 0.2)
    assert match_claims(index, lead, 0.7) == []
    assert [h.claim.id for h in match_claims(index, lead, 0.7, margin=rule)] == ["a"]
    assert match_claims(index, close, 0.7, margin=rule) == []
    assert match_claims(index, lead, 0.7, margin=MarginRule([0.55], 0.2)) == []  # below floor
    hit = match_claims(index, lead, 0.7, margin=rule)[0]
    assert hit.threshold == 0.4 and abs(hit.similarity - 0.5) < 1e-5


def test_twins_of_one_myth_are_not_rivals():
    twins = [_claim("a", "A", group="g"), _claim("a2", "A again", group="g"), _claim("c", "C")]
    vectors = np.stack([_unit(1, 0, 0, 0, 0), _unit(0.99, 0.14, 0, 0, 0), _unit(0, 0, 1, 0, 0)])
    query = (0.5 * vectors[0] + 0.15 * vectors[2]).reshape(1, -1)
    query[0, 3] = np.sqrt(1 - float(query[0] @ query[0].T))
    rule = MarginRule([0.4], 0.2)
    grouped = ClaimIndex(twins, vectors, lexical=False)
    assert grouped.keys == ["g", "g", "c"] and match_key(twins[2]) == "c"
    assert [h.claim.group for h in match_claims(grouped, query, 0.7, margin=rule)] == ["g"]
    apart = ClaimIndex([replace(c, group="") for c in twins], vectors, lexical=False)
    assert match_claims(apart, query, 0.7, margin=rule) == []


def test_import_groups_twins_once_and_reimport_changes_nothing(settings, tmp_path):
    from kepu.screening.claims import import_claims
    from store import Database
    from store.claims import current_claims

    rows = [{"id": i, "text": t, "lang": "en", "verdict": "false", "topic": "vaccines",
             "explanation": "why", "source": "src"}
            for i, t in (("s1", 'Sen. X said "vaccines are poison."'),
                         ("s2", "Sen. X said 'vaccines are poison.'"),
                         ("s3", "Vaccines cause autism."))]
    path = tmp_path / "base.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first = import_claims(settings, path)
    assert first["new"] == 3 and first["grouped"] == 2
    again = import_claims(settings, path)
    assert again["unchanged"] == 3 and again["new"] == again["updated"] == 0
    with Database(settings.database) as db:
        assert {c.id: c.group for c in current_claims(db)} == {"s1": "s1", "s2": "s1", "s3": ""}


def test_the_flagger_applies_the_margin_rule_from_settings(settings, tiny_claims):
    from common.records import Post
    from kepu.screening.scoring import build_flagger
    from pipeline.embedding import HashingEmbedder
    from store import Database
    from store.claims import save_claims

    post = Post("p", "Vaccines cause autism in children, wake up.", lang="en")
    strict = settings.model_copy(update={"match_thresholds": {"en": 0.99, "zh": 0.99}})
    with Database(settings.database) as db:
        save_claims(db, tiny_claims)
        plain = build_flagger(strict, db, HashingEmbedder())
        assert plain.margin_floor is None and plain.matched(post)[2] == []
        lead = build_flagger(strict.model_copy(update={"margin_floors": {"en": 0.3},
                                                       "match_margin": 0.1}),
                             db, HashingEmbedder())
        assert [h.claim.id for h in lead.matched(post)[2]] == ["c2"]
