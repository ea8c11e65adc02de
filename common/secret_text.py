"""Secrets in settings may be plain strings or pydantic SecretStr; adapters need the plain text
only at the moment they call out, and nothing else should ever print it."""

from __future__ import annotations

from pydantic import SecretStr


def reveal(value: str | SecretStr | None) -> str | None:
    """The plain text of a secret setting (str or SecretStr), None when unset or empty."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return value or None
