"""Facts that come from context rather than a dictionary word: the execution score, the
overall score, and the statements of each indicator."""

from __future__ import annotations

import regex

from auditor.interpret.context import label_window, sentence_bounds
from auditor.model import Fact, Indicator, Quantity

SPLIT = regex.compile(r"按(\p{Han}{2,8})分\s*:\s*$")
EXEC_SCORE_CUE = regex.compile(r"(?:执行率得分|执行得分|^得|^得分|,得)$")


def score_facts(text: str, numbers: list[Quantity], facts: list[Fact]) -> list[Fact]:
    """"执行率为90.72%,得9.07分": a score right after the execution rate is its score."""
    rates = [f for f in facts if f.concept == "execution.rate"]
    found = []
    previous_end = 0
    for q in numbers:
        start, _ = label_window(text, q, previous_end)
        previous_end = q.end
        if q.unit != "分":
            continue
        window = text[start : q.start].strip()
        sentence_start, _ = sentence_bounds(text, q.start)
        if EXEC_SCORE_CUE.search(window) and any(sentence_start <= r.start < q.start for r in rates):
            found.append(Fact("execution.score", str(q.value), q.start, q.end, window, start, quantity=q, cue="得"))
    return found


PROJECT_TOTAL = regex.compile(r"(?:共|共有|共计|合计|总计|完成|分为|涉及|实施|安排|设立|下达)\s*$")


def count_facts(text: str, numbers: list[Quantity]) -> list[Fact]:
    """"共完成5个项目", "共计5个项目": the stated number of projects (not "其中3个项目")."""
    found = []
    for q in numbers:
        if q.unit in ("个", "项") and text.startswith("项目", q.end) and not q.approximate:
            cue = PROJECT_TOTAL.search(text, max(0, q.start - 4), q.start)
            if cue and "其中" not in text[max(0, q.start - 4) : q.start]:
                found.append(Fact("project.count", str(q.value), q.start, q.end + 2, cue.group(), cue.start(), quantity=q, cue="个项目"))
    return found


def split_facts(text: str, numbers: list[Quantity]) -> list[Fact]:
    """"按收入性质分:2030.12 | 按支出性质分:1925.67": one total split two ways."""
    found = []
    for q in numbers:
        m = SPLIT.search(text, max(0, q.start - 14), q.start)
        if m:
            found.append(Fact("funding.split", str(q.value), q.start, q.end, m.group().rstrip(": "), m.start(), quantity=q, cue="按…分"))
    return found


def indicator_facts(indicators: list[Indicator]) -> list[Fact]:
    facts = []
    for ind in indicators:
        for slot, q in (("target", ind.target), ("actual", ind.actual), ("completion", ind.completion),
                        ("weight", ind.weight), ("score", ind.score)):
            if q is not None:
                facts.append(Fact(f"indicator.{slot}", str(q.value), q.start, q.end, slot, -1, ind.name, q, "指标"))
    return facts


__all__ = ["count_facts", "indicator_facts", "score_facts", "split_facts"]
