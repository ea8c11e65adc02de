"""Posts given as JSON lines (`kepu flag`), and flags written back as JSON lines."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from common.errors import InputError
from common.records import Flag, Post
from pipeline.fields import FirstSeen, Row
from pipeline.jsonlines import parse_json_lines, read_text
from pipeline.language import detect_lang

LIMIT = "KEPU_MAX_POST_CHARS"


def read_posts(path: Path, max_chars: int = 100_000) -> list[Post]:
    """Posts with `id` (a string or an integer) and `text` (optional `title`, `lang`, `url`,
    all strings), the whole file checked first; errors name the line and the field."""
    posts, seen = [], FirstSeen(str(path), "post id")
    for number, data in parse_json_lines(read_text(path), str(path)):
        row = Row(data, str(path), number)
        pid = row.ident("id")
        text = row.text("text", required=True, max_chars=max_chars, limit=LIMIT)
        title = row.text("title", max_chars=max_chars, limit=LIMIT)
        url, lang = row.text("url"), row.text("lang")
        seen.add(pid, number)
        posts.append(Post(id=pid, text=text, title=title, url=url,
                          lang=lang or detect_lang(f"{title} {text}")))
    return posts


def flag_to_dict(flag: Flag) -> dict[str, object]:
    return {
        "id": flag.post_id, "flagged": flag.flagged, "score": flag.score, "stance": flag.stance,
        "matches": [{"claim_id": m.claim_id, "similarity": m.similarity, "stance": m.stance,
                     "sentence": m.sentence} for m in flag.matches],
        "reason": flag.reason, "topic": flag.topic, "basis": flag.basis,
        "detector_score": flag.detector_score,
    }


def check_output(path: Path) -> None:
    """Refuse an output path that cannot be written before any work is done for it."""
    folder = path.parent
    if not folder.is_dir():
        raise InputError(str(path), f"folder {folder} does not exist")
    if path.is_dir():
        raise InputError(str(path), "is a folder, not a file")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(str(path), "cannot be written (permission denied)")


def write_flags(path: Path, flags: Iterable[Flag]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for flag in flags:
            out.write(json.dumps(flag_to_dict(flag), ensure_ascii=False) + "\n")
            count += 1
    return count
