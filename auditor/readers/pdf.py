"""PDF reports: glyphs with their page and box into the source map, ruled tables as tables."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import BinaryIO, TypeVar

from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1

from auditor.model import Document, Origin
from auditor.readers.errors import ReadError
from auditor.readers.limits import DEFAULT_LIMITS, Limits, exceeded
from auditor.readers.normalize import RawLine, normalize
from auditor.readers.ocr import Scanner
from auditor.readers.pdf_flow import (
    Item,
    TableBlock,
    TextLine,
    decide_wraps,
    drop_furniture,
    link_tables,
)
from auditor.readers.pdf_guard import StreamTooLarge, stream_limit
from auditor.readers.pdf_layout import Line, group_lines, spaced
from auditor.readers.pdf_page import PageContent, parse_page
from auditor.readers.pdf_tables import (
    Grid,
    fill_grid,
    find_grids,
    grid_rows,
    grids_from_edges,
    segment_edges,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

NO_TEXT = "没有文字层（可能是扫描件）"
UNMAPPED = "文字无法提取（字体没有 Unicode 映射）"
NEEDS_OCR = "需要 OCR"
OCR_FOUND_NOTHING = "OCR 未识别出文字"
SIDEWAYS = "文字横放（页面旋转了 90°），请先把页面转正再核对"
ENCRYPTED = "PDF 已加密，需要密码才能打开"
DAMAGED = "PDF 文件已损坏或不完整，无法解析"


def library_error(path: Path, exc: BaseException) -> ReadError:
    """pdfminer's failures on a bad file, in words a person can act on."""
    cause = exc.args[0] if type(exc).__name__ == "PdfminerException" and exc.args else exc
    if isinstance(cause, StreamTooLarge):
        return exceeded(path, cause.what)
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

    def __init__(self, handle: BinaryIO, max_pages: int) -> None:
        # The empty user password opens files encrypted only against editing or printing.
        document = PDFDocument(PDFParser(handle), password="")
        self.pages = list(islice(PDFPage.create_pages(document), max_pages + 1))
        self.declared = declared_pages(document) if len(self.pages) > max_pages else None
        self.resources = PDFResourceManager(caching=True)


def declared_pages(document: PDFDocument) -> int | None:
    """The page count the page tree states, to name in a refusal; None when it states none."""
    count = resolve1(resolve1(document.catalog.get("Pages")) or {}).get("Count")
    return count if isinstance(count, int) else None


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


def read_pdf(path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    path = Path(path)
    with path.open("rb") as handle, quiet_pdfminer(), stream_limit(limits.stream_size):
        source = guarded(path, lambda: Source(handle, limits.pages))
        if len(source.pages) > limits.pages:
            count = source.declared if (source.declared or 0) > limits.pages else None
            what = f"页数 {count} > {limits.pages}" if count else f"页数超过 {limits.pages}"
            raise exceeded(path, what, "--max-pages")
        scanner = Scanner(path)
        pages = [read_page(path, source, k, scanner) for k in range(len(source.pages))]
    notes = page_notes(path, [content for _, content in pages], scanner.problem)
    document = normalize(str(path), raw_lines([items for items, _ in pages]), pages=len(pages))
    return replace(document, errors=(*document.errors, *notes))


def page_notes(path: Path, contents: list[PageContent], ocr_problem: str = "") -> list[str]:
    """What could not be read: the whole file (raised) or some of its pages (noted). A page
    without text is OCR'd when the extra is installed; `ocr_problem` says why it was not."""
    glyphs = sum(len(c.glyphs) for c in contents)
    unmapped = sum(c.unmapped for c in contents)
    if glyphs == 0 or unmapped > glyphs:
        raise ReadError(str(path), unreadable_reason(contents, ocr_problem))
    scanned = NO_TEXT
    if any(c.ocr for c in contents):
        scanned += f"，{OCR_FOUND_NOTHING}"
    notes = []
    for reason, pages in (
        (scanned, [c for c in contents if c.images and not c.glyphs]),
        ("文字横放（页面旋转了 90°）", [c for c in contents if c.rotated > len(c.glyphs)]),
    ):
        if pages:
            listed = "、".join(str(contents.index(c) + 1) for c in pages)
            notes.append(f"第 {listed} 页{reason}，未核对")
    if ocr_problem and any(c.images and not c.glyphs for c in contents):
        notes[0] += f"（{NEEDS_OCR}：{ocr_problem}）"
    return notes


def unreadable_reason(contents: list[PageContent], ocr_problem: str) -> str:
    """Why no page gave any text: turned pages, or no text layer and OCR not run or fruitless."""
    unmapped = sum(c.unmapped for c in contents)
    if any(c.rotated for c in contents) and not unmapped:
        return SIDEWAYS
    if any(c.ocr for c in contents):
        return f"{NO_TEXT}，{OCR_FOUND_NOTHING}"
    reason = f"{UNMAPPED if unmapped else NO_TEXT}，{NEEDS_OCR}"
    return f"{reason}：{ocr_problem}" if ocr_problem else reason


def needs_ocr(content: PageContent) -> bool:
    """A scanned page (images, no text), or one whose fonts map no glyph to a character."""
    return bool(content.images and not content.glyphs) or content.unmapped > len(content.glyphs)


def read_by_ocr(scanner: Scanner, index: int, content: PageContent, width: float) -> list[Grid]:
    """Replace the page's glyphs by those OCR reads off its image, when OCR can run; the
    tables its ruling lines draw in the image."""
    scanned = scanner.read(index)
    if scanned is None:
        return []
    content.glyphs, content.unmapped, content.ocr = scanned[0], 0, True
    return grids_from_edges(segment_edges(scanned[1], content.height), width, content.height)


def read_page(
    path: Path, source: Source, index: int, scanner: Scanner
) -> tuple[list[Item], PageContent]:
    """A page's text lines and tables in reading order."""
    number = index + 1
    page = source.pages[index]
    content, layout = guarded(path, lambda: parse_page(source.resources, page, number))
    grids = read_by_ocr(scanner, index, content, layout.width) if needs_ocr(content) else []
    lines = group_lines(content.glyphs)
    if content.ruled and content.glyphs and not content.ocr:
        grids = guarded(path, lambda: find_grids(layout, content.height))
    blocks, taken = table_blocks(grids, lines, number)
    if content.ocr:
        mark_ocr(blocks)
    items: list[Item] = [*blocks]
    for line in lines:
        rest = [g for g in line.glyphs if id(g) not in taken]
        if any(g.text != " " for g in rest):
            items.append(TextLine(number, Line(rest, line.number), content.height, content.ocr))
    items.sort(key=lambda item: item.line.top if isinstance(item, TextLine) else item.top)
    return items, content


def mark_ocr(blocks: list[TableBlock]) -> None:
    """The cells of tables on a scanned page were read by OCR: their characters say so."""
    for block in blocks:
        for row in block.rows:
            for cell in row.cells or []:
                cell.origins = [replace(o, ocr=True) for o in cell.origins or []]


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
        Origin(item.page, item.line.number, k, "", box, item.ocr)
        for k, (_, box, _) in enumerate(chars)
    ]
    text = "".join(ch for ch, _, _ in chars)
    return RawLine(text, item.page, item.line.number, origins=origins, wraps=wrap)
