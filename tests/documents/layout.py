"""Layout checks on a rendered PDF, with pypdf: where each text run starts (its text and CTM matrices) and how wide
it is (the advance widths of its glyphs in the embedded font, read from the bundled font files with fontTools)."""

import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from documents.rendering import FONT_FILES


@dataclass(frozen=True)
class Run:
    page: int
    text: str
    x0: float
    x1: float
    y: float
    size: float


@cache
def _advances(weight: str) -> tuple[dict[int, int], int, int]:
    font = TTFont(Path(settings.DOCUMENT_FONTS_DIR) / FONT_FILES[weight])
    cmap = font.getBestCmap()
    metrics = font["hmtx"].metrics
    widths = {code: metrics[glyph][0] for code, glyph in cmap.items()}
    return widths, font["head"].unitsPerEm, metrics[".notdef"][0]


def _width(text: str, bold: bool, size: float) -> float:
    widths, upem, default = _advances("bold" if bold else "regular")
    return sum(widths.get(ord(char), default) for char in text) * size / upem


def text_runs(content: bytes) -> tuple[list[Run], list[tuple[float, float]]]:
    """Every text run of every page, in points from the page's lower left corner; and each page's size."""
    reader = PdfReader(io.BytesIO(content))
    runs, sizes = [], []
    for number, page in enumerate(reader.pages):
        box = page.mediabox
        sizes.append((float(box.width), float(box.height)))

        def visit(text, cm, tm, font, size, number=number):
            if not text.strip() or font is None:
                return
            scale = tm[0] * cm[0]
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            bold = "Bold" in str(font.get("/BaseFont", ""))
            stripped = text.rstrip("\n")
            runs.append(Run(number, stripped, x, x + _width(stripped, bold, size * scale), y, size * scale))

        page.extract_text(visitor_text=visit)
    return runs, sizes


def page_texts(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]
