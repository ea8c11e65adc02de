"""JSON lines with errors that name the file and the line (shared by every JSON-lines reader)."""

from __future__ import annotations

import json
from typing import Any

from kepu.errors import InputError


def parse_json_lines(raw: str, source: str) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line; the first bad line raises InputError."""
    rows = []
    for number, text in enumerate(raw.splitlines(), start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(source, f"invalid JSON: {exc.msg}", number) from exc
        if not isinstance(row, dict):
            raise InputError(source, "each line must be a JSON object", number)
        rows.append((number, row))
    return rows
