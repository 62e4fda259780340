"""One pdfminer pass over a PDF page: glyphs straight from the content stream, rules and images."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTCurve, LTImage, LTPage
from pdfminer.pdffont import PDFFont, PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdfpage import PDFPage
from pdfminer.utils import Matrix, apply_matrix_rect

from auditor.readers.pdf_layout import Glyph


@dataclass(slots=True)
class PageContent:
    glyphs: list[Glyph] = field(default_factory=list)
    ruled: bool = False  # has drawn lines or rectangles: only then can a table grid be found
    images: int = 0
    unmapped: int = 0  # glyphs without a Unicode mapping, shown by pdfminer as "(cid:N)"
    rotated: int = 0  # glyphs not upright on the page as it is shown
    height: float = 0.0
    ocr: bool = False  # the glyphs were read by OCR from the page's image (readers/ocr.py)


class GlyphDevice(PDFPageAggregator):
    """pdfminer's layout device, except that a horizontal glyph becomes a Glyph on the spot.

    pdfminer builds an LTChar per glyph and pdfplumber then a dict of ~20 keys from it: together
    a third of the time of reading a page, for a box and a character. Lines, rectangles, images
    and vertical text still become layout objects, so that pdfplumber's table finder can use the
    page's layout (without any characters in it) as it is."""

    def __init__(self, rsrcmgr: Any, pageno: int) -> None:
        super().__init__(rsrcmgr, pageno=pageno, laparams=None)
        self.flip = 0.0  # the page height: boxes are measured from the top, as pdfplumber does
        self.content = PageContent()

    def begin_page(self, page: Any, ctm: Matrix) -> None:
        super().begin_page(page, ctm)
        self.flip = self.cur_item.y1  # pdfminer puts the (rotated) page at the origin

    def render_char(
        self,
        matrix: Matrix,
        font: PDFFont,
        fontsize: float,
        scaling: float,
        rise: float,
        cid: int,
        ncs: Any,
        graphicstate: Any,
    ) -> float:
        if font.is_vertical():
            return super().render_char(
                matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate
            )
        adv: float = font.char_width(cid) * fontsize * scaling
        a, b, c, d, _, _ = matrix
        if not (a * d * scaling > 0 and b * c <= 0):
            self.content.rotated += 1  # a watermark, a stamp, or a page laid sideways
            return adv
        try:
            text = font.to_unichr(cid)
        except PDFUnicodeNotDefined:
            self.content.unmapped += 1
            return adv
        descent = font.get_descent() * fontsize
        x0, y0, x1, y1 = apply_matrix_rect(
            matrix, (0, descent + rise, adv, descent + rise + fontsize)
        )
        add_glyph(self.content, text, x0, y0, x1, y1, self.flip)
        return adv


def add_glyph(
    content: PageContent,
    text: str,
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    flip: float,
) -> None:
    # Blanks other than a plain space (ideographic, no-break) and control characters are
    # dropped: the gap a blank leaves becomes one space.
    if not text or (text != " " and not text.isprintable()):
        return
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    content.glyphs.append(Glyph(text, x0, flip - y1, x1, flip - y0, y1 - y0))


def parse_page(rsrcmgr: Any, page: PDFPage, number: int) -> tuple[PageContent, LTPage]:
    """Glyphs, rules and images of a page in one pass of pdfminer's interpreter; and the page's
    layout without glyphs, for the table finder."""
    device = GlyphDevice(rsrcmgr, number)
    PDFPageInterpreter(rsrcmgr, device).process_page(page)
    layout: LTPage = device.get_result()
    walk(layout, device.content, device.flip)
    device.content.height = device.flip
    return device.content, layout


def walk(items: Iterable[Any], content: PageContent, flip: float) -> None:
    for item in items:
        if isinstance(item, LTChar):  # vertical text, left to pdfminer
            if item.get_text().startswith("(cid:"):
                content.unmapped += 1
            elif item.upright:
                add_glyph(content, item.get_text(), *item.bbox, flip)
            else:
                content.rotated += 1
        elif isinstance(item, LTCurve):  # lines and rectangles are curves too
            content.ruled = True
        elif isinstance(item, LTImage):
            content.images += 1
        elif isinstance(item, LTContainer):  # form XObjects (LTFigure) hold glyphs and images
            walk(item, content, flip)
