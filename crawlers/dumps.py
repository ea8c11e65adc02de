"""Platform data dumps (JSON lines or CSV) read into posts, every row checked before any is stored.

Platforms that deliver exports instead of pages still go through the same storage path as crawled
posts; a bad row is reported with its file and line number and nothing is imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from common.errors import InputError
from common.records import Post
from crawlers.urls import canonicalize_url
from pipeline.fields import FirstSeen, Row
from pipeline.jsonlines import parse_json_lines, read_text
from pipeline.language import detect_lang


@dataclass(frozen=True)
class DumpRow:
    """One dump row as a post plus the canonical address it is stored under."""

    post: Post
    canonical_url: str


def _rows(path: Path) -> list[tuple[int, dict[str, object]]]:
    """(line number, row) pairs from a .csv file or a JSON-lines file, read strictly."""
    raw = read_text(path)
    if path.suffix.lower() != ".csv":
        return parse_json_lines(raw, str(path))
    reader = csv.DictReader(io.StringIO(raw, newline=""))
    rows = []
    try:
        for row in reader:
            if None in row:
                raise InputError(str(path), "more cells than the header has columns",
                                 reader.line_num)
            rows.append((reader.line_num, dict(row)))
    except csv.Error as exc:
        raise InputError(str(path), f"bad CSV: {exc}", reader.line_num) from exc
    return rows  # type: ignore[return-value]


def _published(row: Row) -> datetime | None:
    value = row.text("published")
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        row.fail(f"bad 'published' date {value!r}")
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _to_row(row: Row, source_id: str, platform: str, max_chars: int) -> DumpRow:
    pid, url = row.ident("id", required=False), row.text("url")
    text = row.text("text", max_chars=max_chars, limit="KEPU_MAX_POST_CHARS")
    title = row.text("title", max_chars=max_chars, limit="KEPU_MAX_POST_CHARS")
    author, lang = row.text("author"), row.text("lang")
    if not text:
        row.fail("empty 'text'")
    if not pid and not url:
        row.fail("a row needs an 'id' or a 'url'")
    if url and not url.startswith(("http://", "https://")):
        row.fail(f"not an http(s) URL: {url[:200]!r}")
    canonical = (canonicalize_url(url) if url
                 else f"dump://{platform or 'unknown'}/{source_id}/{pid}")
    post = Post(id="", text=text, title=title, lang=lang or detect_lang(f"{title} {text}"),
                url=url or canonical, author=author, platform=platform,
                published=_published(row), source_id=source_id)
    return DumpRow(post, canonical)


def read_dump(path: Path, source_id: str, platform: str,
              max_chars: int = 100_000) -> list[DumpRow]:
    """Every row of the dump, or an InputError naming the first bad line (and both lines of a
    post given twice)."""
    if not path.is_file():
        raise InputError(str(path), "no such file")
    rows, seen = [], FirstSeen(str(path), "post")
    for number, data in _rows(path):
        dump_row = _to_row(Row(data, str(path), number), source_id, platform, max_chars)
        seen.add(dump_row.canonical_url, number)
        rows.append(dump_row)
    return rows
