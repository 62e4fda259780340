"""Performance indicators written as prose: "公务用车经费下降率:该指标预期指标值为大于等于5%,…
本次评价公务用车经费下降率27.17%,该指标完成率为100%…该指标权重分值为8分,自评得分8分。"""

from __future__ import annotations

import regex

from auditor.interpret.context import label_window
from auditor.interpret.lexicon import find_terms
from auditor.model import HEADING, Indicator, Quantity

# An indicator opens with its name and a colon, and its statements speak of 该指标 or 指标值.
TITLE = regex.compile(r"^([^:\n,。]{2,40}):(?=[^\n]*?(?:该指标|指标值|目标值))", regex.MULTILINE)
DEVIATION = regex.compile(
    r"(?:偏差原因(?:分析)?|未完成原因|原因分析)[:]?([^。]*?)(?=改进措施|。|$)"
)


def block_end(text: str, start: int, next_title: int) -> int:
    """An indicator's statements run to the next indicator or the next heading."""
    pos = text.find("\n", start)
    while 0 <= pos < next_title:
        line_start = pos + 1
        if HEADING.match(text, line_start) or TITLE.match(text, line_start):
            return pos
        pos = text.find("\n", line_start)
    return next_title if pos >= 0 else len(text)


def slot_of(text: str, quantity: Quantity, previous_end: int) -> tuple[str, int]:
    """Which statement of the indicator the figure is (target, actual, weight …), from its cue."""
    start, end = label_window(text, quantity, previous_end)
    hits = [h for h in find_terms(text[start:end]) if h.term.role == "indicator"]
    if not hits:
        return "", -1
    return hits[-1].term.meaning, start + hits[-1].end


def read_block(text: str, name: regex.Match[str], end: int, numbers: list[Quantity]) -> Indicator:
    slots: dict[str, Quantity] = {}
    measured, measured_start = "", -1
    previous_end = name.end()
    for q in (q for q in numbers if name.end() <= q.start < end):
        slot, cue_end = slot_of(text, q, previous_end)
        previous_end = q.end
        if slot == "measured":
            slot = "actual"
            measured = text[cue_end : q.start].strip(" 为:")
            measured_start = cue_end
        if slot and slot not in slots:
            slots[slot] = q
        elif slot == "score":
            slots[slot] = q  # the last 得分 is the indicator's own
    note = DEVIATION.search(text, name.end(), end)
    return Indicator(
        name=name.group(1).strip(),
        name_start=name.start(1),
        name_end=name.end(1),
        target=slots.get("target"),
        actual=slots.get("actual"),
        mid=slots.get("mid"),
        measured_name=measured,
        measured_start=measured_start,
        completion=slots.get("completion"),
        weight=slots.get("weight"),
        score=slots.get("score"),
        deviation_note=note.group(1).strip() if note else "",
        start=name.start(),
        end=end,
        not_applicable="score" not in slots and "不适用" in text[name.end() : end],
    )


def find_prose_indicators(text: str, numbers: list[Quantity]) -> list[Indicator]:
    titles = list(TITLE.finditer(text))
    found = []
    for i, title in enumerate(titles):
        next_title = titles[i + 1].start() if i + 1 < len(titles) else len(text)
        indicator = read_block(text, title, block_end(text, title.end(), next_title), numbers)
        if indicator.weight or indicator.score or indicator.target:
            found.append(indicator)
    return found
