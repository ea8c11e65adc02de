"""Our labelled posts, read as (Post, kind): the development sets that stance, calibration and
thresholds are tuned on (the sample-site articles in data/site_src and every data/dev/*.jsonl)
and the held-out sets (data/eval/*.jsonl), which are reported on and never tuned on.

A held-out set that has been looked at and learned from moves to data/dev
(former_held_out_*.jsonl) and a fresh one takes its place.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from common.records import Post
from pipeline.jsonlines import parse_json_lines

LabelledPost = tuple[Post, str]


def json_rows(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSON-lines file (errors name the file and line)."""
    return [row for _, row in parse_json_lines(path.read_text(encoding="utf-8"), str(path))]



def sample_site_posts(data_dir: Path) -> list[LabelledPost]:
    return [(Post(r["slug"], "\n".join(r["paragraphs"]), r["title"], r["lang"]), r["kind"])
            for r in json_rows(data_dir / "site_src" / "articles.jsonl")]



def labelled_posts(path: Path) -> list[LabelledPost]:
    """Posts with their kind from a JSON-lines file of {id, lang, kind, title, text}."""
    return [(Post(r["id"], r["text"], r.get("title") or "", r["lang"]), r["kind"])
            for r in json_rows(path)]



def dev_files(data_dir: Path) -> list[Path]:
    """The development post files (data/dev/*.jsonl), in name order."""
    return sorted((data_dir / "dev").glob("*.jsonl"))



def dev_posts(data_dir: Path) -> list[LabelledPost]:
    """Posts written for developing stance and thresholds (every data/dev/*.jsonl): tune on
    these."""
    return [post for path in dev_files(data_dir) for post in labelled_posts(path)]



def development_posts(data_dir: Path) -> list[LabelledPost]:
    """Everything stance, calibration and thresholds are tuned on: the sample site's articles,
    then every data/dev/*.jsonl."""
    return sample_site_posts(data_dir) + dev_posts(data_dir)



def held_out_files(data_dir: Path) -> list[Path]:
    """The held-out post files (data/eval/*.jsonl): report on these, never tune on them."""
    return sorted((data_dir / "eval").glob("*.jsonl"))



def synthetic_posts(data_dir: Path, count: int, seed: int = 7) -> list[Post]:
    """`count` distinct posts recombined from the sample articles' paragraphs (zh and en)."""
    rng = random.Random(seed)
    by_lang: dict[str, list[str]] = {}
    for post, _ in sample_site_posts(data_dir):
        by_lang.setdefault(post.lang, []).extend(post.text.split("\n"))
    posts = []
    for i in range(count):
        pool = by_lang["zh" if i % 2 else "en"]
        paragraphs = rng.sample(pool, k=min(3, len(pool)))
        posts.append(Post(f"bench-{i}", "\n".join(paragraphs) + f" #{i}", "", ""))
    return posts
