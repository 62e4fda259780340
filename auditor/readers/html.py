"""Web pages: paragraphs as lines and tables as tables, each character placed by element path."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import lxml.html
import regex
from lxml import etree

from auditor.model import Document, Origin, SourceLine
from auditor.readers.errors import ReadError
from auditor.readers.limits import DEFAULT_LIMITS, Limits, check_depth
from auditor.readers.normalize import RawLine, normalize
from auditor.readers.text import decode

log = logging.getLogger(__name__)

# Never read as report text: code, styling, metadata, embedded objects, form controls.
SKIPPED = frozenset(
    "script style noscript template head title meta link iframe frame object embed svg math "
    "canvas select option textarea button input audio video map".split()
)
BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd section article header footer nav aside main "
    "blockquote pre address figure figcaption form fieldset legend center caption hr body".split()
)
CELLS = ("td", "th")
PARAGRAPHS = frozenset("p div h1 h2 h3 h4 h5 h6 li br table".split())
ARTICLE_LENGTH = 300
ROW_GROUPS = ("thead", "tbody", "tfoot")
HIDDEN_STYLE = regex.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", regex.IGNORECASE)
XML_DECLARATION = regex.compile(r"^\s*<\?xml[^>]*\?>")
MAX_SPAN = 1000  # colspan/rowspan beyond this is a broken page, not a table


def read_html(path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    root = parse_html(path)
    # libxml2 cuts a page off silently at 256 levels; the reader walks the tree recursively
    check_depth(path, root, limits)
    reader = PageReader(root)
    reader.read_flow(root.find("body") if root.find("body") is not None else root, "body")
    if not any(source.text.strip() for source in reader.sources):
        raise ReadError(str(path), "网页中没有正文文字")
    document = normalize(str(path), reader.lines, pages=1)
    return replace(document, lines=reader.source_lines())


def parse_html(path: Path) -> etree._Element:
    """Decoded as a text file is (BOM, UTF-8, else GB18030, which covers gb2312/GBK pages) and
    parsed with lxml's HTML parser, with no network access and comments dropped."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(str(path), f"无法打开文件：{exc.strerror or exc}") from None
    text = XML_DECLARATION.sub("", decode_page(data, path))
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, etree.LxmlError, ValueError):
        raise ReadError(str(path), "网页中没有正文文字（或不是 HTML 文件）") from None


def decode_page(data: bytes, path: Path) -> str:
    """Strictly as a text file; failing that (a stray byte in a saved page), the encoding that
    needs the fewest replacement characters."""
    try:
        return decode(data, str(path))
    except ReadError:
        if b"\x00" in data[:4096]:
            raise
    texts = [data.decode(encoding, errors="replace") for encoding in ("utf-8", "gb18030")]
    log.warning("%s: 网页中有无法解码的字节，已替换", path)
    return min(texts, key=lambda text: text.count("\ufffd"))


def is_skipped(element: etree._Element) -> bool:
    if not isinstance(element.tag, str) or element.tag.lower() in SKIPPED:
        return True
    return element.get("hidden") is not None or bool(HIDDEN_STYLE.search(element.get("style", "")))


def tag_of(element: etree._Element) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


@dataclass(slots=True)
class Piece:
    """Text gathered for one line or cell, with HTML's whitespace collapsed."""

    part: str
    line: int
    chars: list[str] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)

    def add(self, text: str | None) -> None:
        for ch in text or "":
            if ch in " \t\n\r\f":
                if not self.chars or self.chars[-1] == " ":
                    continue
                ch = " "
            self.origins.append(Origin(1, self.line, len(self.chars), self.part))
            self.chars.append(ch)

    def text(self) -> str:
        return "".join(self.chars).rstrip(" ")

    def raw_line(self) -> RawLine:
        text = self.text()
        return RawLine(text, 1, self.line, self.part, self.origins[: len(text)] or None, False)


