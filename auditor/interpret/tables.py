"""The standard 自评表, understood from its headers: the funding block, the indicator rows, 总分.

Column order, merged header cells, a missing 年初预算数 column and the unit in a header
("(万元)", "(元)") vary between provinces, so every column is found by its header word."""

from __future__ import annotations

from dataclasses import dataclass, replace

import regex

from auditor.model import Breakdown, Cell, Fact, Indicator, Quantity, Table

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
INDICATOR_HEADERS = {
    "三级指标": "name",
    "指标名称": "name",
    "指标性质": "comparator",
    "年度指标值": "target",
    "指标值": "target",
    "度量单位": "unit",
    "计量单位": "unit",
    "实际完成值": "actual",
    "分值": "weight",
    "得分": "score",
    "偏差原因": "note",
    "一级指标": "level1",
}
COMPARATORS = {
    "≥": ">=",
    "≧": ">=",
    "≤": "<=",
    "≦": "<=",
    "=": "=",
    "═": "=",
    ">": ">",
    "<": "<",
    "大于等于": ">=",
    "小于等于": "<=",
    "等于": "=",
}
LEVEL1_WEIGHT = regex.compile(r"[(（]\s*(\d+)\s*分\s*[)）]")
TOTAL_ROW = regex.compile(r"^(总分|合计|总计)$")
GRADE_CELL = regex.compile(r"^(优秀|良好|合格|不合格|优|良|中|差)$")


@dataclass(frozen=True, slots=True)
class Grid:
    """A table with its cell texts and the figures standing in each cell."""

    text: str
    table: Table
    numbers: list[Quantity]

    def cell_text(self, cell: Cell) -> str:
        return self.text[cell.start : cell.end].strip()

    def figures(self, cell: Cell) -> list[Quantity]:
        return [q for q in self.numbers if cell.start <= q.value_start < cell.end]

    def figure(self, cell: Cell) -> Quantity | None:
        found = self.figures(cell)
        return found[0] if len(found) == 1 else None


def header_key(text: str, names: dict[str, str]) -> str:
    clean = regex.sub(r"\s|[(（].*", "", text)
    for word in sorted(names, key=len, reverse=True):
        if clean.startswith(word) or (len(word) >= 3 and word in clean):
            return names[word]
    return ""


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


def indicator_columns(
    grid: Grid, header_rows: list[tuple[Cell, ...]], width: int
) -> dict[int, str]:
    """Header words placed over a data row of `width` cells: a header row as wide as the data
    maps straight down; a narrower one (merged cells) maps from the right, except the row of
    一级/二级/三级指标, which maps from the left."""
    columns: dict[int, str] = {}
    for row in header_rows:
        left = len(row) == width or any("三级指标" in grid.cell_text(c) for c in row)
        for k, cell in enumerate(row):
            key = header_key(grid.cell_text(cell), INDICATOR_HEADERS)
            col = k if left else width - (len(row) - k)
            if key and 0 <= col < width and (left or col not in columns):
                columns[col] = key
    return columns


def indicator_block(grid: Grid) -> tuple[list[Indicator], list[Breakdown], list[Fact]]:
    rows = grid.table.rows
    for i, row in enumerate(rows):
        keys = {header_key(grid.cell_text(c), INDICATOR_HEADERS) for c in row}
        if {"weight", "score"} <= keys and ("actual" in keys or "name" in keys):
            headers = [row] + [
                r
                for r in rows[i + 1 : i + 2]
                if any(header_key(grid.cell_text(c), INDICATOR_HEADERS) == "name" for c in r)
            ]
            return indicator_rows(grid, headers, rows[i + len(headers) :])
    return [], [], []


@dataclass(slots=True)
class Group:
    """The rows under one 一级指标 ("产出指标(50分)"): closed once the next group or 总分 starts."""

    name: str
    weight: Quantity | None
    members: list[Indicator]
    closed: bool = False


