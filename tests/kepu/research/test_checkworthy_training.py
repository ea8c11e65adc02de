"""`train_checkworthy` and `eval_checkworthy` end to end on a small Full Fact-format file
(hashing embedder; the real model's figures come from `kepu train-checkworthy`)."""

import csv

from kepu.research.checkworthy import eval_checkworthy, fullfact_split, train_checkworthy
from pipeline.checkworthy import CheckworthyHead
from pipeline.embedders import load_embedder

CLAIMS = ["Garlic cures high blood pressure within {n} days",
          "The vaccine causes infertility in {n} percent of women",
          "Turmeric kills cancer cells faster than chemotherapy, trial {n} shows",
          "Drinking hot water prevents the virus in {n} cases"]
CHATTER = ["Thanks for watching and see you in video {n}",
           "I love this song, it is track {n} on my list",
           "Welcome back everyone to episode {n} of the show",
           "Please subscribe and hit the bell for part {n}"]


def _write_fullfact(root):
    folder = root / "fullfact-health-claims" / "src" / "health_misinfo_shared"
    folder.mkdir(parents=True)
    with (folder / "full_in_context_labelled_data.csv").open("w", newline="",
                                                             encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["output_text", "summary"])
        for n in range(60):
            out.writerow([CLAIMS[n % 4].format(n=n), "worth checking"])
            out.writerow([CHATTER[n % 4].format(n=n), "not worth checking"])


def test_train_then_eval_on_disjoint_parts(settings, tmp_path):
    _write_fullfact(tmp_path / "datasets")
    settings = settings.model_copy(update={"datasets_dir": tmp_path / "datasets",
                                           "checkworthy_model_dir": tmp_path / "cw"})
    train = {t for t, _ in fullfact_split(settings, "train")}
    test = {t for t, _ in fullfact_split(settings, "test")}
    assert train and test and not train & test
    embedder = load_embedder(settings)
    card = train_checkworthy(settings, embedder, tmp_path / "cw")
    assert card["training"]["sentences"] == len(train)
    head = CheckworthyHead.load(tmp_path / "cw")
    assert head.embedder == embedder.name
    results = eval_checkworthy(settings, embedder)
    trained = next(v for k, v in results.items() if "trained head" in k)
    cue = next(v for k, v in results.items() if "cue score" in k)
    assert trained["posts"] == cue["posts"] == len(test)
    # Words shared within each class make this learnable for the hashing embedder.
    assert trained["ROC-AUC"] > 0.9
