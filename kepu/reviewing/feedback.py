"""Final review outcomes flow back: confirmed pseudo-science into the claims base (a new claim
version) and a positive training example; `accurate` as a labelled negative. A flag the
pseudo-science detector raised alone teaches through `models.detector_feedback`: a confirmed one
becomes a new claim with the post's wording as a variant, so the base grows where it lagged."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from common.records import TOPICS, Claim, Post, post_text
from models.detector_feedback import feedback_from_verdict
from review_queue.rules import CONFIRMED_PSEUDOSCIENCE
from store import Database
from store import review as store
from store.claims import save_claims


def feed_back(db: Database) -> int:
    """Confirmed pseudo-science -> claims base (new version) + positive example; accurate -> a
    labelled false positive. Each outcome once."""
    done = 0
    for row in store.outcomes_to_feed_back(db):
        claim = None
        example = None
        if row["basis"] == "detector":
            claim, example = _from_detector_flag(db, row)
        elif row["verdict"] in CONFIRMED_PSEUDOSCIENCE:
            claim = _claim_from_review(db, row)
            example = _example(row, 1, "confirmed")
        elif row["verdict"] == "accurate":
            flagged = row["origin"] != "active_learning"
            example = _example(row, 0, "false_positive" if flagged else "accurate")
        store.save_feedback(db, row["task_id"], claim, example)
        done += 1
    return done


def _from_detector_flag(db: Database, row: dict[str, Any]
                        ) -> tuple[tuple[str, int] | None, dict[str, Any] | None]:
    """A verdict on a detector flag: the new claim it confirms (the reviewers' own wording of
    it when they wrote one, the post kept as a variant) and the training example."""
    post = Post(row["post_id"], row["text"], row["title"] or "", row["lang"] or "")
    panel = row["panel"] if row["panel"] in TOPICS else "health"
    found = feedback_from_verdict(post, row["task_id"], row["verdict"], panel,
                                  row["rationale"] or "")
    claim = None
    if found.claim is not None:
        new = found.claim
        if row["claim_text"]:
            new = replace(new, text=row["claim_text"],
                          variants=with_variant(new.variants, new.text, row["claim_text"]))
        save_claims(db, [new], actor="review")
        claim = (new.id, int(db.scalar("SELECT max(version) FROM claims WHERE id = ?", [new.id])))
    example = None
    if found.example is not None:
        kind = "confirmed" if found.example.label == 1 else "false_positive"
        example = _example(row, found.example.label, kind)
    return claim, example


def _example(row: dict[str, Any], label: int, kind: str) -> dict[str, Any]:
    text = post_text(row["title"], row["text"])
    source = "active_learning" if row["origin"] == "active_learning" else "review"
    return {"post_id": row["post_id"], "text": text, "lang": row["lang"], "label": label,
            "verdict": row["verdict"], "kind": kind, "source": source,
            "decided_at": row["decided_at"]}


MAX_VARIANTS = 24


def with_variant(variants: tuple[str, ...], sentence: str, claim_text: str) -> tuple[str, ...]:
    """The claim's variants plus a sentence experts confirmed asserts it (how the myth really
    circulates), so that the next post worded like it is matched; the oldest go past
    MAX_VARIANTS."""
    sentence = " ".join(sentence.split())
    if not sentence or sentence == claim_text or sentence in variants:
        return variants
    return (*variants, sentence)[-MAX_VARIANTS:]


def _claim_from_review(db: Database, row: dict[str, Any]) -> tuple[str, int]:
    """Update the claim the post asserted, or add the claim the reviewers wrote down."""
    source = f"review:{row['task_id']} " + "; ".join(dict.fromkeys(row["refs"] or []))
    rationale = (row["rationale"] or "").strip() or "confirmed by expert review"
    known = store.asserted_claim(db, row["post_id"])
    if known and not row["claim_text"]:
        claim = Claim(known["id"], known["text"], known["lang"], "false", known["topic"],
                      rationale, source.strip(),
                      variants=with_variant(tuple(known["variants"] or ()),
                                            known["asserted_sentence"], known["text"]),
                      group=known["claim_group"] or "")
    else:
        text = row["claim_text"] or row["title"] or row["text"][:200]
        claim_id = "rv-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
        claim = Claim(claim_id, text, row["lang"] or "zh", "false", row["panel"], rationale,
                      source.strip())
    save_claims(db, [claim], actor="review")
    version = db.scalar("SELECT max(version) FROM claims WHERE id = ?", [claim.id])
    return claim.id, int(version)