def indicator_rows(
    grid: Grid, headers: list, rows: tuple
) -> tuple[list[Indicator], list[Breakdown], list[Fact]]:
    indicators: list[Indicator] = []
    groups: list[Group] = []
    totals: list[Fact] = []
    for row in rows:
        first = next((grid.cell_text(c) for c in row if grid.cell_text(c)), "")
        if TOTAL_ROW.match(first):
            totals = total_row(grid, row)
            break
        columns = indicator_columns(grid, headers, len(row))
        cells = {key: cell for cell in row if (key := columns.get(cell.col))}
        level1 = cells.get("level1")
        # A merged 一级指标 cell is empty below its first row (or repeats its text): same group.
        if (
            level1 is not None
            and grid.cell_text(level1)
            and not (groups and groups[-1].name == grid.cell_text(level1))
        ):
            if groups:
                groups[-1].closed = True
            groups.append(Group(grid.cell_text(level1), level1_weight(grid, level1), []))
        indicator = read_indicator_row(grid, cells)
        if indicator:
            indicators.append(indicator)
            if groups:
                groups[-1].members.append(indicator)
    if totals and groups:
        groups[-1].closed = True
    return indicators, group_sums(groups), totals + group_facts(groups)


def group_sums(groups: list[Group]) -> list[Breakdown]:
    """Σ 三级指标分值 under a 一级指标 = the weight its header states."""
    return [
        Breakdown(
            g.weight,
            tuple(i.weight for i in g.members if i.weight),
            True,
            "一级指标",
            g.name,
            exact=True,
        )
        for g in groups
        if g.weight and g.closed and any(i.weight for i in g.members)
    ]


def group_facts(groups: list[Group]) -> list[Fact]:
    return [
        Fact(
            "indicator.level1_weight",
            str(g.weight.value),
            g.weight.start,
            g.weight.end,
            g.name,
            g.weight.start,
            regex.sub(r"[(（].*", "", g.name),
            g.weight,
            "一级指标",
        )
        for g in groups
        if g.weight
    ]


def level1_weight(grid: Grid, cell: Cell) -> Quantity | None:
    return next((q for q in grid.figures(cell) if q.unit == "分"), None)


def read_indicator_row(grid: Grid, cells: dict[str, Cell]) -> Indicator | None:
    name_cell = cells.get("name")
    if name_cell is None or not grid.cell_text(name_cell):
        return None
    weight = grid.figure(cells["weight"]) if "weight" in cells else None
    score = grid.figure(cells["score"]) if "score" in cells else None
    if weight is None and score is None:
        return None
    target = grid.figure(cells["target"]) if "target" in cells else None
    unit = grid.cell_text(cells["unit"]) if "unit" in cells else ""
    comparator = (
        COMPARATORS.get(grid.cell_text(cells["comparator"]), "") if "comparator" in cells else ""
    )
    if target is not None:
        target = replace(
            target, comparator=target.comparator or comparator, unit=target.unit or unit
        )
    actual = grid.figure(cells["actual"]) if "actual" in cells else None
    if actual is not None and target is not None and not actual.unit:
        actual = replace(actual, unit=target.unit)
    text_of = lambda key: grid.cell_text(cells[key]) if key in cells else ""  # noqa: E731
    return Indicator(
        name=grid.cell_text(name_cell),
        name_start=name_cell.start,
        name_end=name_cell.end,
        target=target,
        target_text=text_of("target"),
        actual=actual,
        actual_text=text_of("actual"),
        weight=replace(weight, unit="分") if weight else None,
        score=replace(score, unit="分") if score else None,
        deviation_note=text_of("note"),
        note_expected="note" in cells,
        start=name_cell.start,
        end=max(c.end for c in cells.values()),
    )


def total_row(grid: Grid, row: tuple[Cell, ...]) -> list[Fact]:
    """总分 | 100 | 96 | 优: the total of weights, the overall score, the grade."""
    label = row[0]
    figures = [q for c in row for q in grid.figures(c)]
    facts: list[Fact] = []
    concepts = ["score.weights_total", "score.total"] if len(figures) >= 2 else ["score.total"]
    for concept, q in zip(concepts, figures, strict=False):
        q = replace(q, unit="分")
        facts.append(
            Fact(concept, str(q.value), q.start, q.end, "总分", label.start, quantity=q, cue="总分")
        )
    for cell in row:
        m = GRADE_CELL.match(grid.cell_text(cell))
        if m:
            facts.append(
                Fact(
                    "grade",
                    m.group(1)[0] if m.group(1) in ("优秀", "良好") else m.group(1),
                    cell.start,
                    cell.end,
                    "总分",
                    label.start,
                    cue="表格",
                )
            )
    return facts


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
