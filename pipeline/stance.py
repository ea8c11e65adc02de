"""Does a sentence assert a claim, refute it, or only mention or ask about it?

A rule-based baseline built on cue words and negation polarity (zh and en); issue 4 replaces it
with a model trained on the public stance data. Pure functions only.
"""

from __future__ import annotations

import re

from kepu.records import Stance

_REFUTE_ZH = ("谣言", "辟谣", "不实", "误区", "伪科学", "没有科学依据", "缺乏科学依据", "没有证据",
              "缺乏证据", "站不住脚", "不靠谱", "纯属", "是错误的", "并不", "并非", "假的", "误解",
              "毫无根据", "没有根据", "不成立", "被证伪", "夸大", "不能治", "治不了")
_REFUTE_EN = ("myth", "debunk", "no evidence", "not true", "misconception", "hoax", "is false",
              "are false", "false claim", "misinformation", "rumor", "rumour", "fact check",
              "fact-check", "no link", "no scientific", "not supported", "unfounded", "baseless",
              "incorrect", "wrong", "untrue", "no basis", "disproven", "debunked", "not the case")
_REPORT_ZH = ("网传", "流传", "据说", "有人说", "传言", "声称", "传闻", "说法", "一些人认为", "很多人认为",
              "有人认为", "坊间", "相传", "网上")
_REPORT_EN = ("claim that", "claims that", "claimed that", "some say", "it is said", "you may have heard",
              "people believe", "many believe", "some believe", "circulating", "posts say",
              "rumoured", "rumored", "alleged", "allegedly", "supposedly")
# Negated predicates only: warnings such as "千万不能吃" / "don't eat" are common in myth posts.
_NEG_ZH = re.compile(r"不会|并不|并非|不是|不可能|不致|没有(?:导致|引起|关系|关联|证据)")
_NEG_EN = re.compile(r"\b(?:does not|doesn't|do not cause|did not|didn't|is not|isn't|are not|"
                     r"aren't|cannot|can't|will not|won't|was not|wasn't|were not|weren't|never)\b",
                     re.IGNORECASE)
_QUESTION = re.compile(r"[?？]\s*$|吗[。？?]?\s*$|\b(?:is it true|does|do|can|is|are)\b.*\?$",
                       re.IGNORECASE)


def _has(text: str, cues: tuple[str, ...]) -> str:
    lower = text.lower()
    return next((cue for cue in cues if cue in lower), "")


def _negations(text: str) -> int:
    return len(_NEG_ZH.findall(text)) + len(_NEG_EN.findall(text))


def decide_stance(sentence: str, claim_text: str) -> Stance:
    """Stance of one sentence towards one claim it matched."""
    cue = _has(sentence, _REFUTE_ZH) or _has(sentence, _REFUTE_EN)
    if cue:
        return Stance("debunks", cue)
    if _QUESTION.search(sentence.strip()):
        return Stance("neutral", "question")
    cue = _has(sentence, _REPORT_ZH) or _has(sentence, _REPORT_EN)
    if cue:
        return Stance("neutral", cue)
    if (_negations(sentence) > 0) != (_negations(claim_text) > 0):
        return Stance("debunks", "negation")
    return Stance("asserts", "")


def post_stance(sentence_stances: list[str], title: str = "") -> str:
    """Aggregate sentence stances: any refutation makes the post a debunk (myth posts rarely
    refute their own myth); otherwise any assertion makes it assert."""
    if "debunks" in sentence_stances or (_has(title, _REFUTE_ZH) or _has(title, _REFUTE_EN)):
        return "debunks" if sentence_stances else "neutral"
    if "asserts" in sentence_stances:
        return "asserts"
    return "neutral"
