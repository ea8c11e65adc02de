"""Judgement that does not hinge on how a claims base is written or where a post hides its myth
(real model, bundled claims, stance model and calibration)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from common.records import Post
from common.settings import load_settings
from kepu.screening.claims import import_claims
from kepu.screening.scoring import build_flagger
from models.labelled_posts import development_posts
from pipeline.claims_file import read_claims
from pipeline.embedders import load_embedder
from pipeline.embedding import MemoEmbedder
from store import Database

pytestmark = pytest.mark.e2e

FILLER_EN = [f"On day {i} of our trip we walked along the river and stopped for tea at the "
             f"little shop near the old bridge." for i in range(1, 46)]
MYTH_EN = ("Keep your phone off the nightstand: the radiation from its screen and signal is what "
           "gives people brain cancer, my neighbour's doctor said so.")


@pytest.fixture(scope="module")
def embedder(e2e_settings):
    return MemoEmbedder(load_embedder(e2e_settings))


def _home(tmp_path_factory, name: str, claims_file):
    settings = load_settings(home=tmp_path_factory.mktemp(name))
    import_claims(settings, claims_file)
    return settings


def test_a_myth_after_45_filler_sentences_is_flagged(tmp_path_factory, embedder):
    settings = _home(tmp_path_factory, "filler", settings_claims())
    with Database(settings.database) as db:
        flagger = build_flagger(settings, db, embedder)
        alone, hidden = flagger.flag([
            Post("alone", MYTH_EN, lang="en"),
            Post("hidden", " ".join([*FILLER_EN, MYTH_EN]), lang="en")])
    assert alone.flagged
    assert hidden.flagged, hidden.reason
    assert MYTH_EN in [m.sentence for m in hidden.matches]


def settings_claims():
    from tests.e2e.conftest import DATA

    return DATA / "claims" / "claims.jsonl"


def _claim_line(claim, **changes) -> dict:
    """A claims-file row of `claim`, with `changes` to its fields."""
    return {"id": claim.id, "text": claim.text, "lang": claim.lang, "verdict": claim.verdict,
            "topic": claim.topic, "explanation": claim.explanation, "source": claim.source,
            "variants": list(claim.variants)} | changes


def _write_claims(rows, out):
    import json

    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                   encoding="utf-8")
    return out


def _rewritten_base(path, tmp_path, how: str):
    """The bundled base with every explanation rewritten: restating the myth first, the way
    fact-check pages do, or cut to one line."""
    rows = []
    for claim in read_claims(path):
        if how == "restated":
            lead = "流言：" if claim.lang == "zh" else "Claim: "
            fact = "真相：" if claim.lang == "zh" else "What is true: "
            explanation = f"{lead}{claim.text} {fact}{claim.explanation}"
        else:
            explanation = "见来源。" if claim.lang == "zh" else "See the source."
        rows.append(_claim_line(claim, explanation=explanation))
    return _write_claims(rows, tmp_path / f"claims-{how}.jsonl")


def test_explanations_that_restate_the_myth_change_no_stance_decision(tmp_path_factory,
                                                                       embedder):
    """Every development post gets the same matches and the same stance whether the claims'
    explanations are as bundled, restate the myth first, or are one line."""
    posts = [post for post, _ in development_posts(settings_claims().parents[1])]
    folder = tmp_path_factory.mktemp("bases")
    decisions = {}
    for how in ("bundled", "restated", "one-line"):
        path = settings_claims() if how == "bundled" else _rewritten_base(
            settings_claims(), folder, how)
        settings = _home(tmp_path_factory, how, path)
        with Database(settings.database) as db:
            flagger = replace(build_flagger(settings, db, embedder), calibration=None)
            decisions[how] = [(f.stance, tuple(m.claim_id for m in f.matches))
                              for f in flagger.flag(posts)]
    assert sum(1 for stance, _ in decisions["bundled"] if stance != "neutral") > 300
    assert decisions["restated"] == decisions["bundled"]
    assert decisions["one-line"] == decisions["bundled"]


def _english_heavy_base(path, tmp_path):
    """The bundled base plus about 340 more English claims (its English variants and
    explanation sentences, each imported as a claim of its own): four English claims to every
    Chinese one, as when a platform imports an English fact-check feed beside its own base."""
    from pipeline.sentences import split_sentences

    rows = []
    for claim in read_claims(path):
        rows.append(_claim_line(claim))
        if claim.lang == "en":
            rows += [_claim_line(claim, id=f"{claim.id}-extra-{n}", text=text,
                                 explanation="See the source.", variants=[])
                     for n, text in enumerate([*claim.variants,
                                               *split_sentences(claim.explanation)])]
    return _write_claims(rows, tmp_path / "claims-english-heavy.jsonl"), len(rows)


def test_an_english_heavy_base_leaves_chinese_posts_as_they_were(tmp_path_factory, embedder):
    """Chinese accurate-science and off-topic development posts match and flag no more against
    an English-heavy base than against the bundled base alone (centred on the plain mean of
    the English-heavy base, 80 of these 138 posts matched a claim against 34, and 20 were
    flagged against 4)."""
    posts = [post for post, label in development_posts(settings_claims().parents[1])
             if post.lang == "zh" and label in ("science", "offtopic")]
    heavy, size = _english_heavy_base(settings_claims(), tmp_path_factory.mktemp("heavy"))
    assert size > 450 and len(posts) > 100
    outcome = {}
    for name, path in (("bundled", settings_claims()), ("english-heavy", heavy)):
        settings = _home(tmp_path_factory, name, path)
        with Database(settings.database) as db:
            flags = list(build_flagger(settings, db, embedder).flag(posts))
        outcome[name] = (sum(bool(f.matches) for f in flags), sum(f.flagged for f in flags))
    (matched, flagged), (heavy_matched, heavy_flagged) = outcome["bundled"], outcome[
        "english-heavy"]
    assert heavy_matched <= matched + 3, outcome
    assert heavy_flagged <= flagged + 1, outcome
