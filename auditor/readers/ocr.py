"""Pages without a usable text layer, read by offline OCR (rapidocr_onnxruntime: the `ocr` extra).

A scanned page is rendered with pdfium (through pypdfium2, which pdfplumber already needs), its
text boxes are recognised by the PP-OCR models that the rapidocr_onnxruntime wheel carries (no
download at run time), and every box becomes glyphs with boxes on the page, like the ones the
PDF reader gets from a text layer, so that lines, wraps and page furniture are decided the same
way; the ruling lines found in the image make the page's tables, as drawn rules do on a text
page. The engine is imported only when a page needs it; without the extra a scanned PDF keeps
its "需要 OCR" error, which then says how to install it."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

from auditor.readers.normalize import is_wide
from auditor.readers.pdf_layout import Box, Glyph

log = logging.getLogger(__name__)

# Told the 0-based index of each page before it is recognised. OCR takes seconds a page where a
# text layer takes milliseconds: a scan's worker passes this on so that its time limit grows
# with the pages it reads instead of cutting off every scanned report.
page_hook: Callable[[int], None] | None = None

# Rendering resolution. Measured on the scanned seed report (fixtures/scanned, 12pt text
# scanned at 200 dpi): read at 150 dpi, 0.34% of the characters were misread and no digit; at
# 200 dpi 0.74% (punctuation only), in a third more time. The recogniser scales every line to
# 48 pixels high anyway.
DPI = 150
# The recogniser shrinks a larger image to 2000 pixels on its longer side anyway; a page drawn
# huge (a hostile MediaBox) is rendered at that size, not at gigapixels.
MAX_SIDE = 2000
INSTALL = "pip install 'auditor[ocr]'"
NEEDS_EXTRA = f"请安装 OCR 扩展（{INSTALL}）后再核对"
FAILED = "OCR 识别失败"
# The text-direction classifier turns the lines it takes for upside down; on the scanned seed
# it turned good ones, and 304 of 4443 characters were misread instead of 15: it stays off.
USE_CLS = False

# OCR's usual slips in figures, undone only where the reading is certain: a decimal point
# read as 。 or ·, a zero read as the letter O, a one read as l or I, all between digits.
DECIMAL_POINT = regex.compile(r"(?<=\d)[。·・](?=\d{1,2}(?!\d))")
LETTER_ZERO = regex.compile(r"(?<=\d)[Oo](?=[\d.%])|(?<=[\d.])[Oo](?=\d)")
LETTER_ONE = regex.compile(r"(?<=\d)[lI](?=[\d.%])|(?<=[\d.])[lI](?=\d)")
# Outside figures, two marks the recogniser confuses in this script: 丶 (a radical that running
# text never uses) for the enumeration comma 、, and a degree sign after a word for 。.
RADICAL_COMMA = regex.compile(r"丶")
DEGREE_STOP = regex.compile(r"(?<=[^\d\s])°")


# Ruling lines: ink darker than the middle between scanned paper (~240) and toner (~30), in
# runs longer than any character's stroke: 40pt across (an em dash is 12pt, "——" 24pt), 15pt
# down (a 12pt character's stroke is under 12pt; a table row is at least ~16pt high).
INK = 170
RULE_ACROSS = 40.0
RULE_DOWN = 15.0


class OcrUnavailable(Exception):
    """The OCR extra is not installed."""


class OcrFailed(Exception):
    """The engine could not read a page (out of memory, a page it cannot render)."""


@dataclass(frozen=True, slots=True)
class TextBox:
    """One line of text the recogniser found: its box on the page in points, from the top left."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    score: float


def load_engine() -> Any:
    """The recogniser, imported on first use; OcrUnavailable without the extra, OcrFailed when
    it is installed but cannot load (a system library missing, too little memory)."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ModuleNotFoundError as exc:
        raise OcrUnavailable(NEEDS_EXTRA) from exc
    except ImportError as exc:
        raise OcrFailed(f"{FAILED}（无法加载：{str(exc)[:80]}）") from None
    try:
        return make_engine(RapidOCR)
    except Exception as exc:  # onnxruntime's errors, a MemoryError under a memory limit
        log.debug("OCR engine failed to load", exc_info=True)
        raise OcrFailed(failure(exc)) from None


def failure(exc: Exception) -> str:
    """The engine's failure in words: almost always memory (it maps about 1.5 GB)."""
    return f"{FAILED}（{type(exc).__name__}：可能是内存不足，OCR 约需 2 GB）"


@functools.cache
def make_engine(factory: Any) -> Any:
    return factory()


@dataclass(frozen=True, slots=True)
class ScannedPage:
    """What OCR reads off a page's image: its lines of text and its ruling lines (tables)."""

    boxes: tuple[TextBox, ...]
    rules: tuple[Box, ...]  # segments (x0, top, x1, bottom), horizontal or vertical


def recognize_page(path: Path, index: int) -> ScannedPage:
    """The text boxes and ruling lines of one page (0-based index)."""
    engine = load_engine()
    stat = path.stat()
    return cached_page(str(path.resolve()), stat.st_size, stat.st_mtime_ns, index, engine)


