"""Excel .xlsx reports: each sheet's tables as tables and lone text as text, placed by sheet!cell."""

from __future__ import annotations

import datetime
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import openpyxl
import regex
from defusedxml import DefusedXmlException
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from auditor.model import Document, Origin, SourceLine
from auditor.readers.errors import ReadError
from auditor.readers.limits import DEFAULT_LIMITS, PACKAGE_ERRORS, Limits
from auditor.readers.normalize import RawLine, normalize

log = logging.getLogger(__name__)

OPEN_ERRORS: tuple[type[BaseException], ...] = (
    *PACKAGE_ERRORS,
    TypeError,
    IndexError,
    AttributeError,
    InvalidFileException,
    SyntaxError,  # xml.etree's ParseError
)
ENTITIES = "工作表含 XML 实体声明（Excel 不会写出，可能是恶意构造的文件），出于安全不予读取"
PLAIN_NAME = regex.compile(r"^[^\W\d]\w*$")
# A formula with no cached result that is really text a program wrote as "=8个" (a target with
# its comparator): no cell reference and no function call, so show it as written.
LITERAL_FORMULA = regex.compile(r"^=[^A-Za-z(]*$")
QUOTED = regex.compile(r'"([^"]*)"|\\(.)|_.|\*.|\[[^\]]*\]')
PLACEHOLDER = regex.compile(r"[0#?]")
DATE_CODES = regex.compile(r"[ymdhsYMDHS]")


@dataclass(frozen=True, slots=True)
class Sheet:
    """A worksheet with, beside it, the same sheet's cached formula results (or None)."""

    index: int
    cells: Worksheet
    values: Worksheet | None


