"""Author handles pseudonymised with a keyed hash (pure): stable across weeks for one key,
not reversible without it, and never the handle itself in a report."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable


def pseudonym(handle: str, key: bytes) -> str:
    """`user-` and 10 hex digits of HMAC-SHA256(key, handle); empty handles stay anonymous."""
    handle = handle.strip()
    if not handle:
        return "—"
    digest = hmac.new(key, handle.casefold().encode("utf-8"), hashlib.sha256).hexdigest()
    return f"user-{digest[:10]}"


def pseudonymiser(key: bytes) -> Callable[[str], str]:
    """A one-argument function for callers that should not see the key."""
    if len(key) < 16:
        raise ValueError("pseudonym key must be at least 16 bytes")
    return lambda handle: pseudonym(handle, key)
