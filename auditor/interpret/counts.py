"""Stated counts and the items listed for them ("直属事业单位10个,即A、B、…")."""

from __future__ import annotations

import regex

from auditor.model import COUNT_UNITS, Enumeration, Quantity

# Words that open a complete list. 包括 and 主要有 often name examples only, so they are not here.
INTRO = regex.compile(r"(?:(?<=[,:])即|分别为|分别是|分别有|具体为|具体是|依次为)\s*:?")
NOUN = regex.compile(r"(?:(?![均都已全共的和及与为是在])\p{Han}){1,8}")
TOP_SEPARATOR = "、"
JOINERS = regex.compile(r"(?<=\p{Han}|\))(?:和|及|以及|与)(?=\p{Han})")
OPEN_LIST = regex.compile(r"等(?:等)?\s*$")


def is_countable(q: Quantity, text: str) -> bool:
    if not (q.exact_figure and q.unit in COUNT_UNITS and q.value == q.value.to_integral()):
        return False
    inside_quotes = text.rfind("“", 0, q.start) > text.rfind("”", 0, q.start)
    return not inside_quotes and q.value >= 2


def top_level_split(segment: str, separators: str) -> list[str]:
    """Split at separators that are not inside brackets or quotes."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in segment:
        if ch in "(“《[":
            depth += 1
        elif ch in ")”》]":
            depth = max(0, depth - 1)
        if ch in separators and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return [it.strip() for it in items if it.strip()]


def list_items(text: str, start: int) -> tuple[list[tuple[int, int]], bool, int]:
    """Items of the list that starts at `start`: (spans, complete, end).

    Items are separated by 、 (the last one may be joined by 和/及) and the list ends at the
    first top-level ';'; when the first item has no 、 and ';' follows, ';' separates the items
    (each item then being a clause about one thing, as in the seed report's project list)."""
    end = min((i for ch in "。\n|" if (i := text.find(ch, start)) >= 0), default=len(text))
    segment = text[start:end]
    by_semicolon = top_level_split(segment, ";")
    if not by_semicolon:
        return [], False, end
    if len(by_semicolon) > 1 and len(top_level_split(by_semicolon[0], TOP_SEPARATOR)) == 1:
        pieces = by_semicolon
    else:
        if len(by_semicolon) > 1:
            end = text.find(by_semicolon[0], start) + len(by_semicolon[0])
        pieces = top_level_split(by_semicolon[0], TOP_SEPARATOR)
        pieces = pieces[:-1] + [p for p in JOINERS.split(pieces[-1]) if p.strip()]
    complete = not OPEN_LIST.search(text[start:end].rstrip("。;, "))
    spans, pos = [], start
    for piece in pieces:
        at = text.find(piece, pos)
        name = top_level_split(piece, ",")[0]  # "疫情补助项目,预算金额为…": the item is its name
        spans.append((at, at + len(name)))
        pos = at + len(piece)
    return spans, complete, end


REST = regex.compile(r"[,;]\s*(?:剩余|其余|剩下|另外)(?:的)?")


def rest_list(
    text: str, total: Quantity, counts: list[Quantity], numbers: list[Quantity]
) -> Enumeration | None:
    """ "10个项目均完工,其中3个项目资金执行100%,剩余A…99.97%;B99.89%,…": the sub-count and the
    rest, one figure each, must make up the total."""
    end = min((k for ch in "。\n|" if (k := text.find(ch, total.end)) >= 0), default=len(text))
    sub = next(
        (
            c
            for c in counts
            if total.end <= c.start < end
            and c.unit == total.unit
            and text[max(0, c.start - 3) : c.start].endswith(("其中", "其中:"))
        ),
        None,
    )
    rest = REST.search(text, sub.end, end) if sub else None
    if sub is None or rest is None:
        return None
    figures = [q for q in numbers if rest.end() <= q.start < end and q.exact_figure]
    if len(figures) < 2:
        return None
    items = [q for q in figures if q.unit == figures[0].unit]
    complete = not OPEN_LIST.search(text[rest.end() : end].rstrip("。;, "))
    noun_match = NOUN.match(text, total.end)
    spans, start = [], rest.end()
    for q in items:  # each item: its name and its figure
        spans.append((start, q.end))
        start = q.end + 1
    return Enumeration(
        total,
        noun_match.group() if noun_match else "",
        tuple(spans),
        complete,
        "其中…剩余",
        end,
        counted=int(sub.value),
    )


def find_enumerations(text: str, numbers: list[Quantity]) -> list[Enumeration]:
    counts = [q for q in numbers if is_countable(q, text)]
    found: list[Enumeration] = []
    for i, q in enumerate(counts):
        noun_match = NOUN.match(text, q.end)
        noun = noun_match.group() if noun_match else ""
        sentence_end = min(
            (k for ch in "。\n|" if (k := text.find(ch, q.end)) >= 0), default=len(text)
        )
        later = counts[i + 1].start if i + 1 < len(counts) else len(text)
        intro = INTRO.search(text, q.end, min(later, sentence_end + 8))
        if intro is None:
            rest = rest_list(text, q, counts, numbers)
            if rest:
                found.append(rest)
            continue
        if intro.start() > sentence_end and text[sentence_end + 1 : intro.start()].strip():
            continue  # a list may open the next sentence ("。分别为:"), but only right away
        items, complete, end = list_items(text, intro.end())
        if items:
            found.append(
                Enumeration(q, noun, tuple(items), complete, intro.group().rstrip(":"), end)
            )
    return found
