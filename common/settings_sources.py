"""kepu.toml as a settings source that refuses the secrets which may only come from the
environment (a token written into a file ends up committed or copied)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, TomlConfigSettingsSource

from common.errors import InputError


class TomlWithoutSecrets(TomlConfigSettingsSource):
    """kepu.toml, with an InputError naming the line of any environment-only secret in it."""

    def __init__(self, settings_cls: type[BaseSettings], refused: tuple[str, ...]) -> None:
        super().__init__(settings_cls)
        for key in refused:
            if key in self.toml_data:
                path = Path(str(self.toml_file_path))
                raise InputError(str(path), f"{key} is a secret: set KEPU_{key.upper()} in the "
                                 "environment instead of writing it into a file",
                                 _line_of(path, key))


def _line_of(path: Path, key: str) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    return next((n for n, line in enumerate(lines, 1) if line.strip().startswith(key)), None)
