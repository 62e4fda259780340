"""Turn source lines into normalized text with a source map, whatever the format.

Readers hand over lines (with their page, line number and, for tables, cells); this module
folds full-width forms, drops the spaces that layout puts around Chinese text, joins the lines
a hard wrap broke (the seed report wraps every ~28 characters and cuts "2522.66" from its
"万元"), drops page numbers and running headers, and records for every character of the result
where it came from."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

import regex

from auditor.model import HEADING, Cell, Document, Origin, SourceLine, Table

PAGE_NUMBER = regex.compile(
    r"^\s*(?:[-—–]\s*)?(\d{1,3})(?:\s*[-—–])?\s*$|^\s*第\s*(\d{1,3})\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?\s*$|^\s*(\d{1,3})\s*/\s*\d{1,3}\s*$"
)
TABLE_BAR = "|"


@dataclass(slots=True)
class RawLine:
    """One line as a reader saw it.

    A text file gives text, page and line; a richer reader adds, per character, where it came
    from (`origins`: a PDF box, a DOCX run), says whether the line runs on into the next one
    (`wraps`: None lets the width of the lines decide), or hands a table row over as its cells
    (`cells`, each a RawLine; rows with the same `table` number form one table)."""

    text: str
    page: int
    line: int
    part: str = ""
    origins: list[Origin] | None = None
    wraps: bool | None = None
    cells: list[RawLine] | None = None
    table: int = -1

    def origin_at(self, column: int) -> Origin:
        if self.origins:
            return self.origins[min(column, len(self.origins) - 1)]
        return Origin(self.page, self.line, column, self.part)


def fold_char(ch: str) -> str:
    """Full-width digits, letters and punctuation to their ASCII forms; other text unchanged."""
    code = ord(ch)
    if ch == "\u3000":
        return " "
    if 0xFF01 <= code <= 0xFF5E or 0xFE30 <= code <= 0xFE6F:
        folded = unicodedata.normalize("NFKC", ch)
        return folded if len(folded) == 1 else ch
    if ch in "\t\f\xa0\u2002\u2003\u2009\u200b":
        return " "
    if (code < 0x20 or 0x7F <= code <= 0x9F) and ch != "\n":
        return " "  # a control character (a terminal escape in a document) shows as a blank
    return ch


def fold(text: str) -> str:
    return "".join(fold_char(ch) for ch in text)


def is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def display_width(text: str) -> int:
    return sum(2 if is_wide(c) else 1 for c in text)


def is_cjk(ch: str) -> bool:
    return is_wide(ch) and not ch.isdigit()


class Builder:
    """Accumulates normalized text and, character by character, where it came from."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.origins: list[Origin] = []

    @property
    def offset(self) -> int:
        return len(self.chars)

    def add(self, ch: str, origin: Origin) -> None:
        self.chars.append(ch)
        self.origins.append(origin)

    def add_line_text(self, line: RawLine, lo: int = 0, hi: int | None = None) -> None:
        """Append line.text[lo:hi], folded, with spaces next to Chinese text dropped."""
        text = line.text
        hi = len(text) if hi is None else hi
        folded = [(fold_char(text[i]), i) for i in range(lo, hi)]
        for k, (ch, col) in enumerate(folded):
            if ch == " ":
                prev = self.chars[-1] if self.chars else "\n"
                nxt = next((c for c, _ in folded[k + 1 :] if c != " "), "\n")
                if prev in " \n" or nxt == "\n" or is_cjk(prev) or is_cjk(nxt):
                    continue
            self.add(ch, line.origin_at(col))

    def newline(self, origin: Origin) -> None:
        while self.chars and self.chars[-1] == " ":
            self.chars.pop()
            self.origins.pop()
        if self.chars and self.chars[-1] != "\n":
            self.add("\n", origin)

    def text(self) -> str:
        return "".join(self.chars)


def split_pages(lines: list[RawLine]) -> list[list[RawLine]]:
    pages: dict[int, list[RawLine]] = {}
    for line in lines:
        pages.setdefault(line.page, []).append(line)
    return [pages[p] for p in sorted(pages)]


def edge_lines(page: list[RawLine]) -> list[RawLine]:
    filled = [ln for ln in page if ln.text.strip()]
    return filled[:1] + filled[-1:] if filled else []


