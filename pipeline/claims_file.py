"""Read claims from JSON lines or CSV, validating every row before anything is stored."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kepu.errors import InputError
from kepu.records import TOPICS, VERDICTS, Claim
from pipeline.jsonlines import parse_json_lines

FIELDS = ("id", "text", "lang", "verdict", "topic", "explanation", "source")
# Optional: other wordings of the claim. JSON lines: a list of strings; CSV: one cell, "|" between.
VARIANTS = "variants"
MAX_VARIANT_CHARS = 400


def claim_from_row(row: dict[str, object], source: str, line: int) -> Claim:
    """Validate one row; raise InputError naming the file, line and field."""
    missing = [f for f in FIELDS if not str(row.get(f) or "").strip()]
    if missing:
        raise InputError(source, f"missing field(s): {', '.join(missing)}", line)
    values = {f: str(row[f]).strip() for f in FIELDS}
    if values["lang"] not in ("zh", "en"):
        raise InputError(source, f"lang must be zh or en, got {values['lang']!r}", line)
    if values["verdict"] not in VERDICTS:
        raise InputError(source, f"verdict must be one of {', '.join(VERDICTS)}, "
                         f"got {values['verdict']!r}", line)
    if values["topic"] not in TOPICS:
        raise InputError(source, f"unknown topic {values['topic']!r}", line)
    return Claim(**values, variants=_variants(row.get(VARIANTS), source, line))


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


def read_claims(path: Path) -> list[Claim]:
    """All claims in a .jsonl/.json-lines or .csv file; the first bad row stops the import."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read: {exc}") from exc
    rows = _csv_rows(raw, str(path)) if path.suffix.lower() == ".csv" else parse_json_lines(raw, str(path))
    claims, seen = [], set()
    for line, row in rows:
        claim = claim_from_row(row, str(path), line)
        if claim.id in seen:
            raise InputError(str(path), f"duplicate claim id {claim.id!r}", line)
        seen.add(claim.id)
        claims.append(claim)
    if not claims:
        raise InputError(str(path), "no claims found")
    return claims


def _csv_rows(raw: str, source: str) -> list[tuple[int, dict[str, object]]]:
    reader = csv.DictReader(io.StringIO(raw))
    absent = [f for f in FIELDS if f not in (reader.fieldnames or [])]
    if absent:
        raise InputError(source, f"CSV header lacks: {', '.join(absent)}", 1)
    return [(reader.line_num, dict(row)) for row in reader]