class PageReader:
    """Walks the page once; a block element or <br> starts a new line, a table its rows."""

    def __init__(self, root: etree._Element) -> None:
        self.elements = list(root.iter())  # kept alive, so that element identity is stable
        counts: Counter[str] = Counter()
        self.index: dict[etree._Element, int] = {}
        for element in self.elements:
            counts[tag_of(element)] += 1
            self.index[element] = counts[tag_of(element)]
        self.lines: list[RawLine] = []
        self.sources: list[SourceLine] = []
        self.table_ids = 0
        self.breaks: Counter[str] = Counter()

    def path_of(self, element: etree._Element) -> str:
        tag = tag_of(element)
        return "body" if tag == "body" else f"{tag}[{self.index.get(element, 1)}]"

    def emit(self, piece: Piece) -> None:
        if piece.text().strip():
            line = piece.raw_line()
            self.lines.append(line)
            self.sources.append(SourceLine(1, line.line, line.text))

    def read_flow(self, block: etree._Element, part: str) -> None:
        """A block's own text, its inline children and, each on its own lines, its blocks."""
        piece = self.read_children(block, Piece(part, block.sourceline or 1), part)
        self.emit(piece)

    def read_children(self, element: etree._Element, piece: Piece, part: str) -> Piece:
        """Text and inline children run on in `piece`; a block, a table or a <br> ends it, and
        what follows goes on in a new piece (after the k-th <br> of `part`: "part/br[k]")."""
        piece.add(element.text)
        for child in element:
            tag = tag_of(child)
            if is_skipped(child):
                piece.add(child.tail)
                continue
            if tag not in BLOCKS and tag not in ("table", "br"):
                piece = self.read_children(child, piece, part)  # inline
                piece.add(child.tail)
                continue
            self.emit(piece)
            next_part = part
            if tag == "table":
                self.read_table(child)
            elif tag == "pre":
                self.read_pre(child)
            elif tag == "br":
                self.breaks[part] += 1
                next_part = f"{part}/br[{self.breaks[part]}]"
            else:
                self.read_flow(child, self.path_of(child))
            piece = Piece(next_part, tail_line(child, piece.line))
            piece.add(child.tail)
        return piece

    def read_table(self, table: etree._Element) -> None:
        """Rows as wide as the table's grid: a cell spanning rows or columns keeps its text at
        its top-left position, the other positions it covers are empty. A nested table, or a
        layout cell holding a whole article, is read after the row that holds it."""
        self.table_ids += 1
        table_id, name = self.table_ids, self.path_of(table)
        for caption in (c for c in table if tag_of(c) == "caption" and not is_skipped(c)):
            self.read_flow(caption, self.path_of(caption))
        rows = table_rows(table)
        grid = layout(rows)
        width = max((len(row) for row in grid), default=0)
        for r, (tr, placed) in enumerate(zip(rows, grid, strict=True), start=1):
            later: list[tuple[etree._Element, str]] = []
            cells: list[RawLine] = []
            for c in range(width):
                element = placed[c] if c < len(placed) else None
                step = cell_path(tr, element) if element is not None else f"td[{c + 1}]"
                where = element if element is not None else tr
                piece = Piece(f"{name}/tr[{r}]/{step}", where.sourceline or 1)
                if element is not None and is_article(element):
                    later.append((element, piece.part))
                elif element is not None:
                    self.read_cell(element, piece, later)
                    self.sources.append(SourceLine(1, piece.line, piece.text()))
                cells.append(piece.raw_line())
            # No text of its own: a table row is never a running header for normalize to drop.
            self.lines.append(
                RawLine("", 1, tr.sourceline or 1, f"{name}/tr[{r}]", None, False, cells, table_id)
            )
            for element, part in later:
                if tag_of(element) == "table":
                    self.read_table(element)
                else:
                    self.read_flow(element, part)

    def read_cell(
        self, element: etree._Element, piece: Piece, later: list[tuple[etree._Element, str]]
    ) -> None:
        """A cell's text in one piece: blocks and line breaks inside it become spaces."""
        piece.add(element.text)
        for child in element:
            tag = tag_of(child)
            if is_skipped(child):
                pass
            elif tag == "table":
                later.append((child, ""))
                piece.add(" ")
            elif tag == "br" or tag in BLOCKS:
                piece.add(" ")
                self.read_cell(child, piece, later)
                piece.add(" ")
            else:
                self.read_cell(child, piece, later)
            piece.add(child.tail)

    def read_pre(self, pre: etree._Element) -> None:
        """Preformatted text keeps its lines (and normalize joins them if they were wrapped)."""
        part, first = self.path_of(pre), pre.sourceline or 1
        for k, text in enumerate("".join(pre.itertext()).split("\n")):
            origins = [Origin(1, first + k, col, part) for col in range(len(text))]
            self.lines.append(RawLine(text, 1, first + k, part, origins or None))
            self.sources.append(SourceLine(1, first + k, text))

    def source_lines(self) -> tuple[SourceLine, ...]:
        """One source line per line of the file that holds one piece of text; a line holding
        several (a page written on one line) gets none rather than the wrong one."""
        seen = Counter(source.line for source in self.sources if source.text)
        return tuple(s for s in self.sources if s.text and seen[s.line] == 1)


def is_article(cell: etree._Element) -> bool:
    """A layout cell around a page's article, not a table cell: long, in paragraphs."""
    paragraphs = sum(1 for e in cell.iter() if tag_of(e) in PARAGRAPHS)
    return paragraphs >= 3 and len(cell.text_content()) > ARTICLE_LENGTH


def tail_line(child: etree._Element, fallback: int) -> int:
    """The source line where the text after `child` starts: the next element's line, less the
    line breaks in that text."""
    following = child.getnext()
    if following is not None and following.sourceline and child.tail:
        return max(1, following.sourceline - child.tail.count("\n"))
    return child.sourceline or fallback


def table_rows(table: etree._Element) -> list[etree._Element]:
    """The table's own rows (directly or in thead/tbody/tfoot), not those of nested tables."""
    rows: list[etree._Element] = []
    for child in table:
        tag = tag_of(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ROW_GROUPS:
            rows += [tr for tr in child if tag_of(tr) == "tr"]
    return rows


def span(element: etree._Element, name: str) -> int:
    try:
        return min(MAX_SPAN, max(1, int(element.get(name, "1").strip() or 1)))
    except ValueError:
        return 1


def layout(rows: list[etree._Element]) -> list[list[etree._Element | None]]:
    """Each row's grid positions: the cell placed there, or None (covered by a span or empty)."""
    grid: list[list[etree._Element | None]] = [[] for _ in rows]
    taken: set[tuple[int, int]] = set()
    for r, tr in enumerate(rows):
        column = 0
        for cell in (c for c in tr if tag_of(c) in CELLS):
            while (r, column) in taken:
                column += 1
            rowspan, colspan = min(span(cell, "rowspan"), len(rows) - r), span(cell, "colspan")
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, column + dc))
            row = grid[r]
            row += [None] * (column + 1 - len(row))
            row[column] = cell
            column += colspan
        width = max((c for rr, c in taken if rr == r), default=-1) + 1
        grid[r] += [None] * (width - len(grid[r]))
    return grid


def cell_path(tr: etree._Element, cell: etree._Element) -> str:
    """td[k] or th[k]: the k-th cell of that tag in its row, as an XPath step counts it."""
    tag = tag_of(cell)
    same = [c for c in tr if tag_of(c) == tag]
    return f"{tag}[{same.index(cell) + 1}]"
