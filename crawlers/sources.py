"""The sources file: what to crawl (URL, kind, language and topic hints, platform, interval)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from kepu.errors import InputError

KINDS = ("feed", "sitemap", "page")


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


def read_sources(path: Path) -> list[Source]:
    """Parse a JSON-lines sources file, naming the line of any bad entry."""
    if not path.is_file():
        raise InputError(str(path), "no such sources file")
    sources = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            row = json.loads(line)
            source = Source(**row)
        except (json.JSONDecodeError, TypeError) as exc:
            raise InputError(str(path), f"bad source entry: {exc}", number) from exc
        if source.kind not in KINDS:
            raise InputError(str(path), f"kind must be one of {', '.join(KINDS)}", number)
        if not source.url.startswith(("http://", "https://")):
            raise InputError(str(path), f"not an http(s) URL: {source.url!r}", number)
        if source.interval_minutes < 1 or source.depth < 0:
            raise InputError(str(path), "interval_minutes must be >= 1 and depth >= 0", number)
        sources.append(source)
    return sources
