"""How worth checking is a sentence? A transparent cue-based score in [0, 1] (zh and en).

Check-worthy sentences make factual, usually causal or quantitative, health and science claims
("X cures Y", "X causes cancer", "reduces risk by 40%"); opinions, questions and chit-chat are not.
Evaluated on Full Fact's labelled health claims with `kepu eval checkworthy`, next to the trained
`CheckworthyHead` (`kepu train-checkworthy`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.model_files import read_model, write_model

_CAUSAL_EN = re.compile(
    r"\b(cause[sd]?|causing|cure[sd]?|curing|prevent(s|ed)?|treat(s|ed)?|heal(s|ed)?|kill(s|ed)?|"
    r"reduce[sd]?|lower(s|ed)?|increase[sd]?|raise[sd]?|boost(s|ed)?|protect(s|ed)?|"
    r"lead(s)? to|linked to|associated with|risk|effective|proven|shown to|toxic|poison(ous)?|"
    r"detox|immun\w*|cancer|vaccin\w*|virus(es)?|infect\w*|disease|symptom\w*|dose|studies|"
    r"study|research|scientists?|doctors?)\b", re.IGNORECASE)
_CAUSAL_ZH = re.compile(r"致癌|导致|引起|治疗|治愈|根治|治好|预防|降低|升高|提高|增强|杀死|杀灭|排毒|"
                        r"有毒|中毒|风险|有效|证明|研究|疫苗|病毒|感染|癌|疾病|症状|剂量|专家|医生|辐射")
_NUMBER = re.compile(r"\d|百分之|[一二三四五六七八九十百千万]+(倍|成)")
_OPINION = re.compile(r"\b(I think|I believe|I feel|in my opinion|we have to|let's|you should "
                      r"try|I love|I hate|welcome|subscribe|thanks? (you )?for)\b|我觉得|我认为|欢迎|关注",
                      re.IGNORECASE)
_QUESTION = re.compile(r"[?？]\s*$|吗[。？]?\s*$")


def checkworthiness(sentence: str) -> float:
    """0..1: causal/health vocabulary and numbers raise it; opinions and questions lower it."""
    text = sentence.strip()
    cues = len(_CAUSAL_EN.findall(text)) + len(_CAUSAL_ZH.findall(text))
    score = 0.15 + min(cues, 3) * 0.2 + (0.15 if _NUMBER.search(text) else 0.0)
    if _OPINION.search(text):
        score -= 0.3
    if _QUESTION.search(text):
        score -= 0.3
    return max(0.0, min(1.0, score))


@dataclass(frozen=True)
class CheckworthyHead:
    """A trained check-worthiness scorer: logistic regression on the sentence embedding the
    flagger already computes, so scoring costs no extra encoding. Fitted on Full Fact's labelled
    health claims (English); the multilingual embedding carries it to Chinese untested."""

    weights: np.ndarray   # (dim,)
    bias: float
    embedder: str
    version: str

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        z = np.asarray(vectors, dtype=np.float32) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))

    def save(self, directory: Path, card: dict[str, object]) -> Path:
        return write_model(directory, "checkworthy.safetensors",
                           {"weights": self.weights, "bias": np.asarray([self.bias])},
                           {**card, "embedder": self.embedder, "version": self.version})

    @classmethod
    def load(cls, directory: Path) -> CheckworthyHead:
        card, tensors = read_model(directory, "checkworthy.safetensors",
                                   "check-worthiness head")
        return cls(tensors["weights"], float(tensors["bias"][0]), str(card["embedder"]),
                   str(card["version"]))
