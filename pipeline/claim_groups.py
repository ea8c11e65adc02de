"""Claims that say the same thing: one myth, however many records a base holds for it.

Fact-checkers' bases repeat themselves: CLEF 2020's 10,375 verified claims hold 185 that differ
from another only by quote marks, case or punctuation. Treated as rivals, such twins cancel each
other's margin, and a post matched to one is counted as missing the other. A claim's *match key*
is its group when it has one, else its id; claims of one language whose texts are equal once
normalised share a key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from common.records import Claim

_NOT_WORD = re.compile(r"[\W_]+")


def text_key(text: str) -> str:
    """A claim text with Unicode forms, case, punctuation and spacing normalised away."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def match_key(claim: Claim) -> str:
    """What a claim is matched as: its group, or itself."""
    return claim.group or claim.id


def group_repeated_texts(claims: Sequence[Claim], stored: Sequence[Claim] = ()
                         ) -> tuple[list[Claim], list[Claim]]:
    """`claims` with a group given to each ungrouped claim whose text repeats another's (same
    language, among `claims` and the `stored` ones), and the stored claims that gain a group by
    it. The group is that of a member that has one, else the id of the first member (stored
    claims first), so that the weekly report counts the twins as one myth too."""
    incoming = {c.id for c in claims}
    kept = [c for c in stored if c.id not in incoming]  # a re-imported claim's old text is gone
    members: dict[tuple[str, str], list[Claim]] = {}
    for claim in [*kept, *claims]:
        members.setdefault((claim.lang, text_key(claim.text)), []).append(claim)
    names: dict[tuple[str, str], str] = {}
    for key, same in members.items():
        if len({c.id for c in same}) > 1:
            given = [c.group for c in same if c.group]
            names[key] = given[0] if given else same[0].id

    def grouped(claim: Claim) -> Claim:
        name = names.get((claim.lang, text_key(claim.text)))
        return replace(claim, group=name) if name and not claim.group else claim

    return [grouped(c) for c in claims], [g for c in kept if (g := grouped(c)) != c]


def match_keys(claims: Sequence[Claim]) -> dict[str, str]:
    """{claim id: match key} once repeated texts are grouped, as `kepu claims import` stores them."""
    grouped, _ = group_repeated_texts(claims)
    return {c.id: match_key(c) for c in grouped}
