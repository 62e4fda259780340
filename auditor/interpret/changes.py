"""Last year's figures and the change against them (变动率), in prose ("三公经费支出12.5万元，较上年
15万元下降16.67%", "上年度三公经费支出15万元") and in a department table of 三公经费 or 结转结余 with
本年, 上年, 预算 and 增减率 columns.

A 变动率 is signed: (本年 − 上年) / 上年. Reports print a fall as a positive figure with the word
下降/减少, so the fact's value carries the sign the word gives (the figure keeps its print)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import regex

from auditor.interpret.context import label_window, sentence_bounds
from auditor.interpret.lexicon import find_terms
from auditor.interpret.tables import Grid
from auditor.model import Fact, Quantity

# This year's amount → (last year's amount, the 变动率 comparing them).
PREVIOUS_OF = {
    "three_public.actual": "three_public.previous",
    "three_public.budget": "three_public.previous_budget",
    "carryover.total": "carryover.previous",
}
CHANGE_OF = {
    "three_public.actual": "ratio.three_public_change",
    "three_public.budget": "ratio.three_public_change",
    "carryover.total": "ratio.carryover_change",
}
# "上年度三公经费支出", "去年", "上一年度": the words before an amount that make it last year's.
LAST_YEAR = regex.compile(r"上一?年度?|去年|上年同期")
# "较上年15万元", "上年为15万元": last year's amount with no name of its own (it takes the name
# of the amount before it in the sentence).
BARE_PREVIOUS = regex.compile(r"^(?:较|比|对比)?(?:上一?年度?|去年)(?:同期)?(?:的|为|是|:)?$")
# "下降16.67%", "较上年减少16.67%", "比上年同期增长8.2%": the words that make a rate a change.
DIRECTION = regex.compile(
    r"(?:较|比)?(?:上一?年度?|去年)?(?:同期)?(?:相比)?(?:同比)?"
    r"(?P<word>下降|减少|降低|减幅|降幅|增长|增加|上升|提高|增幅)(?:了)?(?:幅度)?(?:为|达|达到)?$"
)
FALLS = {"下降", "减少", "降低", "减幅", "降幅"}
CLAUSE_STOPS = ",;:，；：。\n"


def last_year_facts(text: str, numbers: list[Quantity], facts: list[Fact]) -> list[Fact]:
    """The facts with last year's amounts told apart: a this-year concept whose words say 上年
    becomes the 上年 concept; one whose words go on to 较上年减少 is the change, not an amount of
    either year (left unbound); a bare "较上年15万元" after a this-year amount is bound to it."""
    result = []
    for f in facts:
        role = year_role(text, f) if f.concept in PREVIOUS_OF else ""
        if role == "previous":
            result.append(replace(f, concept=PREVIOUS_OF[f.concept]))
        elif role != "change":
            result.append(f)
    bound = {f.start for f in result}
    previous_end = 0
    for q in numbers:
        start, _ = label_window(text, q, previous_end)
        previous_end = q.end
        if q.start in bound or not q.exact_figure:
            continue
        words = text[start : q.start].strip()
        now = last_before(text, q, numbers, result)
        if now is not None and now.concept in PREVIOUS_OF and BARE_PREVIOUS.match(words):
            if q.unit == now.unit:
                result.append(fact(PREVIOUS_OF[now.concept], q, words, start, "上年"))
    return sorted(result, key=lambda f: (f.start, f.concept))


def year_role(text: str, f: Fact) -> str:
    """ "previous" for 上年度三公经费支出15万元, "change" for 三公经费支出较上年减少2.5万元, else ""."""
    clause = max(text.rfind(ch, 0, f.span_start) for ch in CLAUSE_STOPS) + 1
    after_term = text[f.span_start + len(f.cue) : f.start] if f.cue else ""
    if DIRECTION.search(after_term.strip()):
        return "change"
    before_term = text[clause : f.span_start]
    if LAST_YEAR.search(before_term) and not regex.search(r"本年|当年|今年", before_term):
        return "previous"
    return ""


def last_before(text: str, q: Quantity, numbers: list[Quantity], facts: list[Fact]) -> Fact | None:
    """The fact of the figure just before this one, if that figure is in the same sentence and
    bound: "三公经费支出12.5万元，较上年15万元" pairs; "三公经费12.5万元，其中公务接待费3万元，较上年
    2万元" does not (the figure before 2万元 is the 公务接待费, which nothing names)."""
    sentence_start, _ = sentence_bounds(text, q.start)
    before = [n for n in numbers if sentence_start <= n.start < q.start]
    if not before:
        return None
    last = before[-1]
    return next((f for f in facts if f.start == last.start and f.concept != "unbound"), None)


