"""Platform data dumps (JSON lines or CSV) read into posts, every row checked before any is stored.

Platforms that deliver exports instead of pages still go through the same storage path as crawled
posts; a bad row is reported with its file and line number and nothing is imported.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crawlers.urls import canonicalize_url
from kepu.errors import InputError
from kepu.records import Post
from pipeline.language import detect_lang

FIELDS = ("id", "url", "title", "text", "author", "published", "lang")


@dataclass(frozen=True)
class DumpRow:
    """One dump row as a post plus the canonical address it is stored under."""

    post: Post
    canonical_url: str


def _rows(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    """(line number, row) pairs from a .csv file or a JSON-lines file."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                yield reader.line_num, dict(row)
        return
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(str(path), f"not valid JSON: {exc.msg}", number) from exc
            if not isinstance(row, dict):
                raise InputError(str(path), "each line must be a JSON object", number)
            yield number, row


def _published(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _to_row(row: dict[str, object], source_id: str, platform: str) -> DumpRow:
    get = {k: str(row.get(k) or "").strip() for k in FIELDS}
    if not get["text"]:
        raise ValueError("empty 'text'")
    if not get["id"] and not get["url"]:
        raise ValueError("a row needs an 'id' or a 'url'")
    if get["url"] and not get["url"].startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {get['url']!r}")
    canonical = (canonicalize_url(get["url"]) if get["url"]
                 else f"dump://{platform or 'unknown'}/{source_id}/{get['id']}")
    try:
        published = _published(row.get("published"))
    except ValueError as exc:
        raise ValueError(f"bad 'published' date {get['published']!r}") from exc
    post = Post(id="", text=get["text"], title=get["title"],
                lang=get["lang"] or detect_lang(f"{get['title']} {get['text']}"),
                url=get["url"] or canonical, author=get["author"], platform=platform,
                published=published, source_id=source_id)
    return DumpRow(post, canonical)


def read_dump(path: Path, source_id: str, platform: str) -> list[DumpRow]:
    """Every row of the dump, or an InputError naming the first bad line."""
    if not path.is_file():
        raise InputError(str(path), "no such file")
    rows = []
    for number, row in _rows(path):
        try:
            rows.append(_to_row(row, source_id, platform))
        except ValueError as exc:
            raise InputError(str(path), str(exc), number) from exc
    return rows