# The same file read twice in one process (several outputs, a test session) is recognised once.
@functools.lru_cache(maxsize=64)
def cached_page(path: str, size: int, mtime: int, index: int, engine: Any) -> ScannedPage:
    if page_hook is not None:
        page_hook(index)
    image, zoom = render_page(Path(path), index)
    try:
        result, _ = engine(image, use_cls=USE_CLS)
    except Exception as exc:  # onnxruntime reports running out of memory as a RuntimeException
        log.debug("OCR failed on page %d of %s", index + 1, path, exc_info=True)
        raise OcrFailed(failure(exc)) from None
    scale = 1 / zoom  # pixels to points
    boxes = tuple(text_box(points, text, score, scale) for points, text, score in result or [])
    return ScannedPage(boxes, find_rules(image, scale))


def render_page(path: Path, index: int) -> tuple[Any, float]:
    """The page as a grey image (numpy pixels, what the recogniser takes) at DPI, or smaller
    for a page so large that its longer side would pass MAX_SIDE pixels; and pixels per point."""
    import numpy
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
        try:
            page = document[index]
            zoom = min(DPI / 72, MAX_SIDE / max(*page.get_size(), 1.0))
            bitmap = page.render(scale=zoom, grayscale=True)
            return numpy.asarray(bitmap.to_pil().convert("L")), zoom
        finally:
            document.close()
    except pypdfium2.PdfiumError as exc:
        raise OcrFailed(f"{FAILED}（页面无法渲染：{exc}）") from None


def find_rules(image: Any, scale: float) -> tuple[Box, ...]:
    """The table's ruling lines in a page's image: runs of ink longer than any stroke of a
    character (an opening with a long thin kernel keeps only those), each as one segment
    through its middle. A page fed askew gives a band a few pixels thick; its middle is the
    line to within a point."""
    import cv2  # comes with the recogniser
    import numpy

    ink = (image < INK).astype(numpy.uint8)
    found: list[Box] = []
    for across, least in ((True, RULE_ACROSS), (False, RULE_DOWN)):
        size = max(2, round(least / scale))
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, 1) if across else (1, size))
        runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
        _, _, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
        for x, y, w, h, _ in stats[1:]:
            if across:
                middle = (y + h / 2) * scale
                found.append((x * scale, middle, (x + w) * scale, middle))
            else:
                middle = (x + w / 2) * scale
                found.append((middle, y * scale, middle, (y + h) * scale))
    return tuple(found)


def text_box(points: list[list[float]], text: str, score: float, scale: float) -> TextBox:
    xs = [p[0] * scale for p in points]
    ys = [p[1] * scale for p in points]
    return TextBox(clean_text(text), min(xs), min(ys), max(xs), max(ys), float(score))


def clean_text(text: str) -> str:
    """Undo the recogniser's slips that can be undone safely (see the patterns above)."""
    text = DECIMAL_POINT.sub(".", text)
    text = LETTER_ZERO.sub("0", text)
    text = LETTER_ONE.sub("1", text)
    text = RADICAL_COMMA.sub("、", text)
    return DEGREE_STOP.sub("。", text)


def em_size(box: TextBox) -> float | None:
    """The font size a box shows: the width of one of its Chinese characters (a Chinese
    character is one em wide, a digit about half), or None when it has too few of them. The
    box's height would do too, but it varies by ±15% from line to line of the same type."""
    shares = [2 if is_wide(ch) else 1 for ch in box.text]
    if sum(1 for share in shares if share == 2) < 2:
        return None
    return 2 * (box.x1 - box.x0) / sum(shares)


def page_glyphs(boxes: tuple[TextBox, ...]) -> list[Glyph]:
    """A page's boxes as glyphs. Lines in the body type get the page's usual size (the median),
    so that the wraps are judged as on a text page; a title set larger keeps its own."""
    sizes = [em_size(box) for box in boxes]
    known = sorted(size for size in sizes if size)
    body = known[len(known) // 2] if known else 0.0
    glyphs = []
    for box, size in zip(boxes, sizes, strict=True):
        if size is None or abs(size - body) <= 0.25 * body:
            size = body or box.bottom - box.top
        glyphs += box_glyphs(box, size)
    return glyphs


def box_glyphs(box: TextBox, size: float) -> list[Glyph]:
    """A box's characters as glyphs: the recogniser gives one box per run of text, so each
    character gets its share of the width (a Chinese character two shares, a digit one)."""
    shares = [2 if is_wide(ch) else 1 for ch in box.text]
    if not shares:
        return []
    unit = (box.x1 - box.x0) / sum(shares)
    glyphs, x = [], box.x0
    for ch, share in zip(box.text, shares, strict=True):
        glyphs.append(Glyph(ch, x, box.top, x + share * unit, box.bottom, size))
        x += share * unit
    return glyphs


class Scanner:
    """OCR for the pages of one PDF that need it; remembers why it could not run, if so."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem = ""  # why OCR could not read the pages (the extra missing, a failure)

    def read(self, index: int) -> tuple[list[Glyph], tuple[Box, ...]] | None:
        """The page's glyphs and ruling lines read off its image, or None when OCR cannot run."""
        if self.problem:
            return None
        try:
            page = recognize_page(self.path, index)
        except (OcrUnavailable, OcrFailed) as exc:
            self.problem = str(exc)
            return None
        return page_glyphs(page.boxes), page.rules
