"""The standard 自评表, understood from its headers: the funding block, the indicator rows, 总分.

Column order, merged header cells, a missing 年初预算数 column and the unit in a header
("(万元)", "(元)") vary between provinces, so every column is found by its header word."""

from __future__ import annotations

from dataclasses import dataclass, replace

import regex

from auditor.model import Breakdown, Cell, Fact, Indicator, Quantity, Table

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


def indicator_block(
    grid: Grid, targets_only: bool = False
) -> tuple[list[Indicator], list[Breakdown], list[Fact]]:
    """The indicator rows under their header; `targets_only`: a 绩效目标表, whose header has
    三级指标 and 指标值 but no 实际完成值, 分值 or 得分 (identity.target_table_fact says so)."""
    rows = grid.table.rows
    for i, row in enumerate(rows):
        keys = {header_key(grid.cell_text(c), INDICATOR_HEADERS) for c in row}
        scored = {"weight", "score"} <= keys and ("actual" in keys or "name" in keys)
        if scored or (targets_only and {"name", "target"} <= keys and "actual" not in keys):
            headers = [row] + [
                r
                for r in rows[i + 1 : i + 2]
                if any(header_key(grid.cell_text(c), INDICATOR_HEADERS) == "name" for c in r)
            ]
            return indicator_rows(grid, headers, rows[i + len(headers) :], not scored)
    return [], [], []


@dataclass(slots=True)
class Group:
    """The rows under one 一级指标 ("产出指标(50分)"): closed once the next group or 总分 starts."""

    name: str
    weight: Quantity | None
    members: list[Indicator]
    closed: bool = False


def indicator_rows(
    grid: Grid, headers: list, rows: tuple, targets_only: bool = False
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
        indicator = read_indicator_row(grid, cells, targets_only)
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


def read_indicator_row(
    grid: Grid, cells: dict[str, Cell], targets_only: bool = False
) -> Indicator | None:
    """One indicator row; in a target table only a row with a figure for its target counts."""
    name_cell = cells.get("name")
    if name_cell is None or not grid.cell_text(name_cell):
        return None
    weight = grid.figure(cells["weight"]) if "weight" in cells else None
    score = grid.figure(cells["score"]) if "score" in cells else None
    target = grid.figure(cells["target"]) if "target" in cells else None
    if weight is None and score is None and not (targets_only and target is not None):
        return None
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
        not_applicable=score is None and marked_not_applicable(grid, cells),
    )


def marked_not_applicable(grid: Grid, cells: dict[str, Cell]) -> bool:
    """A row scored "/" or saying 不适用: an indicator that does not apply this year; the total
    rescales the others to 100 (中央 自评表说明 "用适用指标得分汇总后按百分制折算")."""
    score = grid.cell_text(cells["score"]) if "score" in cells else ""
    return score in ("/", "／") or any("不适用" in grid.cell_text(c) for c in cells.values())


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
