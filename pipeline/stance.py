"""Does a post assert a claim, refute it, or only mention or ask about it?

A rule-based baseline (zh and en) built on three kinds of evidence, strongest first:
explicit refutation words ("谣言", "myth"), reported speech or questions (mentions; a rhetorical
question asserts), and a negated
predicate that the claim lacks (weak: warnings such as "千万不能吃" are common in myth posts).
`pipeline.stance_model` builds a trained post stance on top of these cues. Pure functions only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from common.records import Stance, post_text

_REFUTE_ZH = ("谣言", "辟谣", "不实", "误区", "伪科学", "没有科学依据", "缺乏科学依据", "没有证据", "正确答案",
              "缺乏证据", "站不住脚", "不靠谱", "纯属", "是错误的", "说法错误", "并不", "并非", "假的",
              "误解", "毫无根据", "没有根据", "不成立", "被证伪", "夸大其词", "不能治", "治不了",
              "没有任何可靠", "不符合事实", "骗局")
_REFUTE_EN = ("myth", "debunk", "no evidence", "not true", "misconception", "hoax", "is false",
              "are false", "false claim", "misinformation", "rumor", "rumour", "fact check",
              "fact-check", "no link", "no scientific", "not supported", "unfounded", "baseless",
              "incorrect", "untrue", "no basis", "disproven", "debunked", "not the case",
              "falls apart", "no reliable", "is wrong", "are wrong", "correct answer")
# Words that mark a whole article as a refutation when it mentions a myth anywhere.
_FRAMING = ("谣言", "辟谣", "伪科学", "没有科学依据", "缺乏科学依据", "不实", "误区", "骗局",
            "myth", "debunk", "misconception", "hoax", "misinformation", "fact check", "fact-check",
            "no evidence", "not supported by", "no scientific", "is wrong", "are wrong",
            "是错误的", "说法错误")
_REPORT_ZH = ("网传", "流传", "据说", "有人说", "传言", "声称", "传闻", "说法", "一些人认为", "很多人认为",
              "有人认为", "坊间", "相传", "网上", "刷屏", "问我", "常听人说", "老话说", "人们常说",
              "你可能听过", "你也许听过", "常被问到")
_REPORT_EN = ("claim that", "claims that", "claimed that", "claiming that", "claiming", "some say",
              "it is said", "you may have heard", "people believe", "many believe", "some believe",
              "belief that", "idea that", "notion that", "circulating", "posts say", "rumoured",
              "rumored", "alleged", "allegedly", "supposedly", "warns that", "making the rounds",
              "believe that", "holds that", "argue that", "argues that", "argument that",
              "insist that", "insists that", "chain email", "chain message", "does the rounds",
              "doing the rounds", "quiz answer", "you've probably heard", "you might have heard",
              "we've all heard", "often said", "often claimed", "widely believed", "popular belief",
              "common belief", "old wives")
# Negated predicates only: a warning ("千万别吃", "don't eat") is not a refutation.
_NEG_ZH = re.compile(r"不会|并不|并非|不是|不可能|不致|无关|没有(?:明确|直接|任何)?(?:导致|引起|关系|关联|联系|证据)")
_NEG_EN = re.compile(r"\b(?:does not|doesn't|do not cause|did not|didn't|is not|isn't|are not|"
                     r"aren't|cannot|can't|was not|wasn't|were not|weren't|never|not because)\b",
                     re.IGNORECASE)
_QUESTION = re.compile(r"[?？]\s*$|吗[。？?]?\s*$")
# Rhetorical questions assert ("最后还不是都拉去填埋？", "Why else would they hide it?"); a
# negated yes/no question expects "yes" ("这不是常识吗？", "气温能不升吗？"), but "不是说…吗" and
# "不是很多人以为…吗" report what others say. An answer of "no" outweighs both.
_RHETORICAL = re.compile(r"还不是|难道|不就是|岂不是|还不说明|在哪儿?呢|不是(?!说|都说|有人说|讲)(?:(?!以为|认为|觉得|听说|传).){0,24}吗|"
                         r"能不.{1,6}吗|还不.{1,10}吗|\bwhy else\b|"
                         r"\bisn't it obvious\b|\bwhat more proof\b|\breally a coincidence\b|"
                         r"\bdoesn't that (?:tell|prove|say)\b|\bisn't that proof\b",
                         re.IGNORECASE)
_NO_ANSWER = re.compile(r"^\s*(?:no[.!,]|not at all|unfortunately not|nope|不能[。！，]|不会[。！，]|"
                        r"不是[。！，]|没有[。！，]|当然不)", re.IGNORECASE)

# What follows a question answers it: "…是真的吗？还真是！" asserts, "Is it true…? No." refutes.
_YES_AFTER = re.compile(r"\b(?:yes|yep)\b|"
                        r"(?<![不没])(?:是的|是真的|还真是|确实是|没错|答案是肯定的)",
                        re.IGNORECASE)
_NO_AFTER = re.compile(r"(?:(?:short |the )?answer(?: is)?[:：]?\s*)?(?:no\b|nope\b|not at all\b)|"
                       r"(?:答[:：]\s*)?(?:不是|不会[。！，]|不能[。！，]|当然不|答案是否定的)",
                       re.IGNORECASE)
# The answer is the first sentence after the question, with its end mark ("还真是！").
_ANSWER_END = re.compile(r"(?<=[。！？!?])|(?<=[.])\s")

NEGATION = "negation"


def _has(text: str, cues: tuple[str, ...]) -> str:
    lower = text.lower()
    return next((cue for cue in cues if cue in lower), "")


def _negated(text: str) -> bool:
    return bool(_NEG_ZH.search(text) or _NEG_EN.search(text))


def decide_stance(sentence: str, claim_text: str, following: str = "") -> Stance:
    """Stance of one sentence towards one claim it matched; `following` is the post's text right
    after the sentence (it may answer a question)."""
    cue = _has(sentence, _REFUTE_ZH) or _has(sentence, _REFUTE_EN)
    if cue:
        return Stance("debunks", cue)
    if _QUESTION.search(sentence.strip()):
        answer = _ANSWER_END.split(following.lstrip(" \t\n\"'“”‘’"), maxsplit=1)[0]
        if _NO_AFTER.match(answer):
            return Stance("debunks", "question answered no")
        if _RHETORICAL.search(sentence):
            return Stance("asserts", "rhetorical question")
        if len(answer) <= 40 and _YES_AFTER.search(answer):
            return Stance("asserts", "question answered yes")
        return Stance("neutral", "question")
    cue = _has(sentence, _REPORT_ZH) or _has(sentence, _REPORT_EN)
    if cue:
        return Stance("neutral", cue)
    if _negated(sentence) and not _negated(claim_text):
        return Stance("debunks", NEGATION)
    return Stance("asserts", "")


def text_after(sentence: str, title: str, text: str, span: int = 80) -> str:
    """Up to `span` characters of the post that follow `sentence` (empty when not found)."""
    whole = post_text(title, text)
    at = whole.find(sentence)
    return whole[at + len(sentence):at + len(sentence) + span] if at >= 0 else ""


def has_framing(title: str, text: str) -> bool:
    """Refutation framing anywhere in the post ("辟谣", "myth", "no evidence")."""
    return bool(_has(f"{title}\n{text}", _FRAMING))


def is_no_answer(title: str, text: str) -> bool:
    """A Q&A whose title asks and whose text opens with "No." / "不会。"."""
    return bool(_QUESTION.search(title.strip()) and _NO_ANSWER.match(text))


def post_stance(stances: Sequence[Stance], weights: Sequence[float] = (), title: str = "",
                text: str = "") -> str:
    """Aggregate sentence stances into the post's stance.

    An explicit refutation, refutation framing anywhere in the post, or a Q&A that answers its
    question with "No." makes a debunk; otherwise negation-only refutations and assertions are
    weighed (by similarity) against each other.
    """
    if not stances:
        return "neutral"
    weights = list(weights) or [1.0] * len(stances)
    if any(s.label == "debunks" and s.cue != NEGATION for s in stances):
        return "debunks"
    if has_framing(title, text) or is_no_answer(title, text):
        return "debunks"
    asserted = sum(w for s, w in zip(stances, weights, strict=True) if s.label == "asserts")
    refuted = sum(w for s, w in zip(stances, weights, strict=True) if s.label == "debunks")
    if refuted > asserted:
        return "debunks"
    return "asserts" if asserted > 0 else "neutral"
