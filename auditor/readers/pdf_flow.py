"""The reading flow of a PDF: running headers and footers out, wrapped lines told from paragraph ends."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

import regex

from auditor.model import HEADING
from auditor.readers.normalize import PAGE_NUMBER, RawLine
from auditor.readers.pdf_layout import Line, first_word_width
from auditor.readers.pdf_tables import join_split_row

# Headers and footers stand in the top and bottom strips of a page, set off from the body.
MARGIN_ZONE = 0.12
# A line ending in a comma or colon has not ended its sentence.
RUNS_ON = set("，、：,:")
DIGITS = regex.compile(r"\d+")


@dataclass(slots=True)
class TextLine:
    """The glyphs of one visual line outside any table."""

    page: int
    line: Line
    height: float  # of the page
    ocr: bool = False  # read by OCR from a scanned page


@dataclass(slots=True)
class TableBlock:
    """One table's rows on one page; `table` is shared with its continuation on the next page."""

    page: int
    top: float
    bottom: float
    width: int
    rows: list[RawLine]
    open_cells: list[bool]  # per cell of the last row: its text fills the cell to the bottom line
    table: int = -1


Item = TextLine | TableBlock


@dataclass(slots=True)
class Margins:
    """Where the body text of a page starts and ends, and its usual line pitch (in font sizes)."""

    left: float
    right: float
    pitch: float
    per_page: dict[int, tuple[float, float]] = field(default_factory=dict)

    def edges(self, page: int) -> tuple[float, float]:
        return self.per_page.get(page, (self.left, self.right))


def item_top(item: Item) -> float:
    return item.line.top if isinstance(item, TextLine) else item.top


def item_bottom(item: Item) -> float:
    return item.line.bottom if isinstance(item, TextLine) else item.bottom


def furniture_key(line: TextLine) -> str:
    return DIGITS.sub("#", "".join(line.line.text.split()))


def edge_candidates(page: list[Item]) -> list[TextLine]:
    """The first and last line of a page when they stand in the margin strip, apart from the body
    by more than a blank line."""
    found = []
    if len(page) >= 2:
        first, second = page[0], page[1]
        if isinstance(first, TextLine) and first.line.bottom < MARGIN_ZONE * first.height:
            if item_top(second) - first.line.bottom > 1.5 * first.line.size:
                found.append(first)
        last, before = page[-1], page[-2]
        if isinstance(last, TextLine) and last.line.top > (1 - MARGIN_ZONE) * last.height:
            if last.line.top - item_bottom(before) > 1.5 * last.line.size:
                found.append(last)
    return found


def drop_furniture(pages: list[list[Item]]) -> list[list[Item]]:
    """Page numbers, and lines repeated in the margin strip of two or more pages (digits aside:
    "第 3 页" and "2023年度报告" headers). normalize() catches what is left at page edges."""
    candidates = [line for page in pages for line in edge_candidates(page)]
    counts = Counter(furniture_key(line) for line in candidates)
    drop = {
        id(line)
        for line in candidates
        if PAGE_NUMBER.match(line.line.text)
        or (len(pages) >= 2 and counts[furniture_key(line)] >= 2)
    }
    return [[item for item in page if id(item) not in drop] for page in pages]


def robust_edge(values: list[float], largest: bool) -> float:
    """The margin most lines touch: the extreme value that at least two lines reach (within 2pt),
    so that one stray line does not move it."""
    ordered = sorted(values, reverse=largest)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if abs(a - b) <= 2:
            return a
    return ordered[0]


def find_margins(lines: list[TextLine]) -> Margins:
    if not lines:
        return Margins(0.0, 0.0, 1.2)
    left = robust_edge([t.line.x0 for t in lines], largest=False)
    right = robust_edge([t.line.x1 for t in lines], largest=True)
    pitches = [
        round((b.line.top - a.line.top) / a.line.size, 1)
        for a, b in zip(lines, lines[1:], strict=False)
        if a.page == b.page and abs(a.line.size - b.line.size) < 0.5 and b.line.top > a.line.top
    ]
    pitch = statistics.mode(pitches) if pitches else 1.2
    margins = Margins(left, right, pitch)
    by_page: dict[int, list[TextLine]] = {}
    for t in lines:
        by_page.setdefault(t.page, []).append(t)
    for page, own in by_page.items():
        if len(own) >= 4:  # enough lines to have their own margins (a landscape page)
            margins.per_page[page] = (
                robust_edge([t.line.x0 for t in own], largest=False),
                robust_edge([t.line.x1 for t in own], largest=True),
            )
    return margins


def wraps(line: TextLine, after: Item | None, margins: Margins) -> bool:
    """Whether `line` runs on into the next line: the next one is body text, neither indented
    (Chinese paragraphs indent their first line by two characters) nor a heading, nor set off by
    paragraph spacing or another font size, and its first word would not have fitted at the end
    of this one — so the line breaker, not the writer, ended this line."""
    if not isinstance(after, TextLine):
        return False
    this, following = line.line, after.line
    left = margins.edges(after.page)[0]
    if following.x0 - left > 1.2 * following.size or HEADING.match(following.text):
        return False
    if unfinished(this, following):
        return True
    if abs(following.size - this.size) > 1.5:
        return False
    if after.page == line.page:
        pitch = (following.top - this.top) / this.size
        if pitch > max(1.25 * margins.pitch, margins.pitch + 0.3):
            return False
    right = margins.edges(line.page)[1]
    slack = right - this.x1
    return slack < first_word_width(following.glyphs) + 0.6 * this.size


def unfinished(this: Line, following: Line) -> bool:
    """A sentence the writer broke off mid-way, by a manual line break or a page break: the
    line ends in a comma or colon, or a label ends the line and a figure starts the next
    ("本次评价项目支出预算执行率" / "84.94%，…" in the seed report)."""
    if HEADING.match(this.text):
        return False
    last, first = this.glyphs[-1].text[-1], following.glyphs[0].text[0]
    return last in RUNS_ON or (first.isdigit() and (last.isalnum() or is_ideograph(last)))


def is_ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def decide_wraps(flow: list[Item]) -> list[bool]:
    margins = find_margins([item for item in flow if isinstance(item, TextLine)])
    nexts: list[Item | None] = [*flow[1:], None][: len(flow)]
    return [
        isinstance(item, TextLine) and wraps(item, after, margins)
        for item, after in zip(flow, nexts, strict=True)
    ]


def link_tables(pages: list[list[Item]]) -> None:
    """Number the tables; a table that ends a page and one of the same width that starts the next
    are one table split by the page break (a repeated header row is read once)."""
    headers: list[list[str]] = []  # per table, its first row's cell texts
    previous: TableBlock | None = None
    for page in pages:
        for k, item in enumerate(page):
            if not isinstance(item, TableBlock):
                continue
            if k == 0 and previous is not None and previous.width == item.width:
                continue_table(previous, item, headers[previous.table])
            else:
                item.table = len(headers)
                headers.append(cell_texts(item.rows[0]) if item.rows else [])
        last = page[-1] if page else None
        previous = last if isinstance(last, TableBlock) else None


def continue_table(previous: TableBlock, item: TableBlock, header: list[str]) -> None:
    """The part of a table on the next page: a repeated header row is read once, and a row
    that the page break split is joined."""
    item.table = previous.table
    if item.rows and cell_texts(item.rows[0]) == header:
        item.rows = item.rows[1:]
    elif item.rows and previous.rows:
        if join_split_row(previous.rows[-1], item.rows[0], previous.open_cells):
            item.rows = item.rows[1:]


def cell_texts(row: RawLine) -> list[str]:
    return [cell.text for cell in row.cells or []]
