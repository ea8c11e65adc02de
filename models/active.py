"""Active learning: send the posts the classifier is least sure about to the experts.

Pure policy: given (post id, probability) pairs of unflagged posts, pick the most uncertain
share. The review queue decides how these mix with flagged posts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def uncertainty(prob: float) -> float:
    """1 at p = 0.5, 0 at p = 0 or 1."""
    return 1.0 - abs(2.0 * prob - 1.0)


def most_uncertain(posts_with_probs: Sequence[tuple[str, float]], share: float,
                   limit: int | None = None) -> list[str]:
    """Ids of the ceil(share * n) most uncertain posts (at most `limit`), most uncertain first.

    Ties keep input order, so the choice is deterministic.
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be within [0, 1], got {share}")
    count = math.ceil(share * len(posts_with_probs))
    if limit is not None:
        count = min(count, limit)
    ranked = sorted(enumerate(posts_with_probs), key=lambda item: (-uncertainty(item[1][1]),
                                                                    item[0]))
    return [post_id for _, (post_id, _) in ranked[:count]]


def select_for_review(pool: Sequence[tuple[str, float]], share: float, already: int = 0
                      ) -> list[str]:
    """The most uncertain posts of `pool` to add, so that active-learning tasks make up `share`
    of all unflagged scored posts (`pool` plus the `already` queued by earlier runs).

    Counting the earlier picks keeps re-runs from draining the pool: a second push adds nothing
    until new posts are scored.
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be within [0, 1], got {share}")
    quota = max(0, math.ceil(round(share * (len(pool) + already), 9)) - already)
    return most_uncertain(pool, 1.0, limit=quota)
