"""Bind figures to the budget chain, the execution score, the overall score and the grade."""

from __future__ import annotations

from dataclasses import dataclass, replace

import regex

from auditor.interpret.context import (
    clause_start,
    clauses,
    clean_label,
    label_window,
    paragraph_bounds,
    sentence_bounds,
)
from auditor.interpret.lexicon import Hit, find_terms, load_lexicon
from auditor.model import COUNT_UNITS, Fact, Quantity

MONEY = {"元", "万元", "亿元", "千元", "万"}
# A clause naming one project: "重点项目为社区工资社保及工作经费项目", "疫情补助项目".
PROJECT_NAME = regex.compile(r"(?:^|[为是:])((?:(?!个项目)[^,;:为是\d]){2,}项目)$")
GRADE = regex.compile(
    r"(?:评价结果|评价等级|自评等级|绩效等级|等级|评级|结果)(?:为|是|:|评定为|确定为)?\s*[“\"']?(优秀|良好|合格|不合格|优|良|中|差)(?![\p{Han}])"
)
GRADE_WORDS = {"优秀": "优", "良好": "良", "合格": "中", "不合格": "差"}
FAMILY = {
    "basic": "basic",
    "basic.personnel": "basic",
    "basic.public": "basic",
    "project": "project",
}


@dataclass(frozen=True, slots=True)
class Reading:
    """What the words before a figure say: base concept, part, project name."""

    base: str = ""
    part: str = ""
    project: str = ""
    cue: str = ""
    label_start: int = -1
    inferred: bool = False  # the part or base came from context, not from the figure's own words


def compose(base: str, part: str) -> str:
    """budget.initial + basic → budget.initial.basic; personnel/public sit under budget.basic."""
    if not part:
        return base
    if part.startswith("basic.") and base.startswith("budget."):
        return "budget." + part
    if part.startswith("basic.") and base.startswith("spending."):
        return "spending." + part
    if base == "spending.total":
        return "spending." + part
    if base == "execution.rate":
        return "execution.rate." + part.split(".")[0]
    if base in ("budget.initial", "budget.adjusted"):
        return f"{base}.{part.split('.')[0]}"
    return base  # rates of their own (政府采购执行率 …) and adjustments have no parts


def read_window(text: str, start: int, end: int) -> tuple[Hit | None, Hit | None]:
    """The last base term and the last part term in text[start:end]."""
    hits = find_terms(text[start:end])
    base = next((h for h in reversed(hits) if h.term.role == "base"), None)
    part = next((h for h in reversed(hits) if h.term.role == "part"), None)
    return base, part


LOOK_BACK = 1000


def part_before(text: str, pos: int) -> tuple[str, str]:
    """Part or project named by an earlier clause of the same sentence: (part, project). Looks
    back at most LOOK_BACK characters: a run-on "sentence" of a whole page names nothing that
    far back for this figure, and an unbounded walk is quadratic in its length."""
    start, _ = sentence_bounds(text, pos)
    start = max(start, pos - LOOK_BACK)
    for span in reversed(clauses(text, start, clause_start(text, pos))):
        clause = text[span.start : span.end].strip()
        name = PROJECT_NAME.search(clause)
        if name and len(name.group(1)) >= 4:
            return "", name.group(1)
        _, part = read_window(text, span.start, span.end)
        if part:
            return part.term.meaning, ""
    return "", ""


def paragraph_part(text: str, pos: int) -> str:
    """The one part family a paragraph is about, if it names only one (基本支出 … 人员经费)."""
    start, end = paragraph_bounds(text, pos)
    families = {
        FAMILY[h.term.meaning] for h in find_terms(text[start:end]) if h.term.role == "part"
    }
    return families.pop() if len(families) == 1 else ""


def read_quantity(text: str, quantity: Quantity, previous_end: int, whole_base: str) -> Reading:
    start, end = label_window(text, quantity, previous_end)
    base, part = read_window(text, start, end)
    base_name = base.term.meaning if base else whole_base if part else ""
    if not base_name:
        return Reading()
    part_name, project = (part.term.meaning, "") if part else part_before(text, quantity.start)
    if (
        not part_name
        and not project
        and base_name.startswith(("budget.", "spending.", "execution."))
    ):
        part_name = paragraph_part(text, quantity.start)
    cue = base.term.word if base else (part.term.word if part else "")
    inferred = base is None or (part is None and bool(part_name or project))
    label_start = start + min(h.start for h in (base, part) if h is not None)
    return Reading(base_name, part_name, project, cue, label_start, inferred)


def fact_from(
    text: str, quantity: Quantity, reading: Reading, single_project: bool = False
) -> Fact:
    """The fact a reading gives. In a report on one project, 项目 and 项目支出 name the
    project itself, not the 项目支出 part of a department budget: they refine nothing."""
    lexicon = load_lexicon()
    if single_project and reading.part == "project":
        reading = replace(reading, part="")
    concept = reading.base
    value = quantity.value
    if concept in lexicon.signs:
        value = value * lexicon.signs[concept]
        concept = "budget.adjustment"
    if reading.project and concept.startswith(("budget.", "spending.")):
        concept = "project.budget" if concept.startswith("budget.") else "project.spent"
    else:
        concept = compose(concept, reading.part)
    label = clean_label(text[reading.label_start : quantity.start])
    return Fact(
        concept,
        str(value),
        quantity.start,
        quantity.end,
        label,
        reading.label_start,
        reading.project,
        quantity,
        reading.cue,
        reading.inferred,
    )


def fits(concept: str, quantity: Quantity) -> bool:
    """A rate must be a percentage, an amount money, a score points."""
    if concept.startswith(("execution.rate", "budget.adjustment_rate", "ratio.")):
        return quantity.unit == "%"
    if concept.startswith(("staff.", "survey.")):
        return quantity.unit in COUNT_UNITS
    if concept.startswith("score."):
        return quantity.unit in ("分", "")
    return quantity.unit in MONEY


def find_grades(text: str) -> list[Fact]:
    facts = []
    for m in GRADE.finditer(text):
        word = GRADE_WORDS.get(m.group(1), m.group(1))
        facts.append(
            Fact(
                "grade",
                word,
                m.start(1),
                m.end(1),
                clean_label(text[m.start() : m.start(1)].rstrip("“\"' ")),
                m.start(),
                cue=m.group(1),
            )
        )
    return facts
