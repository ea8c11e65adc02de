"""Sparklines for table cells: a few weekly counts as an inline SVG column chart (pure).

Inline SVG prints sharply, needs no script and no fetch (the page's CSP allows neither), and
keeps a trend to one line of a table cell. Built from numbers only; the one piece of text (the
counts, for screen readers and as a tooltip) is escaped all the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from common.errors import InputError

BAR = "#9ecae1"
LAST = "#de2d26"
BASE = "#999"


def _counts(values: Sequence[float]) -> list[float]:
    out = [float(v) for v in values]
    if any(not math.isfinite(v) or v < 0 for v in out):
        raise InputError("sparkline", f"expected non-negative finite counts, got {list(values)}")
    return out


def sparkline_svg(values: Sequence[float], width: int = 84, height: int = 18,
                  label: str = "") -> Markup:
    """Columns for `values` (oldest first, the last one red), scaled to the largest (at least 1),
    with a baseline so a run of zeros still reads as "nothing"."""
    counts = _counts(values)
    if not counts:
        return Markup("")
    top = max(max(counts), 1.0)
    step = width / len(counts)
    gap = min(1.5, step * 0.25)
    bars = []
    for i, v in enumerate(counts):
        h = (height - 2) * v / top
        colour = LAST if i == len(counts) - 1 else BAR
        bars.append(f'<rect x="{i * step + gap / 2:.2f}" y="{height - 1 - h:.2f}" '
                    f'width="{step - gap:.2f}" height="{h:.2f}" fill="{colour}"/>')
    text = escape(f"{label}{' · '.join(f'{v:g}' for v in counts)}", quote=True)
    return Markup(
        f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{text}">'
        f'<title>{text}</title>{"".join(bars)}'
        f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" stroke="{BASE}" '
        f'stroke-width="1"/></svg>')
