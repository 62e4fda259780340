"""Ruled tables on a PDF page: pdfplumber's table finder on the page's rules, filled with glyphs."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pdfminer.layout import LTContainer, LTCurve, LTRect

from auditor.model import Origin
from auditor.readers.normalize import RawLine
from auditor.readers.pdf_layout import Box, Glyph, first_word_width, spaced


@dataclass(slots=True)
class Grid:
    """A table pdfplumber found: per row, one box per grid position (None where a merged cell
    covers it). Every row is as wide as the grid."""

    bbox: Box
    rows: list[list[Box | None]]

    @property
    def width(self) -> int:
        return len(self.rows[0])

    def holds(self, glyph: Glyph) -> bool:
        x, y = (glyph.x0 + glyph.x1) / 2, glyph.middle
        return self.bbox[0] <= x <= self.bbox[2] and self.bbox[1] <= y <= self.bbox[3]


@dataclass(frozen=True, slots=True)
class Frame:
    """What pdfplumber's TableFinder reads of a page when every ruling line is handed to it
    explicitly: only the page's box. So the page need not be parsed a second time by pdfplumber,
    and a rotated page is measured as its text is."""

    bbox: Box


def find_grids(layout: Any, flip: float) -> list[Grid]:
    """Tables drawn with ruling lines; a one-column grid is a framed paragraph, read as text."""
    return grids_from_edges(rule_edges(layout, flip), layout.width, layout.height)


def segment_edges(segments: Iterable[Box], flip: float) -> list[dict[str, Any]]:
    """Ruling lines given as (x0, top, x1, bottom) from the page's top left (those found in a
    scanned page's image), as pdfplumber's edges."""
    found = (edge((x0, flip - top), (x1, flip - bottom), flip) for x0, top, x1, bottom in segments)
    return [e for e in found if e]


def grids_from_edges(edges: list[dict[str, Any]], width: float, height: float) -> list[Grid]:
    """pdfplumber's table finder on the given ruling lines of a page of that size."""
    from pdfplumber.table import TableFinder  # imported only for a page with ruling lines

    vertical = [e for e in edges if e["orientation"] == "v"]
    horizontal = [e for e in edges if e["orientation"] == "h"]
    if len(vertical) < 2 or len(horizontal) < 2:
        return []
    settings = {
        "vertical_strategy": "explicit",
        "horizontal_strategy": "explicit",
        "explicit_vertical_lines": vertical,
        "explicit_horizontal_lines": horizontal,
    }
    grids = []
    frame: Any = Frame((0.0, 0.0, width, height))  # stands in for a Page
    for table in TableFinder(frame, settings).tables:
        rows = [list(row.cells) for row in table.rows]
        if rows and len(rows[0]) >= 2:
            grids.append(Grid(table.bbox, rows))
    return grids


def rule_edges(items: Iterable[Any], flip: float) -> list[dict[str, Any]]:
    """Horizontal and vertical segments of the page's lines, rectangles and paths, as pdfplumber's
    edges (top-down coordinates)."""
    edges = []
    for item in items:
        if isinstance(item, LTRect):
            x0, y0, x1, y1 = item.bbox
            segments = [((x0, y0), (x1, y0)), ((x0, y1), (x1, y1))]
            segments += [((x0, y0), (x0, y1)), ((x1, y0), (x1, y1))]
        elif isinstance(item, LTCurve):
            segments = list(zip(item.pts, item.pts[1:], strict=False))
        elif isinstance(item, LTContainer):
            edges += rule_edges(item, flip)
            continue
        else:
            continue
        edges += [e for (a, b) in segments if (e := edge(a, b, flip))]
    return edges


def edge(a: tuple[float, float], b: tuple[float, float], flip: float) -> dict[str, Any] | None:
    (ax, ay), (bx, by) = a, b
    x0, x1, top, bottom = min(ax, bx), max(ax, bx), flip - max(ay, by), flip - min(ay, by)
    if bottom - top < 0.01 and x1 - x0 >= 1:
        orientation = "h"
    elif x1 - x0 < 0.01 and bottom - top >= 1:
        orientation = "v"
    else:
        return None  # a slanted stroke, or a dot
    return {
        "object_type": "rule_edge",
        "orientation": orientation,
        "x0": x0,
        "x1": x1 if orientation == "h" else x0,
        "top": top,
        "bottom": bottom if orientation == "v" else top,
        "doctop": top,
        "y0": flip - (bottom if orientation == "v" else top),
        "y1": flip - top,
        "width": x1 - x0 if orientation == "h" else 0.0,
        "height": bottom - top if orientation == "v" else 0.0,
    }


