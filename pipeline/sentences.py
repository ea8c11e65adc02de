"""Split posts into sentences and keep the check-worthy ones.

Chinese ends sentences with 。！？ (and ；…); English with . ! ? followed by a space and a capital
or a digit, minding common abbreviations.
"""

from __future__ import annotations

import re

from pipeline.checkworthy import checkworthiness

_ZH_END = re.compile(r"(?<=[。！？!?；…])\s*")
_EN_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREV = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Prof|St|vs|e\.g|i\.e|etc|No|Fig|U\.S)\.$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


MAX_SENTENCE_CHARS = 400  # the max_sentence_chars setting's default (longest in our data: 323)


def split_sentences(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[str]:
    """Split mixed zh/en text into trimmed sentences, one paragraph at a time; a sentence
    longer than `max_chars` (text without punctuation) is cut into pieces no longer."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n+", text):
        for piece in _ZH_END.split(paragraph):
            for sentence in _split_english(piece):
                sentences.extend(cut_long(sentence, max_chars))
    return [s.strip() for s in sentences if s.strip()]


def cut_long(sentence: str, max_chars: int) -> list[str]:
    """`sentence` in pieces of at most `max_chars`, cut at the last space of each piece when
    it has one in its second half (Chinese has none: cut at the limit)."""
    pieces, start = [], 0
    while len(sentence) - start > max_chars:
        cut = sentence.rfind(" ", start + max_chars // 2, start + max_chars + 1)
        cut = cut if cut > start else start + max_chars
        pieces.append(sentence[start:cut])
        start = cut
    return [*pieces, sentence[start:]]


def _split_english(piece: str) -> list[str]:
    parts = _EN_END.split(piece)
    merged: list[str] = []
    for part in parts:
        if merged and _ABBREV.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged


def is_check_worthy(sentence: str) -> bool:
    """Keep sentences long enough to carry a factual claim (a scorer to deepen: issue 4)."""
    if _CJK.search(sentence):
        return len(_CJK.findall(sentence)) >= 6
    return len(sentence.split()) >= 5


# A post is read whole up to this many sentences (a cost cap, ~20 s of encoding on 2 cores);
# above it the most check-worthy sentences are kept, never simply the first ones, so a claim
# cannot hide behind filler.
MAX_SENTENCES = 300


def extract_claims(title: str, text: str, limit: int = MAX_SENTENCES,
                   max_chars: int = MAX_SENTENCE_CHARS) -> list[str]:
    """The post's check-worthy sentences, title first, no repeats, in post order; above `limit`
    of them, the `limit` most check-worthy (cue score) of the whole post."""
    seen: set[str] = set()
    kept: list[str] = []
    for sentence in split_sentences(f"{title}\n{text}" if title else text, max_chars):
        if sentence not in seen and is_check_worthy(sentence):
            seen.add(sentence)
            kept.append(sentence)
    if len(kept) <= limit:
        return kept
    ranked = sorted(range(len(kept)), key=lambda i: (-checkworthiness(kept[i]), i))[:limit]
    return [kept[i] for i in sorted(ranked)]


def post_sentences(title: str, text: str, limit: int = MAX_SENTENCES,
                   max_chars: int = MAX_SENTENCE_CHARS) -> list[str]:
    """The sentences a post is judged by: its check-worthy ones, or its title/lead when none is."""
    return extract_claims(title, text, limit, max_chars) or [
        title[:max_chars] if title else text[:200]]
