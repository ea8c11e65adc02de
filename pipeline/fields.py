"""One input row's fields, typed strictly: a wrong type is an error naming file:line and the
field, never a silent str() of it.

Ids are strings or integers (an integer id becomes its decimal string); texts are strings;
counts are integers (not true/false, not "12"); null or absent means "not given". Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from common.errors import InputError

MAX_ID_CHARS = 500


def json_kind(value: Any) -> str:
    """A value's JSON type, as an error message names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


@dataclass(frozen=True)
class Row:
    """A JSON object or CSV record, with the file and line it came from."""

    data: Mapping[str, Any]
    source: str
    line: int | None

    def fail(self, message: str) -> NoReturn:
        raise InputError(self.source, message, self.line)

    def text(self, name: str, *, required: bool = False, max_chars: int | None = None,
             limit: str = "") -> str:
        """A string field, stripped ("" when absent or null); `limit` names the setting that
        sets `max_chars`."""
        value = self.data.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(f"{name!r} must be a string, got {json_kind(value)}")
        value = value.strip()
        if required and not value:
            self.fail(f"{name!r} is missing or empty")
        if max_chars is not None and len(value) > max_chars:
            self.fail(f"{name!r} is {len(value):,} characters long, over the limit of "
                      f"{max_chars:,}" + (f" ({limit})" if limit else ""))
        return value

    def ident(self, name: str, *, required: bool = True) -> str:
        """An id: a string or an integer, as a string."""
        value = self.data.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            self.fail(f"{name!r} must be a string or an integer, got {json_kind(value)}")
        text = "" if value is None else str(value).strip()
        if required and not text:
            self.fail(f"{name!r} is missing or empty")
        if len(text) > MAX_ID_CHARS:
            self.fail(f"{name!r} is longer than {MAX_ID_CHARS} characters")
        return text

    def integer(self, name: str, default: int, minimum: int) -> int:
        """An integer field (absent: `default`), at least `minimum`."""
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{name!r} must be an integer, got {json_kind(value)}")
        if value < minimum:
            self.fail(f"{name!r} must be at least {minimum}, got {value}")
        return value

    def only(self, allowed: Iterable[str]) -> None:
        """Refuse fields outside `allowed` (a misspelt field would otherwise be ignored)."""
        allowed = tuple(allowed)
        unknown = sorted(str(k) for k in self.data if k not in allowed)
        if unknown:
            self.fail(f"unknown field(s) {', '.join(unknown)}; known: {', '.join(allowed)}")


class FirstSeen:
    """Where each key of a file first appeared, so a repeat names both lines."""

    def __init__(self, source: str, what: str) -> None:
        self.source, self.what = source, what
        self.lines: dict[str, int | None] = {}

    def add(self, key: str, line: int | None) -> None:
        if key in self.lines:
            first = self.lines[key]
            where = f"line {first}" if first is not None else "earlier"
            raise InputError(self.source, f"duplicate {self.what} {key!r} (first on {where})",
                             line)
        self.lines[key] = line
