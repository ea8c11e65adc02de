"""Language detection good enough to route zh/en posts: the share of CJK characters decides."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_lang(text: str) -> str:
    """Return "zh" when CJK characters outnumber a third of the letters, else "en"."""
    cjk = len(_CJK.findall(text))
    latin_words = len(_LATIN.findall(text)) / 5
    if cjk == 0 and latin_words == 0:
        return "en"
    return "zh" if cjk >= latin_words / 3 else "en"
