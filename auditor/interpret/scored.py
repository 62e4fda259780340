"""Scores stated beside a department rate: "预算调整率3.20%，该项分值3分，得2分". The regional
band tables (rules/profiles/) say what such a rate earns; the execution rate's own score is
bound by facts.score_facts."""

from __future__ import annotations

import regex

from auditor.interpret.context import label_window, sentence_bounds
from auditor.model import Fact, Indicator, Quantity

SCORE_CUE = regex.compile(r"(?:得|得分|计|自评得分|评分|评价得分)(?:为|:)?$")
WEIGHT_CUE = regex.compile(r"(?:分值|权重|权重分值|满分|标准分)(?:为|:)?$")


def is_department_rate(f: Fact) -> bool:
    return f.unit == "%" and (
        f.concept.startswith("ratio.")
        and f.concept != "ratio.named"
        or f.concept == "budget.adjustment_rate"
    )


def rate_scores(
    text: str, numbers: list[Quantity], facts: list[Fact], indicators: list[Indicator]
) -> list[Fact]:
    """A "分" figure with a score or weight cue after a department rate in its sentence (the
    nearest rate before it) is that rate's score or weight; the rate's concept is its subject.
    Inside an indicator's statements the indicator rules read them instead."""
    rates = sorted((f for f in facts if is_department_rate(f)), key=lambda f: f.start)
    claimed = {f.start for f in facts if f.concept != "unbound"}
    found = []
    previous_end = 0
    for q in numbers:
        start, _ = label_window(text, q, previous_end)
        previous_end = q.end
        if q.unit != "分" or q.start in claimed or not q.exact_figure:
            continue
        if any(i.start <= q.start < i.end for i in indicators):
            continue
        sentence_start, _ = sentence_bounds(text, q.start)
        rate = next((r for r in reversed(rates) if sentence_start <= r.start < q.start), None)
        words = regex.sub(r"^该(?:指标|项)", "", text[start : q.start].strip())
        concept = (
            "rate.score"
            if SCORE_CUE.search(words)
            else "rate.weight"
            if WEIGHT_CUE.search(words)
            else ""
        )
        if rate is None or not concept:
            continue
        found.append(
            Fact(concept, str(q.value), q.start, q.end, words, start, rate.concept, q, "分")
        )
    return found
