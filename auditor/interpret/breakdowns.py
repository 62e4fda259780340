"""其中 breakdowns: a whole and the parts listed for it ("755.19万元。其中:中央级124.23万元,…")."""

from __future__ import annotations

import regex

from auditor.interpret.context import (
    SENTENCE_END,
    WINDOW_END,
    clause_start,
    clean_label,
    sentence_bounds,
    short_name,
)
from auditor.model import Breakdown, Quantity

MONEY = {"元", "万元", "亿元", "千元"}
# 其中 opens a breakdown; so does ",为" right after an amount ("124.23万元,为桂花村…25万元,…").
MARKER = regex.compile(r"其中|(?<=[元人个项件户]\s*),\s*为(?=\p{Han})")
# A list that names examples only: it ends in 等 (… 250万元等。).
# The list names examples only when 等 follows its last figure ("…250万元等。"); a 等 closing a
# description after it ("项目支出329.13万元,主要用于…缴纳等。") does not open the list.
OPEN_END = regex.compile(r"^\s*(?:等|\p{Han}{0,6}等(?:项目|方面|支出|费用|资金)?\s*[。;]?\s*$)")


def same_family(a: Quantity, b: Quantity) -> bool:
    if a.unit in MONEY:
        return b.unit in MONEY
    return bool(a.unit) and a.unit == b.unit and a.unit not in ("%", "分")


def whole_before(numbers: list[Quantity], text: str, marker_start: int) -> Quantity | None:
    """The amount the breakdown divides: the last figure before 其中, in its sentence or the one before."""
    start, _ = sentence_bounds(text, marker_start)
    earlier = [q for q in numbers if q.end <= marker_start and q.unit]
    if not earlier:
        return None
    last = earlier[-1]
    if last.start >= start:
        return last
    # 其中 opens its own sentence: the whole closes the sentence before it.
    between = text[last.end : marker_start]
    return last if len(between.strip(" 。:\n")) == 0 else None


def list_end(text: str, pos: int, marker: str) -> int:
    """Where the parts stop: the sentence end; for ',为' lists the first ';' as well."""
    stops = SENTENCE_END + (";" if marker != "其中" else "")
    ends = [i for ch in stops if (i := text.find(ch, pos)) >= 0]
    return min(ends) if ends else len(text)


def find_breakdowns(text: str, numbers: list[Quantity], base_of: dict[int, str]) -> list[Breakdown]:
    """Wholes and parts; parts must be of the whole's kind (money with money, 人 with 人) and,
    when both are bound, of the same base concept (a budget is not split into spendings)."""
    found: list[Breakdown] = []
    for m in MARKER.finditer(text):
        whole = whole_before(numbers, text, m.start())
        if whole is None or not whole.exact_figure:
            continue
        marker = "其中" if m.group() == "其中" else "为"
        end = list_end(text, m.end(), marker)
        parts = [
            q
            for q in numbers
            if m.end() <= q.start < end
            and q.exact_figure
            and same_family(whole, q)
            and compatible(base_of.get(whole.start, ""), base_of.get(q.start, ""))
        ]
        if not parts:
            continue
        # One part alone names a share ("其中:重点项目…478.78万元"), not the whole split up.
        closed = (
            len(parts) >= 2
            and not OPEN_END.search(text[parts[-1].end : end + 1])
            and not text[m.end() : end].lstrip(":").startswith(("主要", "包括"))
        )
        label = short_name(
            clean_label(text[clause_start(text, whole.start, WINDOW_END) : whole.start])
        )
        found.append(Breakdown(whole, tuple(parts), closed, marker, label))
    return found


def compatible(whole_base: str, part_base: str) -> bool:
    if not whole_base or not part_base:
        return True
    return whole_base.split(".")[0] == part_base.split(".")[0]
