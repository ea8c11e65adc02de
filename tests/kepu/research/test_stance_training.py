"""`train_stance` end to end on small public-format stance files and our own posts (hashing
embedder: fast and deterministic; the real model's figures come from `kepu train-stance`)."""

import csv
import json

import pytest

from common.errors import InputError
from kepu.research.stance import PAIR_TRAINING_SETS, pair_training_sets, train_stance
from kepu.screening.claims import ensure_claims
from pipeline.embedders import load_embedder
from pipeline.stance_model import StanceModel
from store import Database

FACTS = [("Vitamin C cures colds", "Vitamin C cures colds in trials", "Vitamin C does not cure colds"),
         ("Masks block droplets", "Masks block most droplets in tests", "Masks let all droplets through"),
         ("Coffee causes cancer", "Coffee drinkers get more cancer", "Coffee is not linked to cancer"),
         ("Exercise lowers blood pressure", "Exercise lowered blood pressure",
          "Exercise had no effect on blood pressure")]


def _rows(n: int):
    """(claim, evidence, label) triples cycling through supports/refutes/neutral."""
    rows = []
    for i in range(n):
        claim, support, refute = FACTS[i % len(FACTS)]
        kind = ("supports", "refutes", "neutral")[i % 3]
        evidence = {"supports": support, "refutes": refute,
                    "neutral": f"The study enrolled {i} people in winter"}[kind]
        rows.append((f"{claim} ({i})", evidence, kind))
    return rows


def _write_datasets(root):
    hv = root / "healthver" / "data"
    hv.mkdir(parents=True)
    names = {"supports": "Supports", "refutes": "Refutes", "neutral": "Neutral"}
    for split in ("dev", "test"):
        with (hv / f"healthver_{split}.csv").open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["id", "evidence", "claim", "label"])
            for i, (claim, evidence, kind) in enumerate(_rows(30)):
                out.writerow([i, evidence, claim, names[kind]])
    cc = root / "check-covid" / "Check-COVID"
    for split in ("train", "test"):
        (cc / split).mkdir(parents=True)
    labels = {"supports": "SUPPORT", "refutes": "REFUTE", "neutral": "NOTENOUGHINFO"}
    corpus, claims = [], {"train": [], "test": []}
    for i, (claim, evidence, kind) in enumerate(_rows(24)):
        corpus.append({"cord_id": f"d{i}", "abstract": ["Background sentence.", evidence]})
        split = "test" if i % 4 == 0 else "train"
        claims[split].append({"claim": claim, "cord_id": f"d{i}", "label": labels[kind],
                              "evidence_set": [{"sent_index": 1, "type": "PRIMARY"}]})
    (cc / "corpus.json").write_text("\n".join(json.dumps(r) for r in corpus), "utf-8")
    (cc / "train" / "covidCheck_train_composed+extracted.json").write_text(
        "\n".join(json.dumps(r) for r in claims["train"]), "utf-8")
    (cc / "test" / "covidCheck_test_composed.json").write_text(
        "\n".join(json.dumps(r) for r in claims["test"]), "utf-8")
    cf = root / "climate-fever" / "dataset"
    cf.mkdir(parents=True)
    fever = {"supports": "SUPPORTS", "refutes": "REFUTES", "neutral": "NOT_ENOUGH_INFO"}
    (cf / "climate-fever.jsonl").write_text("\n".join(json.dumps(
        {"claim": claim, "evidences": [{"evidence": evidence, "evidence_label": fever[kind]}]})
        for claim, evidence, kind in _rows(40)), "utf-8")


def _write_covidfact(root):
    folder = root / "covidfact"
    folder.mkdir(parents=True)
    rows = [{"claim": claim, "label": "SUPPORTED" if kind == "supports" else "REFUTED",
             "evidence": [evidence], "gold_source": f"https://example.org/{i}"}
            for i, (claim, evidence, kind) in enumerate(_rows(60)) if kind != "neutral"]
    (folder / "COVIDFACT_dataset.jsonl").write_text("\n".join(json.dumps(r) for r in rows),
                                                    "utf-8")


def test_train_stance_writes_a_model_with_honest_figures(settings, tmp_path):
    _write_datasets(tmp_path / "datasets")
    _write_covidfact(tmp_path / "datasets")
    settings = settings.model_copy(update={"datasets_dir": tmp_path / "datasets"})
    ensure_claims(settings)
    embedder = load_embedder(settings)
    with Database(settings.database) as db:
        card = train_stance(settings, db, embedder, tmp_path / "stance")
    model = StanceModel.load(tmp_path / "stance")
    assert model.embedder == embedder.name
    assert card["pair_head_training"] == {"check-covid/train": 18}  # MIT only, by default
    assert card["pair_head_training_licences"] == {"check-covid/train": "MIT"}
    # COVID-Fact is tested on its 20% part only (split by source link, never trained on).
    tested = card["pair_head_test"]["covidfact/test (20% by source)"]["pairs"]
    assert 0 < tested < 40
    assert set(card["pair_head_test"]) == {"healthver/test", "check-covid/test",
                                           "climate-fever/test (20% by claim)",
                                           "covidfact/test (20% by source)"}
    for figures in card["pair_head_test"].values():
        assert 0.0 <= figures["macro-F1 (3 classes)"] <= 1.0 and figures["pairs"] > 0
    own = card["post_head_training"]
    assert own["posts"] > 10 and 0 < own["debunks"] < own["posts"]
    assert not any("eval" in source for source in own["sources"])
    loo = card["post_head_leave_one_out"]
    assert 0.0 <= loo["accuracy"] <= 1.0
    assert StanceModel.card(tmp_path / "stance")["version"] == model.version


def test_pair_training_sets_follow_the_setting_and_name_bad_ones(settings, tmp_path):
    _write_datasets(tmp_path / "datasets")
    settings = settings.model_copy(update={"datasets_dir": tmp_path / "datasets"})
    assert list(pair_training_sets(settings)) == ["check-covid/train"]
    in_house = settings.model_copy(update={"stance_pair_sets": ["check-covid/train",
                                                                "healthver/dev"]})
    sets = pair_training_sets(in_house)
    assert {name: len(pairs) for name, pairs in sets.items()} == {"check-covid/train": 18,
                                                                 "healthver/dev": 30}
    assert "research use only" in PAIR_TRAINING_SETS["healthver/dev"][0]
    wrong = settings.model_copy(update={"stance_pair_sets": ["healthver/test"]})
    with pytest.raises(InputError, match=r"stance_pair_sets.*healthver/test"):
        pair_training_sets(wrong)


def test_pair_training_sets_read_from_the_environment(monkeypatch, tmp_path):
    from common.settings import Settings

    monkeypatch.setenv("KEPU_STANCE_PAIR_SETS", '["check-covid/train", "healthver/dev"]')
    assert Settings(home=tmp_path).stance_pair_sets == ["check-covid/train", "healthver/dev"]
