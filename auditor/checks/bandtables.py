"""Regional band tables for department scores (DOMAIN.md rule 24): the score a rate earns.

A profile's `score_bands` lists tables, each for one rate concept and one weight (`full`):
  bands   steps: {max: 10, score: 2} means a rate ≤ 10% (and above the step before) earns 2;
          {min: 90, score: 5} means ≥ 90% (and below the step before) earns 5; the last step
          may give no edge (every rate beyond). 岳阳 预算调整率: 0 → 3, (0,10%] → 2 …
  deduct  {above: 100, per: 1, points: 0.5}: full marks up to 100%, 0.5 off per point above,
          down to 0 ("每超过一个百分点扣0.5分，扣完为止"); {below: 100, per: 5, points: 2}:
          "100%计满分，每低于5%扣2分". A part of a step ("每低于5%" at 96%) is read either way:
          no deduction, a whole one, or its share, as tables are filled all three ways.
Rates are in per cent. Parsing raises ValueError on a malformed table (the rule file loader
names the file and line)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from auditor.interval import Interval

TABLE_KEYS = {"rate", "name", "full", "source", "bands", "deduct"}
DEDUCT_KEYS = {"above", "below", "per", "points"}


class TableError(ValueError):
    """A malformed band table; `line` is where it stands in its file (0 if unknown)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class Step:
    edge: Decimal | None  # None: every rate beyond the step before
    score: Decimal


@dataclass(frozen=True, slots=True)
class Deduction:
    edge: Decimal
    per: Decimal
    points: Decimal
    above: bool  # deduct for each `per` points above the edge (else below it)


@dataclass(frozen=True, slots=True)
class BandTable:
    rate: str  # the rate's concept (budget.adjustment_rate, ratio.staff_control …)
    name: str
    full: Decimal  # the weight the table is written for
    source: str = ""
    steps: tuple[Step, ...] = ()
    upward: bool = True  # steps by "max" (≤ edge), else by "min" (≥ edge)
    deduct: Deduction | None = None


def number(value: Any) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"应为数字，而不是 {value!r}")
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise ValueError(f"应为数字，而不是 {value!r}") from None


def parse_tables(value: Any, concepts: frozenset[str]) -> list[BandTable]:
    if not isinstance(value, list):
        raise TableError("score_bands 应为评分表的列表")
    tables = []
    for raw in value:
        given = raw if isinstance(raw, dict) else {}
        try:
            tables.append(parse_table(raw, concepts))
        except ValueError as exc:
            name = f"“{given['name']}”" if "name" in given else ""
            raise TableError(f"评分表{name}：{exc}", given.get("__line__", 0)) from None
    return tables


