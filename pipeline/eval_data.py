"""Readers for the public evaluation sets (files under the datasets directory), pure parsing.

Each reader names the split it reads; callers tune on train/dev and report on test only.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from common.errors import InputError
from pipeline.jsonlines import parse_json_lines

CLEF = "clef2020-claim-retrieval"
CLEF_SPLITS = {"train": "data/v3.0/train", "dev": "data/v3.0/dev", "test": "test-input"}


@dataclass(frozen=True)
class RetrievalSet:
    documents: list[tuple[str, str]]
    queries: list[tuple[str, str]]
    qrels: dict[str, set[str]]


def _require(path: Path) -> Path:
    if not path.exists():
        raise InputError(str(path), "dataset file not found (set KEPU_DATASETS_DIR)")
    return path


def read_clef2020(datasets_dir: Path, split: str) -> RetrievalSet:
    """Verified claims (vclaim + title) and the split's tweets with their qrels."""
    root = datasets_dir / CLEF
    if split not in CLEF_SPLITS:
        raise InputError("--split", f"expected one of {', '.join(CLEF_SPLITS)}, got {split!r}")
    csv.field_size_limit(10_000_000)
    with _require(root / "data/v3.0/verified_claims.docs.tsv").open(encoding="utf-8") as f:
        rows = csv.reader(f, delimiter="\t")
        next(rows, None)  # header: (id), vclaim, title
        documents = [(r[0].strip(), f"{r[1]} {r[2] if len(r) > 2 else ''}".strip())
                     for r in rows if len(r) >= 2 and r[0].strip().isdigit()]
    if not documents:
        raise InputError(str(root / "data/v3.0/verified_claims.docs.tsv"), "no verified claims read")
    folder = root / CLEF_SPLITS[split]
    queries = []
    with _require(folder / "tweets.queries.tsv").open(encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if row and row[0].strip().isdigit():
                queries.append((row[0].strip(), row[1]))
    qrels: dict[str, set[str]] = {}
    for line in _require(folder / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[3] != "0":
            qrels.setdefault(parts[0], set()).add(parts[2])
    return RetrievalSet(documents, queries, qrels)


@dataclass(frozen=True)
class StancePair:
    claim: str
    evidence: str
    label: str  # supports | refutes | neutral


def read_healthver(datasets_dir: Path, split: str) -> list[StancePair]:
    path = _require(datasets_dir / "healthver" / "data" / f"healthver_{split}.csv")
    mapping = {"Supports": "supports", "Refutes": "refutes", "Neutral": "neutral"}
    with path.open(encoding="utf-8") as f:
        return [StancePair(r["claim"], r["evidence"], mapping[r["label"]])
                for r in csv.DictReader(f) if r.get("label") in mapping]


def read_climate_fever(datasets_dir: Path) -> list[StancePair]:
    path = _require(datasets_dir / "climate-fever" / "dataset" / "climate-fever.jsonl")
    mapping = {"SUPPORTS": "supports", "REFUTES": "refutes", "NOT_ENOUGH_INFO": "neutral"}
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for ev in row.get("evidences", []):
            if ev.get("evidence_label") in mapping:
                pairs.append(StancePair(row["claim"], ev["evidence"], mapping[ev["evidence_label"]]))
    return pairs


def read_fullfact_checkworthy(datasets_dir: Path) -> list[tuple[str, bool]]:
    """Full Fact health claims: (sentence, worth checking) with "may be worth" counted as worth;
    deduplicated by text."""
    path = _require(datasets_dir / "fullfact-health-claims" / "src" / "health_misinfo_shared"
                    / "full_in_context_labelled_data.csv")
    seen, rows = set(), []
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            text = r["output_text"].strip()
            if text and text not in seen:
                seen.add(text)
                rows.append((text, r["summary"].strip() != "not worth checking"))
    return rows


def split_of(key: str, test_share: float = 0.2) -> str:
    """A stable train/test split for sets published without one (by a hash of the claim)."""
    digest = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16)
    return "test" if digest / 0xFFFFFFFF < test_share else "train"


def read_climate_fever_split(datasets_dir: Path, split: str) -> list[StancePair]:
    """climate-fever has no official split: 80/20 by claim, so one claim's pairs never straddle."""
    return [p for p in read_climate_fever(datasets_dir) if split_of(p.claim) == split]


def read_check_covid(datasets_dir: Path, split: str) -> list[StancePair]:
    """Check-COVID news claims with their evidence sentences from the abstracts (one pair per
    claim; evidence sentences joined); not-enough-info claims get the abstract's first sentences."""
    root = datasets_dir / "check-covid" / "Check-COVID"
    corpus_path = _require(root / "corpus.json")
    corpus = {row["cord_id"]: row["abstract"] for _, row in
              parse_json_lines(corpus_path.read_text(encoding="utf-8"), str(corpus_path))}
    names = {"train": "train/covidCheck_train_composed+extracted.json",
             "dev": "dev/covidCheck_dev_composed+extracted.json",
             "test": "test/covidCheck_test_composed.json"}
    if split not in names:
        raise InputError("split", f"expected one of {', '.join(names)}, got {split!r}")
    mapping = {"SUPPORT": "supports", "REFUTE": "refutes", "NOTENOUGHINFO": "neutral"}
    pairs, path = [], _require(root / names[split])
    for _, row in parse_json_lines(path.read_text(encoding="utf-8"), str(path)):
        abstract = corpus.get(row.get("cord_id"), [])
        if row.get("label") not in mapping or not abstract:
            continue
        indices = [e["sent_index"] for e in row.get("evidence_set") or []
                   if isinstance(e, dict) and 0 <= e.get("sent_index", -1) < len(abstract)]
        evidence = " ".join(abstract[i] for i in indices) or " ".join(abstract[:2])
        pairs.append(StancePair(row["claim"].strip(), evidence, mapping[row["label"]]))
    return pairs


def read_covidfact(datasets_dir: Path, split: str) -> list[StancePair]:
    """COVID-Fact: Reddit claims and their automatically negated counter-claims, each with the
    evidence sentences retrieved for the original (joined). No neutral class and no official
    split: 80/20 by the claim's source link, so a claim and its counter-claims never straddle."""
    path = _require(datasets_dir / "covidfact" / "COVIDFACT_dataset.jsonl")
    mapping = {"SUPPORTED": "supports", "REFUTED": "refutes"}
    pairs = []
    for _, row in parse_json_lines(path.read_text(encoding="utf-8"), str(path)):
        evidence = " ".join(row.get("evidence") or [])
        if row.get("label") in mapping and evidence and split_of(row.get("gold_source", "")) == split:
            pairs.append(StancePair(row["claim"].strip(), evidence, mapping[row["label"]]))
    return pairs


def clef2020_claim_rows(datasets_dir: Path) -> list[dict[str, object]]:
    """CLEF 2020's verified claims as rows of the claims-file format, as a user would import
    them: the claim as written, the fact-check's headline as its explanation. CLEF gives no
    verdict and no field, so those are placeholders ("false", "health"): only match figures
    are read from this base."""
    return [{"id": f"clef-{doc_id}", "text": vclaim, "lang": "en", "verdict": "false",
             "topic": "health", "explanation": title or vclaim,
             "source": f"Snopes, via CLEF-2020 CheckThat! task 2 (verified claim {doc_id})"}
            for doc_id, vclaim, title in _clef_claims(datasets_dir)]


def _clef_claims(datasets_dir: Path) -> list[tuple[str, str, str]]:
    path = _require(datasets_dir / CLEF / "data/v3.0/verified_claims.docs.tsv")
    csv.field_size_limit(10_000_000)
    with path.open(encoding="utf-8") as f:
        rows = csv.reader(f, delimiter="\t")
        next(rows, None)
        return [(r[0].strip(), r[1].strip(), r[2].strip() if len(r) > 2 else "")
                for r in rows if len(r) >= 2 and r[0].strip().isdigit() and r[1].strip()]


def clef2020_post_rows(datasets_dir: Path, split: str) -> list[dict[str, object]]:
    """A split's tweets as rows of `kepu flag`'s posts format, each with the ids of the claims
    its qrels pair it with (as `clef2020_claim_rows` names them); no label: CLEF does not say
    whether a tweet asserts or refutes."""
    data = read_clef2020(datasets_dir, split)
    return [{"id": f"tweet-{qid}", "text": text, "lang": "en",
             "claim_ids": sorted(f"clef-{c}" for c in data.qrels.get(qid, ()))}
            for qid, text in data.queries if text.strip()]
