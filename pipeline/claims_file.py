"""Read claims from JSON lines or CSV, validating every row before anything is stored."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kepu.errors import InputError
from kepu.records import TOPICS, VERDICTS, Claim
from pipeline.jsonlines import parse_json_lines

FIELDS = ("id", "text", "lang", "verdict", "topic", "explanation", "source")


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
    return Claim(**values)


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
