"""PDF reports: glyphs with their page and box into the source map, ruled tables as tables."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, TypeVar

from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser

from auditor.model import Document, Origin
from auditor.readers.errors import ReadError
from auditor.readers.normalize import RawLine, normalize
from auditor.readers.pdf_flow import (
    Item,
    TableBlock,
    TextLine,
    decide_wraps,
    drop_furniture,
    link_tables,
)
from auditor.readers.pdf_layout import Line, group_lines, spaced
from auditor.readers.pdf_page import PageContent, parse_page
from auditor.readers.pdf_tables import Grid, fill_grid, find_grids, grid_rows

log = logging.getLogger(__name__)
T = TypeVar("T")

NO_TEXT = "没有文字层（可能是扫描件），需要 OCR"
UNMAPPED = "文字无法提取（字体没有 Unicode 映射），需要 OCR"
SIDEWAYS = "文字横放（页面旋转了 90°），请先把页面转正再核对"
ENCRYPTED = "PDF 已加密，需要密码才能打开"
DAMAGED = "PDF 文件已损坏或不完整，无法解析"


def library_error(path: Path, exc: BaseException) -> ReadError:
    """pdfminer's failures on a bad file, in words a person can act on."""
    cause = exc.args[0] if type(exc).__name__ == "PdfminerException" and exc.args else exc
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return ReadError(str(path), ENCRYPTED)
    detail = str(cause).strip().splitlines()[0][:80] if str(cause).strip() else ""
    reason = f"{DAMAGED}（{type(cause).__name__}: {detail}）" if detail else DAMAGED
    return ReadError(str(path), reason)


def guarded(path: Path, call: Callable[[], T]) -> T:
    """Run a pdfminer/pdfplumber call: a malformed file makes them raise almost anything
    (syntax errors, EOF, KeyError, struct errors), and none of it may reach the user as a
    traceback. Our own code runs outside this guard, so its bugs still show."""
    try:
        return call()
    except ReadError:
        raise
    except Exception as exc:
        log.debug("pdfminer failed on %s", path, exc_info=True)
        raise library_error(path, exc) from None


class Source:
    """An open PDF: pdfminer's document, its pages and the fonts they share."""

    def __init__(self, handle: BinaryIO) -> None:
        # The empty user password opens files encrypted only against editing or printing.
        document = PDFDocument(PDFParser(handle), password="")
        self.pages = list(PDFPage.create_pages(document))
        self.resources = PDFResourceManager(caching=True)


@contextmanager
def quiet_pdfminer() -> Iterator[None]:
    """pdfminer warns of every flaw it works around (a font without a FontBBox, a bad colour),
    thousands of times for one damaged file; what stops the reading reaches the user as a
    ReadError, the rest is not theirs to act on."""
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def read_pdf(path: Path) -> Document:
    path = Path(path)
    with path.open("rb") as handle, quiet_pdfminer():
        source = guarded(path, lambda: Source(handle))
        pages = [read_page(path, source, k) for k in range(len(source.pages))]
    notes = page_notes(path, [content for _, content in pages])
    document = normalize(str(path), raw_lines([items for items, _ in pages]), pages=len(pages))
    return replace(document, errors=(*document.errors, *notes))


def page_notes(path: Path, contents: list[PageContent]) -> list[str]:
    """What could not be read: the whole file (raised) or some of its pages (noted)."""
    glyphs = sum(len(c.glyphs) for c in contents)
    unmapped = sum(c.unmapped for c in contents)
    if glyphs == 0 or unmapped > glyphs:
        sideways = any(c.rotated for c in contents) and not unmapped
        raise ReadError(str(path), SIDEWAYS if sideways else UNMAPPED if unmapped else NO_TEXT)
    notes = []
    for reason, pages in (
        ("没有文字层（可能是扫描件）", [c for c in contents if c.images and not c.glyphs]),
        ("文字横放（页面旋转了 90°）", [c for c in contents if c.rotated > len(c.glyphs)]),
    ):
        if pages:
            listed = "、".join(str(contents.index(c) + 1) for c in pages)
            notes.append(f"第 {listed} 页{reason}，未核对")
    return notes


def read_page(path: Path, source: Source, index: int) -> tuple[list[Item], PageContent]:
    """A page's text lines and tables in reading order."""
    number = index + 1
    page = source.pages[index]
    content, layout = guarded(path, lambda: parse_page(source.resources, page, number))
    lines = group_lines(content.glyphs)
    ruled = content.ruled and content.glyphs
    grids = guarded(path, lambda: find_grids(layout, content.height)) if ruled else []
    blocks, taken = table_blocks(grids, lines, number)
    items: list[Item] = [*blocks]
    for line in lines:
        rest = [g for g in line.glyphs if id(g) not in taken]
        if any(g.text != " " for g in rest):
            items.append(TextLine(number, Line(rest, line.number), content.height))
    items.sort(key=lambda item: item.line.top if isinstance(item, TextLine) else item.top)
    return items, content


def table_blocks(
    grids: list[Grid], lines: list[Line], page: int
) -> tuple[list[TableBlock], set[int]]:
    """The tables of a page, and the glyphs they took (by id); a glyph inside a table's frame
    but in none of its cells stays in the text."""
    tops = [line.top for line in lines]
    blocks: list[TableBlock] = []
    taken: set[int] = set()
    for grid in grids:
        inside = [g for line in lines for g in line.glyphs if id(g) not in taken and grid.holds(g)]
        slots, stray = fill_grid(grid, inside)
        taken |= {id(g) for g in inside} - {id(g) for g in stray}
        rows, open_cells = grid_rows(grid, slots, page, tops)
        blocks.append(TableBlock(page, grid.bbox[1], grid.bbox[3], grid.width, rows, open_cells))
    return blocks, taken


def raw_lines(pages: list[list[Item]]) -> list[RawLine]:
    pages = drop_furniture(pages)
    link_tables(pages)
    flow = [item for page in pages for item in page]
    out: list[RawLine] = []
    for item, wrap in zip(flow, decide_wraps(flow), strict=True):
        if isinstance(item, TableBlock):
            out.extend(replace(row, table=item.table) for row in item.rows)
        else:
            out.append(text_line(item, wrap))
    return out


def text_line(item: TextLine, wrap: bool) -> RawLine:
    chars = spaced(item.line.glyphs)
    origins = [
        Origin(item.page, item.line.number, k, "", box) for k, (_, box, _) in enumerate(chars)
    ]
    text = "".join(ch for ch, _, _ in chars)
    return RawLine(text, item.page, item.line.number, origins=origins, wraps=wrap)
