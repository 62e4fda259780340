"""Sentences, clauses and label windows: the words that stand before a figure."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from auditor.model import Quantity

SENTENCE_END = "。\n|!?！？"
CLAUSE_END = SENTENCE_END + ",;:，；："
WINDOW_END = CLAUSE_END + "、"
# Words that join a label to its figure; dropped from the label shown to the user.
LINKERS = regex.compile(r"(?:为|是|达|达到|共计|合计|总计|共|计|约|:)+$")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    start = max(text.rfind(ch, 0, pos) for ch in SENTENCE_END) + 1
    ends = [i for ch in SENTENCE_END if (i := text.find(ch, pos)) >= 0]
    return start, min(ends) if ends else len(text)


def clause_start(text: str, pos: int, stops: str = CLAUSE_END) -> int:
    return max(text.rfind(ch, 0, pos) for ch in stops) + 1


def clauses(text: str, start: int, end: int) -> list[Span]:
    """The clauses of text[start:end], split at commas, semicolons and colons."""
    spans: list[Span] = []
    pos = start
    for m in regex.finditer(f"[{regex.escape(CLAUSE_END)}]", text[start:end]):
        cut = start + m.start()
        if cut > pos:
            spans.append(Span(pos, cut))
        pos = cut + 1
    if pos < end:
        spans.append(Span(pos, end))
    return spans


def label_window(text: str, quantity: Quantity, previous_end: int) -> tuple[int, int]:
    """From the start of the figure's clause (or the end of the figure before it) to the figure."""
    start = max(clause_start(text, quantity.start, WINDOW_END), previous_end)
    return start, quantity.start


# Words after which the name of an amount begins: "…2023年度下达|中央级资金转移支付755.19万元".
NAME_MARKER = regex.compile(
    r".*(?:下达|安排|拨付|下拨|投入|到位|共计|合计|总计|共|计|为|是|达到|达|有|用于|其中|:|的)"
)


def clean_label(label: str) -> str:
    return LINKERS.sub("", label.strip(" ,")).strip()


def short_name(label: str) -> str:
    """The name an amount goes by, without the unit, year and verb before it."""
    marker = NAME_MARKER.match(label)
    name = label[marker.end() :] if marker else label
    name = regex.sub(r"^[^\p{Han}]+", "", name)
    return name if len(name) >= 2 else clean_label(label)


def paragraph_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end
