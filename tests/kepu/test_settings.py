from pathlib import Path

import pytest
from pydantic import ValidationError

from kepu.settings import Settings


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("KEPU_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("KEPU_FLAG_THRESHOLD", "0.7")
    s = Settings()
    assert s.home == tmp_path / "h"
    assert s.database == tmp_path / "h" / "kepu.duckdb"
    assert s.threshold_for("health") == 0.7


def test_toml_file_is_read(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    Path("kepu.toml").write_text('home = "elsewhere"\n[topic_thresholds]\nhealth = 0.3\n')
    s = Settings()
    assert s.home == Path("elsewhere")
    assert s.threshold_for("health") == 0.3
    assert s.threshold_for("climate") == s.flag_threshold


def test_settings_are_frozen_and_typed(monkeypatch):
    monkeypatch.setenv("KEPU_EMBEDDER", "no-such-model")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.delenv("KEPU_EMBEDDER")
    with pytest.raises(ValidationError):
        Settings().home = Path("x")  # type: ignore[misc]


def test_token_is_not_in_repr(monkeypatch):
    monkeypatch.setenv("KEPU_LABELSTUDIO_TOKEN", "secret-token-123")
    assert "secret-token-123" not in repr(Settings())
