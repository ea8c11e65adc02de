"""The sources file: what to crawl (URL, kind, language and topic hints, platform, interval)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

from common.errors import InputError
from pipeline.fields import FirstSeen, Row
from pipeline.jsonlines import parse_json_lines, read_text, text_lines

KINDS = ("feed", "sitemap", "page")
MAX_URL_CHARS = 2000


@dataclass(frozen=True)
class Source:
    id: str
    url: str
    kind: str
    lang: str = ""
    topic: str = ""
    platform: str = ""
    interval_minutes: int = 60
    audience: int = 1000
    depth: int = 2  # page sources: how many links deep to follow inside the source's host

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def source_from_row(row: Row) -> Source:
    """One sources-file line as a Source; every field typed (no "60" for 60, no null depth)."""
    row.only(f.name for f in fields(Source))
    source = Source(id=row.ident("id"), url=row.text("url", required=True),
                    kind=row.text("kind", required=True), lang=row.text("lang"),
                    topic=row.text("topic"), platform=row.text("platform"),
                    interval_minutes=row.integer("interval_minutes", 60, 1),
                    audience=row.integer("audience", 1000, 0),
                    depth=row.integer("depth", 2, 0))
    if source.kind not in KINDS:
        row.fail(f"kind must be one of {', '.join(KINDS)}, got {source.kind!r}")
    if not source.url.startswith(("http://", "https://")) or len(source.url) > MAX_URL_CHARS:
        row.fail(f"not an http(s) URL: {source.url[:200]!r}")
    return source


def read_sources(path: Path) -> list[Source]:
    """Parse a JSON-lines sources file (lines starting with # are comments), checking every
    line before any source is used; errors name the line and the field."""
    if not path.is_file():
        raise InputError(str(path), "no such sources file")
    sources, seen = [], FirstSeen(str(path), "source id")
    kept = "\n".join("" if line.lstrip().startswith("#") else line  # numbering kept
                     for _, line in text_lines(read_text(path)))
    for number, data in parse_json_lines(kept, str(path)):
        source = source_from_row(Row(data, str(path), number))
        seen.add(source.id, number)
        sources.append(source)
    return sources
