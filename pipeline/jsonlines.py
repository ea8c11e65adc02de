"""User files read strictly and parsed as JSON, with errors that name the file and the line.

Shared by every reader of input files: UTF-8 only (a GBK or binary file is named as such, with
its line), lines split on "\\n" only (U+2028 or U+0085 inside a JSON string is text, not a line
break), no lone surrogates (a "\\ud800" escape is not Unicode text and would fail later, in the
database or on output), no NaN/Infinity. Pure: no I/O beyond reading the one file.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from common.errors import InputError


class Located(dict):  # type: ignore[type-arg]
    """A JSON object that knows the line it starts on (for errors about nested objects)."""

    line: int = 0


def read_text(path: Path) -> str:
    """The whole file as UTF-8 text, a byte-order mark dropped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(str(path), "no such file") from exc
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise InputError(str(path), f"not UTF-8 text (byte 0x{data[exc.start]:02x} at column "
                         f"{column}): save the file as UTF-8 (is it GBK, or not text at all?)",
                         line) from exc
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(str(path), "a NUL character: this is a binary file, not text", line)
    return text.removeprefix("\ufeff")


def text_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) split on "\\n" only; a "\\r" before it is dropped."""
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line.removesuffix("\r")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def check_unicode(value: Any, source: str, line: int | None, field: str = "") -> None:
    """Raise InputError when a string in `value` holds a lone surrogate."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            where = f"field {field!r}" if field else "a string"
            raise InputError(source, f"{where} holds a lone surrogate "
                             f"(\\u{ord(value[exc.start]):04x}): not valid Unicode text",
                             line) from exc
    elif isinstance(value, dict):
        for key, item in value.items():
            check_unicode(key, source, line, field)
            check_unicode(item, source, line, field or str(key))
    elif isinstance(value, list):
        for item in value:
            check_unicode(item, source, line, field)


def parse_json_lines(raw: str, source: str) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line; the first bad line raises InputError."""
    rows = []
    for number, text in text_lines(raw):
        if not text.strip():
            continue
        try:
            row = json.loads(text, parse_constant=_refuse_constant)
        except json.JSONDecodeError as exc:
            raise InputError(source, f"invalid JSON: {exc.msg} (column {exc.colno})",
                             number) from exc
        except (ValueError, RecursionError) as exc:
            raise InputError(source, f"invalid JSON: {exc}", number) from exc
        if not isinstance(row, dict):
            raise InputError(source, "each line must be a JSON object", number)
        check_unicode(row, source, number)
        located = Located(row)
        located.line = number
        rows.append((number, located))
    return rows


def parse_json_document(raw: str, source: str) -> Any:
    """One JSON document whose objects are `Located` (each knows its starting line)."""
    newlines = [i for i, char in enumerate(raw) if char == "\n"]
    decoder = json.JSONDecoder(parse_constant=_refuse_constant)

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Located, int]:
        value, end = json.decoder.JSONObject(s_and_end, *args)
        located = Located(value)
        located.line = bisect.bisect_left(newlines, s_and_end[1] - 1) + 1
        return located, end

    decoder.parse_object = parse_object  # type: ignore[assignment]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        document = decoder.decode(raw)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"invalid JSON: {exc.msg} (column {exc.colno})",
                         exc.lineno) from exc
    except (ValueError, RecursionError) as exc:
        raise InputError(source, f"invalid JSON: {exc}") from exc
    _check_located(document, source)
    return document


def _check_located(value: Any, source: str, line: int | None = None, field: str = "") -> None:
    """check_unicode, naming the line of the innermost object that holds the bad string."""
    if isinstance(value, Located):
        for key, item in value.items():
            check_unicode(key, source, value.line, field)
            _check_located(item, source, value.line, field or str(key))
    elif isinstance(value, list):
        for item in value:
            _check_located(item, source, line, field)
    else:
        check_unicode(value, source, line, field)
