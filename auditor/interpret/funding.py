"""The funding block of a 自评表 (年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 by
年度资金总额 / 其中 rows), found by its header words, and the same block flattened to one line."""

from __future__ import annotations

from dataclasses import replace

import regex

from auditor.interpret.tables import Grid, header_key
from auditor.model import Breakdown, Cell, Fact, Quantity, Table

COLUMN_WORDS = {
    "budget.initial": "年初预算数",
    "budget.adjusted": "全年预算数",
    "spending.total": "全年执行数",
    "execution.weight": "分值",
    "execution.rate": "执行率",
    "execution.score": "得分",
}
FUNDING_COLUMNS = {
    "年初预算数": "budget.initial",
    "全年预算数": "budget.adjusted",
    "全年执行数": "spending.total",
    "分值": "execution.weight",
    "执行率": "execution.rate",
    "得分": "execution.score",
}
FUNDING_ROW = regex.compile(
    r"^(年度资金总额|资金总额|(?:其中[:]?)?\s*(?:当年|本年)?财政拨款|上年结转(?:资金)?|其他资金)[:]?$"
)
TABLE_UNIT = regex.compile(r"[(（]\s*(万元|元|亿元)")


def funding_block(grid: Grid) -> tuple[list[Fact], list[Breakdown]]:
    rows = grid.table.rows
    for i, row in enumerate(rows):
        columns = {
            c.col: key for c in row if (key := header_key(grid.cell_text(c), FUNDING_COLUMNS))
        }
        if len(set(columns.values())) >= 3:
            unit_match = TABLE_UNIT.search(" ".join(grid.cell_text(c) for c in row))
            unit = unit_match.group(1) if unit_match else "万元"
            return funding_rows(grid, rows[i + 1 :], columns, unit)
    return [], []


def funding_rows(
    grid: Grid, rows: tuple, columns: dict[int, str], unit: str
) -> tuple[list[Fact], list[Breakdown]]:
    facts: list[Fact] = []
    cells_by_row: list[tuple[str, dict[str, Quantity]]] = []
    for row in rows:
        label_cell = next((c for c in row if FUNDING_ROW.match(grid.cell_text(c))), None)
        if label_cell is None:
            if cells_by_row:
                break
            continue
        label = regex.sub(r"^其中[:]?\s*|[:]$", "", grid.cell_text(label_cell))
        values: dict[str, Quantity] = {}
        for cell in row:
            concept = (
                columns.get(cell.col) if cell.col > label_cell.col else None
            )  # a label after its figures: the row is out of line
            figure = grid.figure(cell) if concept else None
            if concept and figure:
                figure_unit = (
                    "%"
                    if concept == "execution.rate"
                    else "分"
                    if concept.startswith("execution.")
                    else unit
                )
                values[concept] = replace(figure, unit=figure.unit or figure_unit)
        subject = "" if "总额" in label else label
        for concept, q in values.items():
            facts.append(
                Fact(
                    concept,
                    str(q.value),
                    q.start,
                    q.end,
                    f"{label}{COLUMN_WORDS[concept]}",
                    label_cell.start,
                    subject,
                    q,
                    "表头",
                )
            )
        cells_by_row.append((subject, values))
    return facts, column_sums(cells_by_row)


def column_sums(rows: list[tuple[str, dict[str, Quantity]]]) -> list[Breakdown]:
    """年度资金总额 = 财政拨款 + 上年结转 + 其他资金, column by column."""
    if not rows or rows[0][0]:
        return []
    total, parts = rows[0][1], rows[1:]
    found = []
    for concept in ("budget.initial", "budget.adjusted", "spending.total"):
        listed = [values[concept] for _, values in parts if concept in values]
        if concept in total and listed:
            found.append(
                Breakdown(
                    total[concept],
                    tuple(listed),
                    True,
                    "其中",
                    f"年度资金总额{COLUMN_WORDS[concept]}",
                )
            )
    return found


# A self-evaluation table flattened to one line by a web copy: "年初预算数 全年预算数 全年执行数
# 分值 执行率 得分 年度资金总额: 0 0 0 10 0 0 其中:本年财政拨款 202.64 132.912 132.912 …".
FLAT_HEADER = regex.compile(
    r"(年初预算数)?\s*(全年预算数)\s*(全年执行数)\s*(分值)?\s*(执行率)?\s*(得分)?"
)
FLAT_ROW = regex.compile(
    r"\s*(年度资金总额|其中[:]?\s*(?:当年|本年)?财政拨款|上年结转资金|其他资金)[:]?"
)
FLAT_FIGURE = regex.compile(r"\s*(-?\d[\d.,]*%?)")


def flat_funding_table(text: str) -> Table | None:
    """Rebuild the funding block of a flattened table as a Table over the same text."""
    header = next((m for m in FLAT_HEADER.finditer(text) if m.group(3)), None)
    if header is None:
        return None
    head = [
        Cell(header.start(g), header.end(g), 0, k + 1)
        for k, g in enumerate(g for g in range(1, 7) if header.group(g))
    ]
    rows: list[tuple[Cell, ...]] = [tuple(head)]
    pos = header.end()
    while (row := FLAT_ROW.match(text, pos)) is not None:
        cells = [Cell(row.start(1), row.end(1), len(rows), 0)]
        pos = row.end()
        while (figure := FLAT_FIGURE.match(text, pos)) is not None and len(cells) <= len(head):
            cells.append(Cell(figure.start(1), figure.end(1), len(rows), len(cells)))
            pos = figure.end()
        rows.append(tuple(cells))
    return Table(tuple(rows)) if len(rows) > 1 else None
