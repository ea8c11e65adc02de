"""Main-text extraction with trafilatura: title, text, author, date, language."""

from __future__ import annotations

import html
from dataclasses import dataclass

import trafilatura

from pipeline.language import detect_lang


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str
    author: str
    published: str
    lang: str


def extract_article(page_html: str, url: str, min_chars: int = 40) -> Extracted | None:
    """The page's main text and metadata, or None when there is no article to speak of."""
    doc = trafilatura.bare_extraction(page_html, url=url, with_metadata=True, favor_precision=True)
    if doc is None or not doc.text or len(doc.text.strip()) < min_chars:
        return None
    text = html.unescape(doc.text).strip()
    title = html.unescape(doc.title or "").strip()
    if title and text.startswith(title):
        text = text[len(title):].lstrip()
    return Extracted(title=title, text=text, author=(doc.author or "").strip(),
                     published=(doc.date or "").strip(), lang=detect_lang(f"{title} {text}"))