def read_xlsx(path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Every visible sheet in order; a sheet is a page, a row a line."""
    from auditor.readers.docx import package_kind, read_docx

    if package_kind(path, limits) == "word":  # a Word file named .xlsx
        return read_docx(path, limits)
    sheets = open_sheets(path)
    lines: list[RawLine] = []
    sources: list[SourceLine] = []
    table_ids = iter(range(1, 1 << 30))
    for sheet in sheets:
        read_sheet(sheet, lines, sources, table_ids)
    if not any(cell.text.strip() for line in lines for cell in line.cells or [line]):
        raise ReadError(str(path), "工作簿中没有内容（所有可见工作表都是空的）")
    pages = max((sheet.index for sheet in sheets), default=1)
    document = normalize(str(path), lines, pages=pages)
    return replace(document, lines=tuple(sources))


def open_sheets(path: Path) -> list[Sheet]:
    """Formulas as written and, when there are any, their cached results from a second load.
    openpyxl gets a file object, so that an Excel file under another name still opens."""
    try:
        data = path.read_bytes()
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
        cached = None
        if any(c.data_type == "f" for ws in book.worksheets for row in ws.iter_rows() for c in row):
            cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except DefusedXmlException:  # openpyxl parses sheets with defusedxml when it is installed
        raise ReadError(str(path), ENTITIES) from None
    except OPEN_ERRORS as exc:
        log.debug("%s: %r", path, exc)
        raise ReadError(
            str(path), "Excel 文件已损坏，无法读取（文件不完整或内容格式错误）"
        ) from None
    return [
        Sheet(k, ws, cached[ws.title] if cached else None)
        for k, ws in enumerate(book.worksheets, start=1)
        if ws.sheet_state == "visible"
    ]


def read_sheet(
    sheet: Sheet, lines: list[RawLine], sources: list[SourceLine], table_ids: Iterator[int]
) -> None:
    """Rows with two or more filled cells (or a bordered row of a form) are table rows, as wide
    as the sheet's used columns; a row holding one bit of text outside the form is a line.
    Only lines are source lines: an origin's column counts in its cell, so a row shown whole
    would put the marker under the wrong cell."""
    ws = sheet.cells
    rows, columns = used_range(ws)
    if not columns:
        return
    spans = merge_spans(ws)
    bordered = any(has_border(c) for row in ws.iter_rows() for c in row)
    table = next(table_ids)
    for r in rows:
        cells = [cell_line(sheet, r, c) for c in columns]
        filled = [(c, cell) for c, cell in zip(columns, cells, strict=True) if cell.text.strip()]
        if not filled and not any(has_border(ws.cell(r, c)) for c in columns):
            table = next(table_ids)  # a blank row ends a table
            continue
        if len(filled) == 1 and is_text_row(ws, r, filled[0][0], columns, spans, bordered):
            lines.append(filled[0][1])
            sources.append(SourceLine(sheet.index, r, filled[0][1].text))
            table = next(table_ids)
            continue
        # No text of its own: a table row is never a running header for normalize to drop.
        part = f"{sheet_name(ws)}!{r}:{r}"
        lines.append(RawLine("", sheet.index, r, part, wraps=False, cells=cells, table=table))


def used_range(ws: Worksheet) -> tuple[range, list[int]]:
    """Rows and columns from the first to the last holding anything (formatting alone does
    not count: a sheet styled down to row 10000 is not 10000 rows long)."""
    found = [(c.row, c.column) for row in ws.iter_rows() for c in row if c.value not in (None, "")]
    if not found:
        return range(0), []
    rows, columns = [r for r, _ in found], [c for _, c in found]
    return range(min(rows), max(rows) + 1), list(range(min(columns), max(columns) + 1))


def merge_spans(ws: Worksheet) -> dict[tuple[int, int], int]:
    """(row, column) of each merged range's top-left cell → how many columns it covers."""
    return {
        (rng.min_row, rng.min_col): rng.max_col - rng.min_col + 1 for rng in ws.merged_cells.ranges
    }


def has_border(cell: Any) -> bool:
    border = getattr(cell, "border", None)
    if border is None:
        return False
    return any(getattr(border, side).style for side in ("left", "right", "top", "bottom"))


def is_text_row(
    ws: Worksheet,
    row: int,
    column: int,
    columns: list[int],
    spans: dict[tuple[int, int], int],
    bordered: bool,
) -> bool:
    """A title, a note or a paragraph: merged across the whole width, or an unbordered cell
    (in a sheet without borders, one that starts at the left edge)."""
    if spans.get((row, column), 1) >= len(columns):
        return True
    if has_border(ws.cell(row, column)):
        return False
    return bordered or column == columns[0]


def cell_line(sheet: Sheet, row: int, column: int) -> RawLine:
    """A cell's text as Excel shows it, each character placed at sheet!cell."""
    ws = sheet.cells
    cell = ws.cell(row, column)
    part = f"{sheet_name(ws)}!{get_column_letter(column)}{row}"
    text = cell_text(cell, sheet.values.cell(row, column) if sheet.values else None)
    origins = [Origin(sheet.index, row, k, part) for k in range(len(text))]
    return RawLine(text, sheet.index, row, part, origins or None, wraps=False)


def sheet_name(ws: Worksheet) -> str:
    title = str(ws.title)
    return title if PLAIN_NAME.match(title) else "'" + title.replace("'", "''") + "'"


def cell_text(cell: Any, cached: Any) -> str:
    """Merged-over positions are empty; formulas show their cached result."""
    if not isinstance(cell, SheetCell):
        return ""
    value, number_format = cell.value, cell.number_format or "General"
    if cell.data_type == "f":
        value = cached.value if cached is not None else None
        if value is None:  # never calculated (written by a program)
            formula = str(cell.value)
            return formula if LITERAL_FORMULA.match(formula) else ""
    return display(value, number_format)


def display(value: Any, number_format: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int | float):
        return format_number(value, number_format)
    return str(value)


def format_number(value: float, number_format: str) -> str:
    """A number as its format shows it: decimals, percent, thousands, literal text around it
    (trailing zeros count, so "0.00" turns 874.2 into "874.20")."""
    number = Decimal(f"{value:.15g}")  # what Excel keeps: 15 significant digits
    if not number.is_finite():
        return ""
    try:
        return apply_format(number, number_format)
    except InvalidOperation:  # more decimals than Decimal's precision: a broken format
        return plain(number)


def apply_format(number: Decimal, number_format: str) -> str:
    sections = number_format.split(";")
    section = sections[0]
    if number < 0 and len(sections) > 1:
        section, number = sections[1], -number  # the negative section writes its own sign
    elif number == 0 and len(sections) > 2:
        section = sections[2]
    if section.strip().lower() in ("general", "@", ""):
        return plain(number)
    literal = QUOTED.sub(lambda m: m.group(1) or m.group(2) or "", section)
    places = [m.start() for m in PLACEHOLDER.finditer(literal)]
    if not places:  # a zero shown as "-", or a date/time format openpyxl did not convert
        return plain(number) if DATE_CODES.search(literal) else literal.strip() or plain(number)
    head, tail = literal[: places[0]], literal[places[-1] + 1 :]
    pattern = literal[places[0] : places[-1] + 1]
    if "%" in literal:
        number *= 100
    decimals = len(PLACEHOLDER.findall(pattern.split(".", 1)[1])) if "." in pattern else 0
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    digits = f"{rounded:,f}" if "," in pattern.split(".")[0] else f"{rounded:f}"
    return f"{head.strip()}{digits}{tail.strip()}"


def plain(number: Decimal) -> str:
    """General format: no exponent, no trailing zeros."""
    text = f"{number.normalize():f}"
    return text if "." not in text else text.rstrip("0").rstrip(".")