def change_rates(text: str, numbers: list[Quantity], facts: list[Fact]) -> list[Fact]:
    """A rate led by a direction word, about an amount with a 上年 counterpart: named in its own
    words ("三公经费支出比上年下降16.67%") or the last amount before it in the sentence, of this
    year or last ("三公经费支出12.5万元，较上年15万元下降16.67%"). Negative for a fall."""
    bound = {f.start for f in facts if f.concept != "unbound"}
    this_year = {v: k for k, v in PREVIOUS_OF.items()} | {k: k for k in PREVIOUS_OF}
    found = []
    previous_end = 0
    for q in numbers:
        start, _ = label_window(text, q, previous_end)
        previous_end = q.end
        words = text[start : q.start].strip()
        m = DIRECTION.search(words)
        if m is None or q.unit != "%" or q.start in bound or not q.exact_figure:
            continue
        named = [h.term.meaning for h in find_terms(words[: m.start()]) if h.term.role == "base"]
        before = last_before(text, q, numbers, facts)
        about = named[-1] if named else before.concept if before else ""
        if about not in this_year:
            continue
        value = -abs(q.value) if m.group("word") in FALLS else abs(q.value)
        label_start = start + (len(text[start : q.start]) - len(text[start : q.start].lstrip()))
        found.append(
            fact(
                CHANGE_OF[this_year[about]],
                q,
                m.group(),
                label_start + m.start(),
                m.group("word"),
                value,
            )
        )
    return found


def fact(
    concept: str, q: Quantity, label: str, label_start: int, cue: str, value: Decimal | None = None
) -> Fact:
    shown = q.value if value is None else value
    return Fact(concept, str(shown), q.start, q.end, label, label_start, "", q, cue)


# ---------------------------------------------------------------------- the same in a table
# | 项目 | 预算数 | 本年决算数 | 上年决算数 | 增减率 |
# | 三公经费 | 18.50 | 16.92 | 18.80 | -10.00% |
ROW_FAMILY = {"三公经费": "three_public", "结转结余": "carryover"}
FAMILY_CONCEPTS = {
    "three_public": {
        "current": "three_public.actual",
        "previous": "three_public.previous",
        "budget": "three_public.budget",
        "previous_budget": "three_public.previous_budget",
        "change": "ratio.three_public_change",
        "control": "ratio.three_public_control",
    },
    "carryover": {
        "current": "carryover.total",
        "previous": "carryover.previous",
        "change": "ratio.carryover_change",
    },
}
TABLE_UNIT = regex.compile(r"[(（]\s*(万元|元|亿元)")


def column_role(header: str) -> str:
    """What a column of such a table holds, from its header words."""
    words = regex.sub(r"\s", "", header)
    last_year = bool(regex.search(r"上一?年|去年", words))
    if regex.search(r"变动率|增减率|增减幅度|增长率|变化率|同比", words):
        return "change"
    if "控制率" in words:
        return "control"
    if "预算" in words:
        return "previous_budget" if last_year else "budget"
    if last_year:
        return "previous"
    if regex.search(r"本年|当年|决算|实际|支出|执行", words):
        return "current"
    return ""


def yearly_rows(grid: Grid) -> list[Fact]:
    """The 三公经费 / 结转结余 row of a table with 本年, 上年, 预算 and 变动率 columns."""
    rows = grid.table.rows
    for i, row in enumerate(rows):
        roles = {c.col: role for c in row if (role := column_role(grid.cell_text(c)))}
        if "change" not in roles.values() and "previous" not in roles.values():
            continue
        header = " ".join(grid.cell_text(c) for c in row)
        unit_match = TABLE_UNIT.search(header)
        unit = unit_match.group(1) if unit_match else "万元"
        return [f for r in rows[i + 1 :] for f in row_facts(grid, r, roles, unit)]
    return []


def row_facts(grid: Grid, row: tuple, roles: dict[int, str], unit: str) -> list[Fact]:
    label = regex.sub(r"[“”\"'\s]", "", grid.cell_text(row[0])) if row else ""
    family = next((f for word, f in ROW_FAMILY.items() if word in label), "")
    if not family:
        return []
    found = []
    for cell in row:
        concept = FAMILY_CONCEPTS[family].get(roles.get(cell.col, ""), "")
        q = grid.figure(cell)
        if not concept or q is None or not q.exact_figure:
            continue
        rate = concept.startswith("ratio.")
        q = replace(q, unit="%" if rate else q.unit or unit)
        found.append(
            Fact(concept, str(q.value), q.start, q.end, label, row[0].start, "", q, "表头")
        )
    return found