def drop_page_furniture(lines: list[RawLine]) -> list[RawLine]:
    """Page numbers (a rising sequence at page edges) and headers repeated on ≥3 pages."""
    pages = split_pages(lines)
    if len(pages) < 2:
        return lines
    numbered = [
        (ln, m) for page in pages for ln in edge_lines(page) if (m := PAGE_NUMBER.match(ln.text))
    ]
    numbers = [int(next(g for g in m.groups() if g)) for _, m in numbered]
    drop: set[int] = set()
    if len(numbered) >= 2 and all(b > a for a, b in zip(numbers, numbers[1:], strict=False)):
        drop |= {id(ln) for ln, _ in numbered}
    repeated = Counter(ln.text.strip() for page in pages for ln in edge_lines(page))
    for page in pages:
        for ln in edge_lines(page):
            if len(pages) >= 3 and repeated[ln.text.strip()] >= 3 and len(ln.text.strip()) > 3:
                drop.add(id(ln))
    return [ln for ln in lines if id(ln) not in drop]


def wrap_width(lines: list[RawLine]) -> int | None:
    """The width a hard-wrapped text was wrapped at, or None when it was not hard-wrapped."""
    widths = [
        display_width(ln.text.strip())
        for ln in lines
        if ln.text.strip() and TABLE_BAR not in fold(ln.text)
    ]
    if len(widths) < 8:
        return None
    top = max(widths)
    full = [w for w in widths if w >= 0.82 * top]
    if top > 160 or len(full) < 0.4 * len(widths):
        return None
    return top


def is_table_row(text: str) -> bool:
    text = fold(text)  # a full-width ｜ separates cells too
    return text.count(TABLE_BAR) >= 1 and (" | " in text or text.strip().startswith(TABLE_BAR))


def add_separator(builder: Builder, origin: Origin) -> None:
    for ch in f" {TABLE_BAR} ":
        builder.add(ch, origin)


def add_table_row(builder: Builder, line: RawLine, row: int) -> list[Cell]:
    """A row, written as `a | b | c` or handed over as cells, joined by ' | ' so that no figure
    spans two cells."""
    cells: list[Cell] = []
    if line.cells is not None:
        for col, cell in enumerate(line.cells):
            if col > 0:
                add_separator(builder, cell.origin_at(0))
            start = builder.offset
            builder.add_line_text(cell)
            cells.append(Cell(start, builder.offset, row, col))
    else:
        bounds = [i for i, ch in enumerate(line.text) if fold_char(ch) == TABLE_BAR]
        edges = [-1] + bounds + [len(line.text)]
        for col, (a, b) in enumerate(zip(edges, edges[1:], strict=False)):
            if col > 0:
                add_separator(builder, line.origin_at(a))
            start = builder.offset
            builder.add_line_text(line, a + 1, b)
            cells.append(Cell(start, builder.offset, row, col))
    builder.newline(line.origin_at(len(line.text)))
    return cells


def normalize(path: str, raw_lines: list[RawLine], pages: int | None = None) -> Document:
    lines = drop_page_furniture(raw_lines)
    width = wrap_width(lines)
    builder = Builder()
    tables: list[Table] = []
    rows: list[tuple[Cell, ...]] = []
    pending_join = False
    table_id = None
    for line in lines:
        text = line.text.strip()
        if not text and line.cells is None:
            continue
        if line.cells is not None or is_table_row(line.text):
            if pending_join:
                builder.newline(line.origin_at(0))
                pending_join = False
            if rows and line.cells is not None and line.table != table_id:
                tables.append(Table(tuple(rows)))  # a reader's next table
                rows = []
            table_id = line.table
            rows.append(tuple(add_table_row(builder, line, len(rows))))
            continue
        if rows:
            tables.append(Table(tuple(rows)))
            rows = []
        if pending_join and HEADING.match(line.text):
            builder.newline(line.origin_at(0))
        builder.add_line_text(line)
        pending_join = (
            line.wraps
            if line.wraps is not None
            else width is not None and display_width(text) >= 0.82 * width
        )
        if not pending_join:
            builder.newline(line.origin_at(len(line.text)))
    if rows:
        tables.append(Table(tuple(rows)))
    if builder.chars and builder.chars[-1] != "\n":
        last = builder.origins[-1]
        builder.add("\n", last)
    source = tuple(SourceLine(ln.page, ln.line, ln.text) for ln in raw_lines)
    page_count = pages if pages is not None else max((ln.page for ln in raw_lines), default=1)
    return Document(path, builder.text(), tuple(builder.origins), source, tuple(tables), page_count)
