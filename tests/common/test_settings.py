from pathlib import Path

import pytest
from pydantic import ValidationError

from common.settings import Settings


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


def test_token_is_a_secret_left_out_of_every_dump(monkeypatch):
    monkeypatch.setenv("KEPU_LABELSTUDIO_TOKEN", "secret-token-123")
    monkeypatch.setenv("KEPU_REPORT_PSEUDONYM_KEY", "secret-key-456")
    s = Settings()
    assert s.labelstudio_token.get_secret_value() == "secret-token-123"
    for dump in (repr(s), str(s.model_dump()), s.model_dump_json()):
        assert "secret-token-123" not in dump and "secret-key-456" not in dump
    assert "labelstudio_token" not in s.model_dump()


def test_token_in_kepu_toml_is_refused_naming_the_line(monkeypatch, tmp_path):
    from common.errors import InputError

    monkeypatch.chdir(tmp_path)
    Path("kepu.toml").write_text('home = "h"\nlabelstudio_token = "abc"\n')
    with pytest.raises(InputError, match=r"^kepu\.toml:2: labelstudio_token is a secret: set "
                                         r"KEPU_LABELSTUDIO_TOKEN in the environment"):
        Settings()


def test_flow_settings_carry_no_secret_and_get_them_back_from_the_environment(monkeypatch):
    monkeypatch.setenv("KEPU_LABELSTUDIO_TOKEN", "secret-token-123")
    bare = Settings().without_secrets()
    assert bare.labelstudio_token is None and bare.report_pseudonym_key is None
    back = bare.with_environment_secrets()
    assert back.labelstudio_token.get_secret_value() == "secret-token-123"
    given = Settings(labelstudio_token="from-code")  # a test or a caller may pass its own
    assert given.with_environment_secrets().labelstudio_token.get_secret_value() == "from-code"


def test_the_panels_file_can_live_outside_the_checkout(tmp_path, monkeypatch):
    """KEPU_PANELS_FILE: reviewers' names need not go into the tracked data/panels.toml."""
    from common.errors import InputError
    from common.settings import PROJECT_ROOT, load_settings
    from kepu.reviewing.enqueue import enqueue_flagged

    assert load_settings(home=tmp_path).panels == PROJECT_ROOT / "data" / "panels.toml"
    mine = tmp_path / "panels.toml"
    mine.write_text("[panels.vaccines\n")  # broken on purpose: the error must name this file
    monkeypatch.setenv("KEPU_PANELS_FILE", str(mine))
    settings = load_settings(home=tmp_path)
    assert settings.panels == mine
    with pytest.raises(InputError, match=str(mine)):
        enqueue_flagged(settings)
