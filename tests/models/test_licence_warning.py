"""`kepu train` warns, per dataset, when a set's licence does not allow shipping what is
trained on it (research-only sets may train in-house models)."""

from typer.testing import CliRunner

from kepu.cli import app
from models.datasets import LICENCES, LOADERS, licence_warnings


def test_every_public_training_set_has_a_licence_note():
    assert set(LICENCES) == set(LOADERS)
    warnings = licence_warnings(list(LOADERS) + ["our-own-posts"])
    assert len(warnings) == len(LOADERS)
    assert all("in-house use only" in w for w in warnings)


def test_train_prints_the_warning_before_training(tmp_path, monkeypatch, tiny_datasets):
    monkeypatch.setenv("KEPU_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KEPU_DATASETS_DIR", str(tiny_datasets))
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, ["train", "--kind", "ngram", "--dataset", "coaid"])
    assert result.exit_code == 0, result.output
    assert "licence warning: coaid: no licence stated: research use only" in result.output
    assert "checked-covid-weibo-zh" not in result.output.split("candidate")[0]
    assert "written to" in result.output