def clean(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError(f"应为映射，而不是 {raw!r}")
    return {k: v for k, v in raw.items() if k != "__line__"}


def parse_table(raw: Any, concepts: frozenset[str]) -> BandTable:
    table = clean(raw)
    unknown = sorted(set(table) - TABLE_KEYS)
    if unknown:
        raise ValueError(f"未知的键 {', '.join(unknown)}（可用：{', '.join(sorted(TABLE_KEYS))}）")
    if not {"rate", "full"} <= set(table) or ("bands" in table) == ("deduct" in table):
        raise ValueError("须有 rate、full，以及 bands 或 deduct 之一")
    if table["rate"] not in concepts:
        raise ValueError(f"未知的概念 {table['rate']!r}")
    common = {
        "rate": table["rate"],
        "name": str(table.get("name", table["rate"])),
        "full": number(table["full"]),
        "source": str(table.get("source", "")),
    }
    if "deduct" in table:
        return BandTable(**common, deduct=parse_deduction(table["deduct"]))
    steps, upward = parse_steps(table["bands"])
    return BandTable(**common, steps=steps, upward=upward)


def parse_steps(raw: Any) -> tuple[tuple[Step, ...], bool]:
    items = [clean(step) for step in raw or []]
    sides = {side for item in items for side in ("max", "min") if side in item}
    if not items or len(sides) != 1 or any(set(i) - {"max", "min", "score"} for i in items):
        raise ValueError(
            "bands 的每档写作 {max: 上限, score: 分} 或 {min: 下限, score: 分}，只用一种"
        )
    side = sides.pop()
    steps = tuple(Step(number(i[side]) if side in i else None, number(i["score"])) for i in items)
    edges = [s.edge for s in steps if s.edge is not None]
    if any(s.edge is None for s in steps[:-1]) or edges != sorted(edges, reverse=side == "min"):
        raise ValueError("bands 的分档线须按顺序排列，只有最后一档可不写分档线")
    return steps, side == "max"


def parse_deduction(raw: Any) -> Deduction:
    d = clean(raw)
    sides = {"above", "below"} & set(d)
    if set(d) - DEDUCT_KEYS or len(sides) != 1 or not {"per", "points"} <= set(d):
        raise ValueError("deduct 写作 {above 或 below: 分档线, per: 每几个百分点, points: 扣几分}")
    side = sides.pop()
    per = number(d["per"])
    if per <= 0:
        raise ValueError("deduct 的 per 须大于 0")
    return Deduction(number(d[side]), per, number(d["points"]), side == "above")


# ------------------------------------------------------------------------------------ scoring


def step_scores(table: BandTable, rate: Interval) -> list[Decimal | None]:
    """The score of every step the rate's interval reaches; None where it leaves the table."""
    found: list[Decimal | None] = []
    bound: Decimal | None = None  # the edge of the step before
    for step in table.steps:
        if table.upward:
            reached = (bound is None or rate.hi > bound) and (
                step.edge is None or rate.lo <= step.edge
            )
        else:
            reached = (bound is None or rate.lo < bound) and (
                step.edge is None or rate.hi >= step.edge
            )
        if reached:
            found.append(step.score)
        bound = step.edge
    beyond = bound is not None and (rate.hi > bound if table.upward else rate.lo < bound)
    if table.steps[-1].edge is not None and beyond:
        found.append(None)
    return found


def deducted(table: BandTable, rate: Decimal) -> Interval:
    """The scores a rate may earn under a deduction: whole steps rounded down or up, and the
    share in between; never below 0 (扣完为止)."""
    d = table.deduct
    assert d is not None
    excess = max(Decimal(0), rate - d.edge if d.above else d.edge - rate) / d.per
    whole_up = excess.to_integral_value(ROUND_CEILING)
    whole_down = excess.to_integral_value(ROUND_FLOOR)
    low, high = table.full - d.points * whole_up, table.full - d.points * whole_down
    zero = Decimal(0)
    return Interval(max(low, zero), max(high, zero), max(table.full - d.points * excess, zero))


def allowed_scores(table: BandTable, rate: Interval) -> list[Interval | None]:
    """What the score may be for each end of the rate's interval (a table edge inside it gives
    more than one); None where the table says nothing for that rate."""
    if table.deduct is not None:
        ends = (rate.lo, rate.hi) if rate.lo != rate.hi else (rate.lo,)
        return [deducted(table, end) for end in ends]
    return [None if s is None else Interval.exact(s) for s in step_scores(table, rate)]


def due_at(table: BandTable, rate: Decimal) -> Interval | None:
    """The score the rate as printed earns (for the message)."""
    if table.deduct is not None:
        return deducted(table, rate)
    scores = step_scores(table, Interval.exact(rate))
    return Interval.exact(scores[0]) if scores and scores[0] is not None else None


def bands_rate(
    settings: dict[str, Any], concept: str, weight: Decimal | None, score: Decimal
) -> bool:
    """Does the profile score this rate by bands: a table for the stated weight, or, with no
    weight stated, one whose full marks the score does not exceed?"""
    return any(
        t.rate == concept and (t.full == weight if weight is not None else score <= t.full)
        for t in settings.get("score_bands", ())
    )
