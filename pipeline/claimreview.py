"""Claims from schema.org ClaimReview JSON-LD, the format fact-checkers publish.

Reads `claimReviewed`, `reviewRating.alternateName`/`textualRating`, `url`, `author`,
`datePublished` (and `inLanguage`, `about`/`keywords` when present). Pure parsing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kepu.errors import InputError
from kepu.records import TOPICS, Claim
from pipeline.jsonlines import parse_json_lines
from pipeline.language import detect_lang

_FALSE = ("false", "untrue", "not true", "pants on fire", "incorrect", "fake", "wrong", "hoax", "fabricated", "myth",
          "谣言", "错误", "虚假", "不实", "假")
_MISLEADING = ("misleading", "half", "mostly false", "partly false", "partially false",
               "missing context", "mixture", "exaggerat", "unproven", "unsupported", "out of context",
               "误导", "片面", "夸大", "部分", "不准确", "存疑")
_TRUE = ("true", "correct", "accurate", "mostly true", "属实", "正确", "真实")


def verdict_from_rating(rating: str) -> str | None:
    """Map a fact-checker's textual rating onto false / misleading / true (None if unknown)."""
    text = rating.strip().lower()
    for verdict, cues in (("misleading", _MISLEADING), ("false", _FALSE), ("true", _TRUE)):
        if any(cue in text for cue in cues):
            return verdict
    return None


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        kinds = node.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "ClaimReview" in kinds:
            yield node
        for key in ("@graph", "itemListElement", "item"):
            if key in node:
                yield from _walk(node[key])


def _name(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_name(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("name") or value.get("url") or "")
    return str(value or "")


def _topic(review: dict[str, Any], default: str | None) -> str | None:
    words = " ".join(_name(review.get(k)) for k in ("about", "keywords")).lower()
    for topic, (zh, en) in TOPICS.items():
        if topic in words or zh in words or en.lower() in words:
            return topic
    return default


def claim_from_review(review: dict[str, Any], source: str, position: int,
                      default_topic: str | None) -> Claim:
    text = str(review.get("claimReviewed") or "").strip()
    rating = review.get("reviewRating") or {}
    label = str(rating.get("alternateName") or rating.get("textualRating") or "")
    if not text:
        raise InputError(source, f"ClaimReview #{position}: no claimReviewed")
    verdict = verdict_from_rating(label)
    if verdict is None:
        raise InputError(source, f"ClaimReview #{position}: unknown rating {label!r}")
    topic = _topic(review, default_topic)
    if topic is None:
        raise InputError(source, f"ClaimReview #{position}: no topic (pass --topic)")
    url, author = str(review.get("url") or ""), _name(review.get("author"))
    lang = str(review.get("inLanguage") or "")[:2].lower() or detect_lang(text)
    explanation = str(rating.get("ratingExplanation") or review.get("description") or
                      f"Rated “{label}” by {author or 'a fact-checker'}.")
    date = str(review.get("datePublished") or "")
    cid = "cr-" + hashlib.sha1((url or text).encode("utf-8")).hexdigest()[:12]
    return Claim(cid, text, "zh" if lang == "zh" else "en", verdict, topic, explanation,
                 "; ".join(p for p in (author, url, date) if p))


def read_claimreviews(path: Path, default_topic: str | None = None) -> list[Claim]:
    """Every ClaimReview in a JSON-LD file (object, list, @graph) or JSON-lines file."""
    raw = path.read_text(encoding="utf-8-sig")
    try:
        documents = [json.loads(raw)]
    except json.JSONDecodeError:
        documents = [row for _, row in parse_json_lines(raw, str(path))]
    reviews = list(_walk(documents))
    if not reviews:
        raise InputError(str(path), "no ClaimReview objects found")
    return [claim_from_review(r, str(path), i, default_topic) for i, r in enumerate(reviews, 1)]


def looks_like_claimreview(path: Path) -> bool:
    return path.suffix.lower() in (".json", ".jsonld") or (
        path.suffix.lower() == ".jsonl" and '"ClaimReview"' in path.read_text(encoding="utf-8",
                                                                             errors="ignore")[:5000])
