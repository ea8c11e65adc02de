"""Read a printed PDF back with poppler (pdftotext, pdfimages, pdftoppm) for layout tests."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
from PIL import Image

XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Line:
    """One text line of the PDF: its page (1-based), top and bottom in points, and its text
    with the spaces poppler puts between words removed (Chinese has none to begin with)."""

    page: int
    top: float
    bottom: float
    text: str


def pdf_lines(pdf: Path) -> tuple[list[Line], float]:
    """Every text line in reading order, and the page height in points."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    root = ET.fromstring(xml)
    lines, height = [], 0.0
    for number, page in enumerate(root.iter(f"{XHTML}page"), start=1):
        height = float(page.get("height"))
        for line in page.iter(f"{XHTML}line"):
            text = "".join(w.text or "" for w in line.iter(f"{XHTML}word"))
            lines.append(Line(number, float(line.get("yMin")), float(line.get("yMax")), text))
    return lines, height


def image_pages(pdf: Path) -> list[int]:
    """The page of every image drawn in the PDF (charts; sparklines are vectors, not images)."""
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    return [int(row.split()[0]) for row in listing if row.strip()]


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def inked_rows(pdf: Path, page: int, workdir: Path) -> np.ndarray:
    """Which pixel rows of the page (rendered by pdftoppm at 40 dpi) hold anything non-white."""
    stem = workdir / f"page{page}"
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-singlefile", "-f", str(page), "-l",
                    str(page), "-png", str(pdf), str(stem)], check=True)
    pixels = np.asarray(Image.open(stem.with_suffix(".png")).convert("L"))
    return (pixels < 230).any(axis=1)


class _Sections(HTMLParser):
    """Headings (h2, h3) and figure captions of the report page, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str]] = []  # (tag, text); tag "section" opens a section
        self._tag: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "section":
            self.items.append(("section", ""))
        elif tag in ("h2", "h3", "figcaption"):
            self._tag, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._tag:
            self.items.append((tag, "".join(self._text)))
            self._tag = None

    def handle_data(self, data: str) -> None:
        if self._tag:
            self._text.append(data)


def headings_with_first_chart(html: str) -> list[tuple[str, str]]:
    """(heading, caption of its first chart) for every heading that has one: an h2's first chart
    is the first in its section, an h3's the first before the next heading."""
    parser = _Sections()
    parser.feed(html)
    items, pairs = parser.items, []
    for i, (tag, text) in enumerate(items):
        if tag not in ("h2", "h3"):
            continue
        for later, caption in items[i + 1:]:
            if later == "section" or (later == "h3" and tag == "h3") or later == "h2":
                break
            if later == "figcaption":
                pairs.append((text, caption))
                break
    return pairs


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)
