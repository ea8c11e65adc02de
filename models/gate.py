"""The promotion gate: a candidate replaces the current model only if it is clearly better.

Both models are scored on the same frozen evaluation sets (the datasets' test splits); the
candidate must beat the current model's `macro_f1_mean` by at least the configured margin.
"""

from __future__ import annotations

from dataclasses import dataclass

GATE_METRIC = "macro_f1_mean"


@dataclass(frozen=True)
class GateVerdict:
    """Whether promotion is allowed, and the sentence that says why."""

    allowed: bool
    reason: str


def promotion_verdict(candidate: str, candidate_score: float, current: str | None,
                      current_score: float | None, margin: float,
                      metric: str = GATE_METRIC) -> GateVerdict:
    """Allow promotion when there is no current model or the candidate beats it by `margin`."""
    if current is None or current_score is None:
        return GateVerdict(True, f"no current model; {candidate} {metric}={candidate_score:.4f}")
    needed = current_score + margin
    if candidate_score >= needed:
        return GateVerdict(True, f"{candidate} {metric}={candidate_score:.4f} beats {current} "
                                 f"{current_score:.4f} by at least the margin {margin:.4f}")
    return GateVerdict(False, f"promotion of {candidate} refused: {metric} on the frozen test "
                              f"sets is {candidate_score:.4f}, current {current} has "
                              f"{current_score:.4f}; needs >= {needed:.4f} (margin {margin:.4f})")


FLAG_GATE_KINDS = ("science", "offtopic")


def flag_gate_verdict(candidate: str, rates: dict[str, float], limit: float) -> GateVerdict:
    """Allow promotion only if the candidate, acting alone on the development posts (no claim
    match needed), flags each of accurate science and off-topic posts at most at `limit`:
    a head that flags off-topic posts must never be promoted to act alone."""
    shown = ", ".join(f"{kind} {rates.get(f'{kind} flagged', 0.0):.3f}" for kind in FLAG_GATE_KINDS)
    over = [kind for kind in FLAG_GATE_KINDS if rates.get(f"{kind} flagged", 0.0) > limit]
    if over:
        return GateVerdict(False, f"promotion of {candidate} refused: acting alone it flags "
                                  f"{shown} of the development posts; each must be <= "
                                  f"{limit:.3f} (settings.promotion_flag_limit)")
    return GateVerdict(True, f"acting alone it flags {shown} of the development posts "
                             f"(limit {limit:.3f})")
