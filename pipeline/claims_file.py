"""Read claims from JSON lines or CSV, validating every row before anything is stored."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from common.errors import InputError
from common.records import TOPICS, VERDICTS, Claim
from pipeline.fields import FirstSeen, Row
from pipeline.jsonlines import parse_json_lines, read_text

FIELDS = ("id", "text", "lang", "verdict", "topic", "explanation", "source")
# Optional: other wordings of the claim. JSON lines: a list of strings; CSV: one cell, "|" between.
VARIANTS = "variants"
# Optional: the group of records that state this claim in other languages (e.g. "kc-001").
GROUP = "group"
MAX_GROUP_CHARS = 200
MAX_VARIANT_CHARS = 400
LIMIT = "KEPU_MAX_CLAIM_CHARS"


def claim_from_row(data: dict[str, object], source: str, line: int,
                   max_chars: int = 4_000) -> Claim:
    """Validate one row; raise InputError naming the file, line and field. Every field is a
    string (the id may be an integer), none longer than `max_chars`."""
    row = Row(data, source, line)
    missing = [f for f in FIELDS if data.get(f) is None or data.get(f) == ""]
    if missing:
        raise InputError(source, f"missing field(s): {', '.join(missing)}", line)
    values = {f: row.text(f, required=True, max_chars=max_chars, limit=LIMIT)
              for f in FIELDS if f != "id"}
    values = {"id": row.ident("id"), **values}
    if values["lang"] not in ("zh", "en"):
        raise InputError(source, f"lang must be zh or en, got {values['lang']!r}", line)
    if values["verdict"] not in VERDICTS:
        raise InputError(source, f"verdict must be one of {', '.join(VERDICTS)}, "
                         f"got {values['verdict']!r}", line)
    if values["topic"] not in TOPICS:
        raise InputError(source, f"unknown topic {values['topic']!r}", line)
    return Claim(**values, variants=_variants(data.get(VARIANTS), source, line),
                 group=_group(data.get(GROUP), source, line))


def _group(value: object, source: str, line: int) -> str:
    """A row's group: a short string (or a number), "" when absent."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(source, "group must be a string", line)
    group = " ".join(str(value).split())
    if not group or len(group) > MAX_GROUP_CHARS:
        raise InputError(source, f"group must be 1 to {MAX_GROUP_CHARS} characters", line)
    return group


def _variants(value: object, source: str, line: int) -> tuple[str, ...]:
    """A row's variants: a list of non-empty strings (or a "|"-separated CSV cell), no repeats."""
    if value is None or value == "":
        return ()
    items = value.split("|") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise InputError(source, "variants must be a list of strings", line)
    cleaned = [" ".join(v.split()) for v in items]
    if not all(cleaned):
        raise InputError(source, "variants must not be empty strings", line)
    too_long = [v for v in cleaned if len(v) > MAX_VARIANT_CHARS]
    if too_long:
        raise InputError(source, f"variant longer than {MAX_VARIANT_CHARS} characters: "
                         f"{too_long[0][:40]!r}…", line)
    return tuple(dict.fromkeys(cleaned))


def read_claims(path: Path, max_chars: int = 4_000) -> list[Claim]:
    """All claims in a .jsonl/.json-lines or .csv file; the first bad row stops the import."""
    raw = read_text(path)
    rows = _csv_rows(raw, str(path)) if path.suffix.lower() == ".csv" else parse_json_lines(raw, str(path))
    claims, seen = [], FirstSeen(str(path), "claim id")
    for line, row in rows:
        claim = claim_from_row(row, str(path), line, max_chars)
        seen.add(claim.id, line)
        claims.append(claim)
    if not claims:
        raise InputError(str(path), "no claims found")
    return claims


def _csv_rows(raw: str, source: str) -> list[tuple[int, dict[str, object]]]:
    reader = csv.DictReader(io.StringIO(raw, newline=""))
    absent = [f for f in FIELDS if f not in (reader.fieldnames or [])]
    if absent:
        raise InputError(source, f"CSV header lacks: {', '.join(absent)}", 1)
    try:
        return [(reader.line_num, _record(row, source, reader.line_num)) for row in reader]
    except csv.Error as exc:
        raise InputError(source, f"bad CSV: {exc}", reader.line_num) from exc


def _record(row: dict[str | None, object], source: str, line: int) -> dict[str, object]:
    if None in row:
        raise InputError(source, "more cells than the header has columns", line)
    return {str(k): v for k, v in row.items()}
