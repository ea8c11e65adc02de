"""Claims from schema.org ClaimReview JSON-LD, the format fact-checkers publish.

Reads `claimReviewed`, `reviewRating.alternateName`/`textualRating`, `url`, `author`,
`datePublished` (and `inLanguage`, `about`/`keywords` when present), each of the type
schema.org gives it (a wrong type is an error naming the line, not a repr stored as text).
Pure parsing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from common.errors import InputError
from common.records import TOPICS, Claim
from pipeline.fields import FirstSeen, Row, json_kind
from pipeline.jsonlines import parse_json_document, parse_json_lines, read_text
from pipeline.language import detect_lang

LIMIT = "KEPU_MAX_CLAIM_CHARS"

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


def _name(value: Any, row: Row, field: str) -> str:
    """A person, organisation or keyword: a string, an object with a name/url, or a list."""
    if isinstance(value, list):
        return ", ".join(_name(v, row, field) for v in value)
    if isinstance(value, dict):
        return Row(value, row.source, row.line).text("name") or \
            Row(value, row.source, row.line).text("url")
    if value is None or isinstance(value, str):
        return (value or "").strip()
    row.fail(f"{field!r} must be a string, an object or a list, got {json_kind(value)}")


def _topic(review: Row, default: str | None) -> str | None:
    words = " ".join(_name(review.data.get(k), review, k) for k in ("about", "keywords")).lower()
    for topic, (zh, en) in TOPICS.items():
        if topic in words or zh in words or en.lower() in words:
            return topic
    return default


def _rating(review: Row) -> Row:
    rating = review.data.get("reviewRating")
    if not isinstance(rating, dict):
        review.fail(f"'reviewRating' must be an object, got {json_kind(rating)}")
    return Row(rating, review.source, getattr(rating, "line", review.line))


def claim_from_review(data: dict[str, Any], source: str, position: int,
                      default_topic: str | None, max_chars: int = 4_000) -> Claim:
    """One ClaimReview as a claim; errors name the file, the line and the field."""
    review = Row(data, source, getattr(data, "line", None))
    text = review.text("claimReviewed", max_chars=max_chars, limit=LIMIT)
    rating = _rating(review)
    label = rating.text("alternateName") or rating.text("textualRating")
    if not text:
        review.fail(f"ClaimReview #{position}: no claimReviewed")
    verdict = verdict_from_rating(label)
    if verdict is None:
        review.fail(f"ClaimReview #{position}: unknown rating {label!r}")
    topic = _topic(review, default_topic)
    if topic is None:
        review.fail(f"ClaimReview #{position}: no topic (pass --topic)")
    url, author = review.text("url"), _name(review.data.get("author"), review, "author")
    lang = review.text("inLanguage")[:2].lower() or detect_lang(text)
    explanation = (rating.text("ratingExplanation", max_chars=max_chars, limit=LIMIT)
                   or review.text("description", max_chars=max_chars, limit=LIMIT)
                   or f"Rated “{label}” by {author or 'a fact-checker'}.")
    date = review.text("datePublished")
    cid = "cr-" + hashlib.sha1((url or text).encode("utf-8")).hexdigest()[:12]
    return Claim(cid, text, "zh" if lang == "zh" else "en", verdict, topic, explanation,
                 "; ".join(p for p in (author, url, date) if p)[:max_chars])


def read_claimreviews(path: Path, default_topic: str | None = None,
                      max_chars: int = 4_000) -> list[Claim]:
    """Every ClaimReview in a JSON-LD file (object, list, @graph) or JSON-lines file, all
    checked before any is returned; two reviews of one URL (or one text) are an error."""
    raw = read_text(path)
    documents = _documents(raw, str(path), lines=path.suffix.lower() == ".jsonl")
    reviews = list(_walk(documents))
    if not reviews:
        raise InputError(str(path), "no ClaimReview objects found")
    claims, seen = [], FirstSeen(str(path), "ClaimReview of")
    for position, review in enumerate(reviews, 1):
        claim = claim_from_review(review, str(path), position, default_topic, max_chars)
        seen.add(_what(review) or claim.text, getattr(review, "line", None))
        claims.append(claim)
    return claims


def _documents(raw: str, source: str, lines: bool) -> list[Any]:
    """A JSON-lines file's objects, or a JSON document (a .json file of JSON lines too)."""
    if not lines:
        try:
            return [parse_json_document(raw, source)]
        except InputError as exc:
            if "Extra data" not in str(exc):
                raise
    return [row for _, row in parse_json_lines(raw, source)]


def _what(review: dict[str, Any]) -> str:
    url = review.get("url")
    return url.strip() if isinstance(url, str) else ""


def looks_like_claimreview(path: Path) -> bool:
    if path.suffix.lower() in (".json", ".jsonld"):
        return True
    if path.suffix.lower() != ".jsonl" or not path.is_file():
        return False
    with path.open("rb") as head:
        return b'"ClaimReview"' in head.read(5000)
