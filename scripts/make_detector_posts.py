"""Compose the detector's training posts (data/detector/posts.jsonl) from the hand-written parts
in data/detector/parts/, and check them for 12-character overlap with a text file set.

Deterministic (no random numbers): post n of a core takes frames by index arithmetic, so a re-run
writes the same file. Every part was written for this project; nothing is copied from a dataset.

    python scripts/make_detector_posts.py                 # write data/detector/posts.jsonl
    python scripts/make_detector_posts.py --check FILE    # also report 12-char overlaps with the
                                                          # "input" texts of a JSON list (hrde)
    python scripts/make_detector_posts.py --second-round  # add parts_round2/ (not in the shipped
                                                          # model; see data/detector/README.md)
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ROOT / "data" / "detector" / "parts"
# A second round of parts by other writers, appended after the first round's rows (so the first
# round's item numbers and splits stay as they are). Measured, not shipped: docs/detector.md.
PARTS_ROUND2 = ROOT / "data" / "detector" / "parts_round2"
OUT = ROOT / "data" / "detector" / "posts.jsonl"
# Item (core, fact, off-topic text) i is dev when i % 5 == 4, frame j of its pool when j % 4 == 3.
# A post is dev when both its item and its frame are, train when neither is, and left out
# otherwise: dev posts share no core and no frame with training posts.
DEV_EVERY, DEV_FRAME_EVERY = 5, 4
PER_CORE = {"myth": 4, "debunk": 2, "science": 4}  # posts per core and language


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _part_reader(second_round: bool) -> Callable[[str], list[dict[str, str]]]:
    """Reader of one part file: the first round, with the second round's rows after it."""
    def read(name: str) -> list[dict[str, str]]:
        rows = _read_tsv(PARTS / name)
        if second_round and (PARTS_ROUND2 / name).exists():
            rows += _read_tsv(PARTS_ROUND2 / name)
        return rows
    return read


def _fill(frame: str, core: str) -> str:
    """Put the core into the frame; an English core that opens a line gets a capital."""
    text = frame.replace("\\n", "\n")
    lines = []
    for line in text.split("\n"):
        if line.startswith("{c}") and core[:1].islower():
            line = core[:1].upper() + core[1:] + line[3:]
        lines.append(line.replace("{c}", core))
    return "\n".join(lines)


def _frames(read_part: Callable[[str], list[dict[str, str]]]
            ) -> dict[tuple[str, str], list[dict[str, str]]]:
    out: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in read_part("frames.tsv"):
        out.setdefault((row["kind"], row["lang"]), []).append(row)
    return out


def _split(item: int, frame: int | None) -> str | None:
    item_dev = item % DEV_EVERY == DEV_EVERY - 1
    frame_dev = item_dev if frame is None else frame % DEV_FRAME_EVERY == DEV_FRAME_EVERY - 1
    if item_dev != frame_dev:
        return None
    return "dev" if item_dev else "train"


def _post(kind: str, lang: str, field: str, style: str, item: int, n: int, text: str,
          split: str) -> dict:
    return {"id": f"det-{kind}-{item:03d}-{lang}-{n}", "lang": lang, "kind": kind,
            "field": field, "style": style, "split": split, "title": "", "text": text}


def compose(second_round: bool = False) -> Iterator[dict]:
    read_part = _part_reader(second_round)
    frames = _frames(read_part)
    for source, kinds in (("myths.tsv", ("myth", "debunk")), ("facts.tsv", ("science",))):
        for item, row in enumerate(read_part(source)):
            for lang, post_kind in ((lang, k) for lang in ("zh", "en") for k in kinds):
                pool = frames[(post_kind, lang)]
                split = _split(item, None)
                # a rotation through the pool, starting at a different frame for each item,
                # keeping the frames of the item's own split
                rotation = [(item * 3 + (lang == "en") + k) % len(pool) for k in range(len(pool))]
                chosen = [j for j in rotation if _split(item, j) == split][:PER_CORE[post_kind]]
                for n, j in enumerate(chosen):
                    yield _post(post_kind, lang, row["field"], pool[j]["style"], item, n,
                                _fill(pool[j]["frame"], row[lang]), str(split))
    for item, row in enumerate(read_part("science_long.tsv")):
        yield _post("science", row["lang"], row["field"], row["style"], 500 + item, 0,
                    row["text"].replace("\\n", "\n"), str(_split(item, None)))
    for item, row in enumerate(read_part("offtopic_long.tsv")):
        yield _post("offtopic", row["lang"], "", row["style"], 500 + item, 0,
                    row["text"].replace("\\n", "\n"), str(_split(item, None)))
    offtopic = read_part("offtopic.tsv")
    for item, row in enumerate(offtopic):
        yield _post("offtopic", row["lang"], "", row["style"], item, 0, row["text"],
                    str(_split(item, None)))
    chats = [(i, r) for i, r in enumerate(offtopic) if r["style"] == "chat"]
    for item, row in chats:
        same = [(i, r) for i, r in chats if r["lang"] == row["lang"]]
        other_item, other = same[(same.index((item, row)) + 7) % len(same)]
        if _split(item, None) == _split(other_item, None):
            joiner = "\n" if row["lang"] == "en" else "。\n"
            yield _post("offtopic", row["lang"], "", "chat", item, 1,
                        row["text"] + joiner + other["text"], str(_split(item, None)))


def overlaps(posts: list[dict], texts: list[str], width: int = 12) -> list[tuple[str, str]]:
    """(post id, shared string) for every post sharing a `width`-character string with a text."""
    grams = {t[i:i + width] for t in texts for i in range(len(t) - width + 1)}
    found = []
    for post in posts:
        text = post["text"]
        for i in range(len(text) - width + 1):
            if text[i:i + width] in grams:
                found.append((post["id"], text[i:i + width]))
                break
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", type=Path, help="JSON list of {input: text} to compare")
    parser.add_argument("--second-round", action="store_true",
                        help="also compose data/detector/parts_round2 (not the shipped model's data)")
    args = parser.parse_args()
    posts = list(compose(args.second_round))
    OUT.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts),
                   encoding="utf-8")
    print(f"{len(posts)} posts written to {OUT.relative_to(ROOT)}")
    if args.check:
        texts = [row["input"] for row in json.loads(args.check.read_text(encoding="utf-8"))]
        found = overlaps(posts, texts)
        print(f"12-character overlaps with {len(texts)} texts of {args.check.name}: {len(found)}")
        for post_id, shared in found:
            print(f"  {post_id}: {shared!r}")


if __name__ == "__main__":
    main()
