"""Expert review decisions as training examples, split by decision time like the public sets.

Verdicts that mark the post as unscientific (pseudoscience, harmful_advice, unsupported) are
positives; accurate, not_science, oversimplified and outdated are negatives (they are reviewed
problems, but not the pseudo-science this head flags). Plain 0/1 or fake/real labels pass through.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from models.datasets import Example, time_split
from pipeline.language import detect_lang

DATASET = "expert-decisions"
POSITIVE = {"1", "true", "fake", "pseudoscience", "harmful_advice", "unsupported"}
NEGATIVE = {"0", "false", "real", "accurate", "not_science", "oversimplified", "outdated"}


def label_of(value: object) -> int | None:
    """1, 0, or None for a label this head does not learn from."""
    key = str(value).strip().lower()
    return 1 if key in POSITIVE else 0 if key in NEGATIVE else None


def expert_examples_from_rows(rows: Iterable[tuple[str, str, object, str, object]]
                              ) -> list[Example]:
    """Rows of (post_id, text, label, source, decided_at) -> time-split examples."""
    out = []
    for _post_id, text, label, _source, decided_at in rows:
        value = label_of(label)
        if value is None or not (text or "").strip():
            continue
        when = decided_at if isinstance(decided_at, datetime) else None
        out.append(Example(text.strip(), value, detect_lang(text), "", DATASET, when, "expert"))
    return time_split(out)