def fill_grid(grid: Grid, glyphs: list[Glyph]) -> tuple[list[list[list[Glyph]]], list[Glyph]]:
    """The glyphs of each grid position, and those inside the table but in no cell. A merged
    cell's box spans the positions it covers, so its text lands once, in its first position."""
    slots: list[list[list[Glyph]]] = [[[] for _ in row] for row in grid.rows]
    cells = [(box, r, c) for r, row in enumerate(grid.rows) for c, box in enumerate(row) if box]
    stray = []
    for glyph in glyphs:
        x, y = (glyph.x0 + glyph.x1) / 2, glyph.middle
        for box, r, c in cells:
            if box[0] <= x <= box[2] and box[1] <= y <= box[3]:
                slots[r][c].append(glyph)
                break
        else:
            stray.append(glyph)
    return slots, stray


def table_padding(grid: Grid, slots: list[list[list[Glyph]]]) -> float:
    """The space between a cell's border and its text, the least found in any cell of the
    table: centred text is further in, and must not look like a line that fills its cell."""
    gaps = [
        min(g.x0 for g in glyphs) - box[0]
        for boxes, row in zip(grid.rows, slots, strict=True)
        for box, glyphs in zip(boxes, row, strict=True)
        if box and glyphs
    ]
    return max(0.0, min(gaps, default=0.0))


def grid_rows(
    grid: Grid, slots: list[list[list[Glyph]]], page: int, line_tops: list[float]
) -> tuple[list[RawLine], list[bool]]:
    """One RawLine per table row, its cells as RawLines with a box per character; and, for the
    last row, which cells end in a full line (their text may run on onto the next page)."""
    padding = table_padding(grid, slots)
    rows = []
    open_cells: list[bool] = []
    for boxes, row_slots in zip(grid.rows, slots, strict=True):
        top = next(box[1] for box in boxes if box)
        number = max(1, bisect_right(line_tops, top + 0.5))  # the first line at or below
        numbers = [g.line for glyphs in row_slots for g in glyphs]
        number = min(numbers) if numbers else number
        cells = []
        open_cells = []
        for glyphs, box in zip(row_slots, boxes, strict=True):
            cell, full = cell_line(glyphs, box, page, number, padding)
            cells.append(cell)
            open_cells.append(full)
        text = " | ".join(cell.text for cell in cells)
        rows.append(RawLine(text, page, number, cells=cells))
    return rows, open_cells


def cell_lines(glyphs: list[Glyph]) -> list[list[Glyph]]:
    lines: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: (g.line, g.x0)):
        if lines and lines[-1][0].line == glyph.line:
            lines[-1].append(glyph)
        else:
            lines.append([glyph])
    return lines


def cell_line(
    glyphs: list[Glyph], box: Box | None, page: int, number: int, padding: float
) -> tuple[RawLine, bool]:
    """A cell's text on one line: a line that the cell's width broke runs on without a break
    ("≤2872.6" / "8万元" is one figure), a line broken by hand is set off by a space. Also
    whether its last line fills the cell."""
    if not glyphs or box is None:
        return RawLine("", page, number, origins=[]), False
    lines = cell_lines(glyphs)
    limit = box[2] - padding
    chars: list[str] = []
    origins: list[Origin] = []
    for k, line in enumerate(lines):
        by_hand = limit - lines[k - 1][-1].x1 >= first_word_width(line) + 0.3 * line[0].size
        if k and chars and by_hand:
            chars.append(" ")
            origins.append(origins[-1])
        for ch, where, row in spaced(line):
            origins.append(Origin(page, row, len(chars), "", where))
            chars.append(ch)
    full = limit - lines[-1][-1].x1 < 2 * lines[-1][-1].size
    return RawLine("".join(chars), page, lines[0][0].line, origins=origins), full


def join_split_row(last: RawLine, first: RawLine, open_cells: list[bool]) -> bool:
    """Word lets a row break across pages: the part on the next page is a row whose only text
    continues cells that filled their last line. Join it to `last`; False when it is a row."""
    cells, parts = last.cells or [], first.cells or []
    filled = [k for k, cell in enumerate(parts) if cell.text]
    if not filled or len(parts) != len(cells) or not all(open_cells[k] for k in filled):
        return False
    for k in filled:
        a, b = cells[k], parts[k]
        cells[k] = RawLine(
            a.text + b.text, a.page, a.line, origins=[*(a.origins or []), *(b.origins or [])]
        )
    last.text = " | ".join(cell.text for cell in cells)
    return True
