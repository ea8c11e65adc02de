"""Training examples the claims base alone can give, before any expert decision exists.

Myth and half-truth claims are positives; true claims and the explanations that refute myths are
negatives (so refuting language is not mistaken for pseudo-science).
"""

from __future__ import annotations

from collections.abc import Sequence

from common.records import Claim


def examples_from_claims(claims: Sequence[Claim]) -> tuple[list[str], list[int]]:
    texts: list[str] = []
    labels: list[int] = []
    for claim in claims:
        texts.append(claim.text)
        labels.append(1 if claim.verdict in ("false", "misleading") else 0)
        texts.append(claim.explanation)
        labels.append(0)
    return texts, labels
