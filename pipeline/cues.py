"""The marks of pseudo-science in a post's wording, read by a fixed lexicon (zh and en).

Each cue family is a list of patterns; `read_cues` counts the hits per family and keeps the
strings that matched, so a detector flag can say which words drove it. The families are the
issue's list (miracle and cure-all claims, toxins, fake authority, "they are hiding it",
quantum/energy/frequency talk, fear plus a product, absolute promises, misused numbers, calls
to share) plus two that speak against a flag: debunk wording and the hedges of sober science.
How much each family counts is learned (`models.detector_training`), not set here. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_FAMILIES: dict[str, tuple[str, ...]] = {
    "miracle": (
        r"神奇", r"奇迹", r"神药", r"特效", r"包治百病", r"药到病除", r"立竿见影", r"秘方",
        r"偏方", r"[一二三七]天见效", r"根治", r"自愈", r"逆转衰老", r"年轻[十二三]+岁",
        r"\bmiracle", r"\bcure[sd]? (?:every|all|any)", r"\bcure-all", r"\bheals? (?:itself|naturally)",
        r"\bovernight\b", r"\bsecret (?:family[- ])?recipe", r"\bwonder\b", r"\bswears? by",
        r"\breverses? ageing", r"\byounger in a"),
    "detox": (
        r"排毒", r"毒素", r"宿便", r"湿气", r"寒气", r"清肠", r"体内垃圾", r"肠道垃圾", r"净化血液",
        r"病气", r"酸性体质", r"碱性体质", r"\bdetox", r"\btoxins?\b", r"\bcleans(?:e|ing)\b",
        r"\bflush(?:es)? out", r"\bacidic body", r"\bblockages?"),
    "fake_authority": (
        r"权威(?:机构|专家)", r"顶级实验室", r"国外(?:一[个项])?(?:研究|实验室)", r"内部人士",
        r"老(?:教授|中医|专家)", r"祖传", r"专家团队", r"从医[几二三四五]十年", r"王医生",
        r"\binsider\b", r"\ba top lab", r"\bretired professor", r"\bdoctors? (?:couldn't|can't) believe",
        r"\bour team discovered", r"\bheard it from a (?:nurse|doctor)"),
    "hidden_truth": (
        r"不会告诉你", r"不敢(?:报|说|让)", r"封锁", r"隐瞒", r"被删", r"压下来", r"不愿承认",
        r"药厂", r"蒙在鼓里", r"\bwill never tell you", r"\bwon't (?:tell|report)", r"\bhiding",
        r"\bburied\b", r"\bsuppress", r"\bbig pharma", r"\bmainstream media",
        r"\bbefore it gets deleted", r"\brefuses? to admit", r"\bno idea\b"),
    "quantum_energy": (
        r"量子", r"能量", r"频率", r"共振", r"磁场", r"负离子", r"太赫兹", r"经络", r"负能量",
        r"\bquantum", r"\benergy (?:water|field)", r"\bfrequenc", r"\bresonan", r"\bvibration",
        r"\bmagnetic field", r"\bnegative[- ](?:ion|energy)", r"\bmeridians?", r"\bterahertz"),
    "product": (
        r"扫码", r"下单", r"名额有限", r"先到先得", r"赠送|还送|免费送", r"抢购", r"卖断货",
        r"理疗(?:贴|仪)", r"\border (?:today|now)", r"\blimited stock", r"\bfree (?:gift|patch)",
        r"\bselling out", r"\bbuy (?:our|one|now)", r"\bscan the code"),
    "absolute": (
        r"百分之百", r"100%", r"彻底", r"永不", r"从此不", r"绝不会?", r"保证", r"没有任何副作用",
        r"全部", r"所有(?:病|疾病|病毒)", r"一辈子", r"\bguarantee", r"\bzero side effects",
        r"\bnever (?:again|get sick)", r"\bevery (?:disease|illness|virus|cell)", r"\bfor good\b",
        r"\bforever\b", r"\bcompletely\b", r"\b100 ?%"),
    "fear": (
        r"震惊", r"可怕", r"当场", r"致命", r"会死", r"毙命", r"中毒", r"\bshocking", r"\bdeadl(?:y|ier)",
        r"\bon the spot", r"\bpoison"),
    "numbers": (
        r"99%的人", r"\d+%的人", r"[十百千]倍", r"(?:降低|减少|提高|提升)了?(?:\d+%|百分之[一二三四五六七八九十百]+|[一二三四五六七八九]成)",
        r"减半", r"\b99% of people", r"\bten times", r"\bin half\b", r"\b\d+ years younger",
        r"\b(?:improves?|cuts?|reduces?|lowers?|raises?) (?:\w+ )?by (?:over )?\d+ ?(?:%|per ?cent)",
        r"\b\d+ per ?cent less"),
    "share": (
        r"转发", r"转给", r"扩散", r"功德无量", r"分享给", r"点个在看", r"\bshare (?:this|before)",
        r"\bforward (?:this|it)", r"\bsend (?:it|this) to", r"\blike and share"),
    "debunk": (
        r"谣言", r"辟谣", r"不实", r"(?:没有|缺乏)(?:任何)?(?:科学)?(?:依据|证据)", r"误解", r"假的",
        r"不是真的", r"伪科学", r"别信", r"\bmyths?\b", r"\bfalse\b", r"\bdebunk", r"\bfact[- ]check",
        r"\bno (?:reliable |scientific )?evidence", r"\bmisconception", r"\bnot true\b",
        r"\bhoax\b", r"\bdon't believe"),
    "sober": (
        r"咨询(?:医生|专业)", r"就医", r"就诊", r"医生的?指导", r"个体差异", r"研究人员", r"参考资料",
        r"指南", r"期刊", r"需要更多研究", r"\bconsult", r"\bguidelines?\b", r"\bsee a (?:qualified )?doctor",
        r"\bpeer-reviewed", r"\bresearchers?\b", r"\bstud(?:y|ies) (?:found|published)",
        r"\bmore (?:work|research) is needed"),
}
CUE_FAMILIES: tuple[str, ...] = tuple(_FAMILIES)
# Families that speak for a flag: only these are named in a flag's reason.
PRO_FAMILIES: tuple[str, ...] = CUE_FAMILIES[:-2]
_COMPILED = {name: re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
             for name, patterns in _FAMILIES.items()}


@dataclass(frozen=True)
class CueReading:
    """Hits per family (in CUE_FAMILIES order) and the matched strings, by family."""

    counts: tuple[int, ...]
    matched: dict[str, tuple[str, ...]]

    def features(self) -> np.ndarray:
        """log(1 + hits) per family: a second hit adds less than the first."""
        return np.log1p(np.asarray(self.counts, dtype=np.float32))


def read_cues(text: str) -> CueReading:
    """Count each family's hits in `text` (title and body together)."""
    matched = {name: tuple(m.group(0) for m in pattern.finditer(text))
               for name, pattern in _COMPILED.items()}
    return CueReading(tuple(len(matched[name]) for name in CUE_FAMILIES),
                      {name: hits for name, hits in matched.items() if hits})


def cue_matrix(texts: Sequence[str]) -> np.ndarray:
    """(len(texts), len(CUE_FAMILIES)) features of many texts."""
    if not texts:
        return np.zeros((0, len(CUE_FAMILIES)), dtype=np.float32)
    return np.stack([read_cues(t).features() for t in texts])
