"""Word .docx reports: body paragraphs and tables in document order, each character placed."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import regex
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.package import OpcPackage
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from lxml import etree

from auditor.model import HEADING, Document, Origin, SourceLine
from auditor.readers.errors import ReadError
from auditor.readers.limits import (
    DEFAULT_LIMITS,
    PACKAGE_ERRORS,
    Limits,
    check_depth,
    check_zip,
    is_depth_error,
    too_deep,
)
from auditor.readers.normalize import RawLine, normalize

log = logging.getLogger(__name__)

# What [Content_Types].xml names as the main part of a Word or an Excel package.
WORD_TYPES = (b"wordprocessingml.document.main", b"wordprocessingml.template.main", b"ms-word.")
EXCEL_TYPES = (b"spreadsheetml.sheet.main", b"spreadsheetml.template.main", b"ms-excel.sheet.")
OPEN_ERRORS: tuple[type[BaseException], ...] = (*PACKAGE_ERRORS, PackageNotFoundError)

P, TBL, TR, TC, SDT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt")
SDT_CONTENT, CUSTOM_XML, R = qn("w:sdtContent"), qn("w:customXml"), qn("w:r")
# Inside a paragraph: containers whose runs are text; deleted text and field codes are not.
RUN_CONTAINERS = {
    qn(f"w:{tag}")
    for tag in ("hyperlink", "ins", "smartTag", "customXml", "fldSimple", "moveTo", "dir", "bdo")
} | {SDT, SDT_CONTENT}
RUN_TEXT = {qn("w:t"): None, qn("w:tab"): "\t", qn("w:ptab"): "\t", qn("w:cr"): " "}
RUN_TEXT |= {qn("w:noBreakHyphen"): "-", qn("w:softHyphen"): ""}
BR, RENDERED_BREAK = qn("w:br"), qn("w:lastRenderedPageBreak")
VAL, TYPE = qn("w:val"), qn("w:type")
BROKEN_END = regex.compile(r"\p{Han}$")
HEADING_LENGTH = 40  # a numbered paragraph longer than this is body text, not a heading


def read_docx(path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    """A .docx (or a Word or Excel package under another name) as a Document."""
    kind = package_kind(path, limits)
    if kind == "excel":
        from auditor.readers.xlsx import read_xlsx  # an Excel file named .docx

        return read_xlsx(path, limits)
    body = open_body(path, limits)
    reader = BodyReader(rendered_pages=body.find(f".//{RENDERED_BREAK}") is not None)
    reader.read_blocks(body, "")
    if not any(source.text.strip() for source in reader.sources):
        raise ReadError(str(path), "文档中没有文字（空白文档，或内容只在图片、文本框里）")
    document = normalize(str(path), join_broken(reader.lines), pages=reader.page)
    # One source line per paragraph (table cells included): the line an origin's column counts in.
    return replace(document, lines=tuple(reader.sources))


def package_kind(path: Path, limits: Limits = DEFAULT_LIMITS) -> str:
    """ "word" or "excel", from the package's content types; ReadError for anything else,
    and for a package over the limits (checked before anything in it is inflated)."""
    try:
        with zipfile.ZipFile(path) as archive:
            check_zip(path, archive, limits)
            # an entry claiming more compressed bytes than the file holds is damaged, and zipfile
            # would allocate them all at once to read it (a MemoryError in a worker)
            size = path.stat().st_size
            if any(info.compress_size > size for info in archive.infolist()):
                raise zipfile.BadZipFile("an entry larger than the file")
            names = set(archive.namelist())
            types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except OPEN_ERRORS:
        raise ReadError(
            str(path), "文件已损坏（压缩包结构不完整，可能下载或复制时被截断）"
        ) from None
    if any(t in types for t in EXCEL_TYPES) or "xl/workbook.xml" in names:
        return "excel"
    if any(t in types for t in WORD_TYPES) or "word/document.xml" in names:
        return "word"
    raise ReadError(str(path), "不是 Word 或 Excel 文件（压缩包里没有文档正文或工作簿）")


def open_body(path: Path, limits: Limits = DEFAULT_LIMITS) -> etree._Element:
    """The w:body of the main document part, parsed without entity resolution or network
    access (python-docx's own parser); a damaged part, or one nested too deep, is a ReadError."""
    try:
        part = OpcPackage.open(str(path)).main_document_part
        root = getattr(part, "element", None)
        if root is None:  # a content type python-docx does not model (.docm): parse it ourselves
            root = parse_xml(part.blob)
    except OPEN_ERRORS as exc:
        log.debug("%s: %r", path, exc)
        if is_depth_error(exc):
            raise too_deep(path, limits) from None
        raise ReadError(
            str(path), "Word 文档已损坏，无法读取正文（文件不完整或内容格式错误）"
        ) from None
    body = root.find(qn("w:body"))
    if body is None:
        raise ReadError(str(path), "Word 文档中没有正文部分")
    check_depth(path, root, limits)  # the body is walked recursively (tables, controls)
    return body


def join_broken(lines: list[RawLine]) -> list[RawLine]:
    """A paragraph that stops mid-sentence right before a figure runs on into the next one.

    A report converted from PDF keeps each page's text as its own paragraph, so a label and its
    figure can stand in two paragraphs ("…本次评价项目支出预算执行率" / "84.94%，…" in the seed
    report). Only that case is joined: the first ends in a Chinese character, is no (short) heading, and
    the next paragraph starts with a digit; everything else stays a paragraph of its own."""
    for line, after in zip(lines, lines[1:], strict=False):
        text, following = line.text.rstrip(), after.text.lstrip()
        if (
            line.cells is None
            and after.cells is None
            and text
            and BROKEN_END.search(text)
            and not (HEADING.match(text) and len(text) <= HEADING_LENGTH)
            and following[:1].isdigit()
        ):
            line.wraps = True
    return lines


def run_pieces(paragraph: etree._Element) -> Iterator[tuple[int, str, bool]]:
    """(run index, text, page break) for every piece of a paragraph, in reading order.

    This is the one definition of a paragraph's text: a character's column is its offset in
    the concatenated pieces, and run k covers the pieces yielded with index k, so an annotator
    recomputes run offsets from the paragraph alone (the same walk, summing lengths)."""
    runs = 0
    for element in paragraph.iter():
        if element.tag != R or not inside_text(element, paragraph):
            continue
        for child in element:
            if child.tag in RUN_TEXT:
                text = RUN_TEXT[child.tag]
                yield runs, (child.text or "") if text is None else text, False
            elif child.tag == BR:  # a line break inside a paragraph is a space, not a new line
                yield runs, " ", child.get(TYPE) == "page"
            elif child.tag == RENDERED_BREAK:
                yield runs, "", True
        runs += 1


def inside_text(run: etree._Element, paragraph: etree._Element) -> bool:
    """A run that belongs to the paragraph's visible text: not deleted, not in a text box or a
    nested paragraph, only inside the containers that keep text."""
    parent = run.getparent()
    while parent is not None and parent is not paragraph:
        if parent.tag not in RUN_CONTAINERS:
            return False
        parent = parent.getparent()
    return parent is paragraph


def flag(element: etree._Element, tag: str) -> bool:
    """An on/off property such as w:pageBreakBefore: present and not switched off."""
    found = element.find(f"{qn('w:pPr')}/{qn(tag)}")
    return found is not None and found.get(VAL) not in ("0", "false", "off")


def number(element: etree._Element | None, default: int) -> int:
    value = element.get(VAL) if element is not None else None
    try:
        return max(1, int(value)) if value is not None else default
    except ValueError:
        return default


@dataclass(slots=True)
class BodyReader:
    """Walks the body once, numbering paragraphs as it goes; collects lines and sources."""

    rendered_pages: bool  # Word saved where it broke the pages: trust that over explicit breaks
    page: int = 1
    paragraphs: int = 0
    table_ids: int = 0
    lines: list[RawLine] = field(default_factory=list)
    sources: list[SourceLine] = field(default_factory=list)

    def read_blocks(self, parent: etree._Element, place: str) -> None:
        """Paragraphs and tables of the body, a content control or a cell, in document order."""
        counts = {"p": 0, "t": 0, "sdt": 0}
        for child in parent:
            if child.tag == P:
                counts["p"] += 1
                self.lines.append(self.read_paragraph(child, f"{place}p{counts['p']}"))
            elif child.tag == TBL:
                counts["t"] += 1
                self.read_table(child, f"{place}t{counts['t']}")
            elif child.tag in (SDT, CUSTOM_XML):
                counts["sdt"] += 1
                content = child.find(SDT_CONTENT) if child.tag == SDT else child
                if content is not None:
                    self.read_blocks(content, f"{place}sdt{counts['sdt']}.")

    def read_paragraph(self, element: etree._Element, part: str) -> RawLine:
        """One line, placed on the page it starts on, numbered in document order."""
        if not self.rendered_pages and flag(element, "w:pageBreakBefore"):
            self.page += 1
        self.paragraphs += 1
        line, page = self.paragraphs, self.page
        chars: list[str] = []
        origins: list[Origin] = []
        for _, text, page_break in run_pieces(element):
            rendered = text == ""  # a w:lastRenderedPageBreak, not a w:br of type page
            if page_break and rendered == self.rendered_pages:
                self.page += 1  # the paragraph stays on the page it starts on
            for ch in text:
                origins.append(Origin(page, line, len(chars), part))
                chars.append(ch)
        self.sources.append(SourceLine(page, line, "".join(chars)))
        return RawLine("".join(chars), page, line, part, origins or None, wraps=False)

    def read_table(self, table: etree._Element, place: str) -> None:
        """Each row as wide as the table grid: a merged cell's text at its top-left position,
        the other positions it covers empty. A nested table's rows follow the row holding it."""
        self.table_ids += 1
        table_id = self.table_ids
        rows = table.findall(TR)
        grid = table.find(qn("w:tblGrid"))
        width = max([len(grid) if grid is not None else 0] + [row_width(tr) for tr in rows])
        for r, tr in enumerate(rows, start=1):
            nested: list[tuple[etree._Element, str]] = []
            cells = self.read_row(tr, f"{place}.r{r}", width, nested)
            first = cells[0] if cells else None
            page, line = (first.page, first.line) if first else (self.page, self.paragraphs)
            # No text of its own: a table row is never a running header for normalize to drop.
            self.lines.append(
                RawLine("", page, line, f"{place}.r{r}", wraps=False, cells=cells, table=table_id)
            )
            for element, cell_place in nested:
                self.read_table(element, cell_place)

    def read_row(
        self, tr: etree._Element, place: str, width: int, nested: list[tuple[etree._Element, str]]
    ) -> list[RawLine]:
        column = number(tr.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}"), 0)
        cells = [self.empty_cell(f"{place}.c{c + 1}") for c in range(column)]
        for tc in children(tr, (TC,)):
            span = number(tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}"), 1)
            merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            continued = merge is not None and merge.get(VAL, "continue") == "continue"
            cell_place = f"{place}.c{column + 1}"
            if continued:
                cells.append(self.empty_cell(cell_place))
            else:
                cells.append(self.read_cell(tc, cell_place, nested))
            cells += [self.empty_cell(f"{place}.c{column + k + 1}") for k in range(1, span)]
            column += span
        cells += [self.empty_cell(f"{place}.c{c + 1}") for c in range(len(cells), width)]
        return cells

    def read_cell(
        self, tc: etree._Element, place: str, nested: list[tuple[etree._Element, str]]
    ) -> RawLine:
        """A cell's paragraphs joined by a space (normalize drops it next to Chinese text, and it
        keeps two figures in separate paragraphs apart); nested tables are kept for later."""
        text: list[str] = []
        origins: list[Origin] = []
        start_line = self.paragraphs + 1
        count = tables = 0
        for child in children(tc, (P, TBL)):
            if child.tag == TBL:
                tables += 1
                nested.append((child, f"{place}.t{tables}"))
                continue
            count += 1
            paragraph = self.read_paragraph(child, f"{place}.p{count}")
            if text and paragraph.text:
                text.append(" ")
                origins.append(origins[-1])
            text.append(paragraph.text)
            origins += paragraph.origins or []
        joined = "".join(text)
        return RawLine(joined, self.page, start_line, place, origins or None, wraps=False)

    def empty_cell(self, place: str) -> RawLine:
        return RawLine("", self.page, max(1, self.paragraphs), place, wraps=False)


def children(container: etree._Element, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """The children with these tags, looking through content controls (not into tables)."""
    for child in container:
        if child.tag in tags:
            yield child
        elif child.tag in (SDT, CUSTOM_XML):
            content = child.find(SDT_CONTENT) if child.tag == SDT else child
            if content is not None:
                yield from children(content, tags)


def row_width(tr: etree._Element) -> int:
    before = number(tr.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}"), 0)
    spans = [number(tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}"), 1) for tc in children(tr, (TC,))]
    return before + sum(spans)
