"""Give figures their meaning: concepts, projects, indicators, counts, breakdowns, tables."""

from __future__ import annotations

from collections import Counter

import regex

from auditor.interpret.breakdowns import find_breakdowns
from auditor.interpret.changes import change_rates, last_year_facts, yearly_rows
from auditor.interpret.concepts import Reading, fact_from, find_grades, fits, read_quantity
from auditor.interpret.context import label_window, sentence_bounds
from auditor.interpret.counts import find_enumerations
from auditor.interpret.facts import (
    count_facts,
    indicator_facts,
    named_rates,
    score_facts,
    split_facts,
    unbound_figures,
)
from auditor.interpret.funding import flat_funding_table, funding_block
from auditor.interpret.identity import identity_facts, target_table_fact
from auditor.interpret.indicators import find_prose_indicators
from auditor.interpret.region import region_profile
from auditor.interpret.restated import named_amounts, planned_counts, unit_names
from auditor.interpret.scored import rate_scores
from auditor.interpret.stated_bands import stated_settings
from auditor.interpret.tables import Grid, indicator_block
from auditor.model import Document, Fact, Interpretation, Quantity

TITLE_YEAR = regex.compile(r"((?:19|20)\d{2})\s*年度")


def read_concepts(
    text: str, numbers: list[Quantity], single_project: bool = False
) -> tuple[list[Fact], dict[int, str]]:
    """Bind every figure whose label names a concept; a 其中 part without its own base word
    takes the base of its whole ("其中:基本支出为2193.53万元" after "支出金额共计2522.66万元")."""
    readings: dict[int, Reading] = {}
    previous_end = 0
    for q in numbers:
        readings[q.start] = read_quantity(text, q, previous_end, "")
        previous_end = q.end
    base_of = {start: r.base for start, r in readings.items() if r.base}
    breakdowns = find_breakdowns(text, numbers, base_of)
    for b in breakdowns:
        whole = readings.get(b.whole.start)
        for part in b.parts:
            if whole and whole.base and not readings[part.start].base:
                previous = max((q.end for q in numbers if q.end <= part.start), default=0)
                readings[part.start] = read_quantity(text, part, previous, whole.base)
    facts = []
    for q in numbers:
        reading = readings[q.start]
        if reading.base:
            fact = fact_from(text, q, reading, single_project)
            if fits(fact.concept, q):
                facts.append(fact)
    return drop_shares(facts, breakdowns), {
        start: r.base for start, r in readings.items() if r.base
    }


def drop_shares(facts: list[Fact], breakdowns: list) -> list[Fact]:
    """A 其中 part read as the very concept of its whole ("项目执行金额329.13万元,其中:重点项目…
    执行金额273.32万元") is a share of it, not a restatement: it stays unbound."""
    concept_at = {(f.start, f.subject): f.concept for f in facts}
    shares = set()
    for b in breakdowns:
        whole = next((f for f in facts if f.start == b.whole.start), None)
        for part in b.parts:
            if whole and concept_at.get((part.start, whole.subject)) == whole.concept:
                shares.add(part.start)
    return [f for f in facts if f.start not in shares]


def document_kind(text: str, has_table_block: bool) -> str:
    """department, project or table, from the title words; a text that splits its spending into
    基本支出 and 项目支出 is a department's whatever its title."""
    head = text[:400]
    if regex.search(r"部门整体|单位整体|部门\(单位\)整体|机关整体", head) or (
        "基本支出" in text and "项目支出" in text
    ):
        return "department"
    if has_table_block and "自评表" in head:
        return "table"
    if regex.search(r"项目.{0,30}(?:自评|绩效|评价)|项目支出绩效", head):
        return "project"
    return "table" if has_table_block else "unknown"


def evaluation_year(text: str, quantities: list[Quantity]) -> int | None:
    title = TITLE_YEAR.search(text[:400])
    if title:
        return int(title.group(1))
    years = Counter(int(q.value) for q in quantities if q.kind == "year")
    return years.most_common(1)[0][0] if years else None


def interpret(document: Document, quantities: list[Quantity]) -> Interpretation:
    text = document.text
    numbers = [q for q in quantities if q.kind == "number"]
    facts, base_of = read_concepts(
        text, numbers, document_kind(text, bool(document.tables)) == "project"
    )
    facts = last_year_facts(text, numbers, facts)
    facts += change_rates(text, numbers, facts)
    breakdowns = find_breakdowns(text, numbers, base_of)
    indicators = find_prose_indicators(text, numbers)
    tables = list(document.tables)
    flat = flat_funding_table(text) if not tables else None
    if flat:
        tables.append(flat)
    table_facts: list[Fact] = []
    targets_only = target_table_fact(text) is not None  # a 绩效目标表: targets, no scores
    for table in tables:
        grid = Grid(text, table, numbers)
        funding, sums = funding_block(grid)
        rows, subtotals, totals = indicator_block(grid, targets_only)
        table_facts += funding + totals + yearly_rows(grid)
        breakdowns += sums + subtotals
        indicators += rows
    facts += (
        table_facts
        + score_facts(text, numbers, facts)
        + find_grades(text)
        + split_facts(text, numbers)
    )
    facts += count_facts(text, numbers) + unit_names(text) + identity_facts(text)
    facts += rate_scores(text, numbers, facts, indicators)
    facts += named_amounts(text, numbers, {f.start for f in facts})
    facts += named_rates(
        text, numbers, {f.start for f in facts if f.concept != "unbound"}, indicators
    )
    facts += indicator_facts(indicators) + planned_counts(text, numbers, indicators)
    facts += unbound_figures(text, numbers, facts)
    facts.sort(key=lambda f: (f.start, f.concept))
    kind = document_kind(text, any(f.cue == "表头" for f in table_facts))
    return Interpretation(
        facts=tuple(facts),
        quantities=tuple(quantities),
        enumerations=tuple(find_enumerations(text, numbers)),
        breakdowns=tuple(breakdowns),
        indicators=tuple(indicators),
        kind=kind,
        year=evaluation_year(text, quantities),
        profile=region_profile(text),
        stated_settings=tuple(stated_settings(text)),
    )


__all__ = ["interpret", "label_window", "sentence_bounds"]
