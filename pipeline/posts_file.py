"""Posts given as JSON lines (`kepu flag`), and flags written back as JSON lines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from kepu.errors import InputError
from kepu.records import Flag, Post
from pipeline.jsonlines import parse_json_lines
from pipeline.language import detect_lang


def read_posts(path: Path) -> list[Post]:
    """Posts with `id` and `text` (optional `title`, `lang`, `url`); bad lines name their number."""
    posts, seen = [], set()
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read: {exc}") from exc
    for number, row in parse_json_lines(raw, str(path)):
        if not str(row.get("id") or "").strip():
            raise InputError(str(path), "each line needs an object with a non-empty id", number)
        if not isinstance(row.get("text"), str) or not row["text"].strip():
            raise InputError(str(path), f"post {row['id']!r} has no text", number)
        pid = str(row["id"])
        if pid in seen:
            raise InputError(str(path), f"duplicate post id {pid!r}", number)
        seen.add(pid)
        text, title = row["text"], str(row.get("title") or "")
        posts.append(Post(id=pid, text=text, title=title, url=str(row.get("url") or ""),
                          lang=str(row.get("lang") or detect_lang(f"{title} {text}"))))
    return posts


def flag_to_dict(flag: Flag) -> dict[str, object]:
    return {
        "id": flag.post_id, "flagged": flag.flagged, "score": flag.score, "stance": flag.stance,
        "matches": [{"claim_id": m.claim_id, "similarity": m.similarity, "stance": m.stance,
                     "sentence": m.sentence} for m in flag.matches],
        "reason": flag.reason, "topic": flag.topic,
    }


def write_flags(path: Path, flags: Iterable[Flag]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for flag in flags:
            out.write(json.dumps(flag_to_dict(flag), ensure_ascii=False) + "\n")
            count += 1
    return count
