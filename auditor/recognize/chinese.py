"""Figures written in Chinese numerals: 五个项目, 九个社区, 一百零六名, “两办四中心”."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import regex

from auditor.model import COUNT_UNITS, Quantity
from auditor.recognize.units import unit_at

NUMERAL = "零〇一二两三四五六七八九十百千万亿"
CHINESE = regex.compile(rf"(?<![{NUMERAL}第每其统唯单之逐初])[{NUMERAL}]+")
# “两办四中心”, “三会一课”: a quoted name made of numeral + noun groups counts its parts.
GROUPED = regex.compile(r"“((?:[一二两三四五六七八九十](?:[^“”\d一二两三四五六七八九十]{1,2})){2,})”")
GROUP = regex.compile(r"([一二两三四五六七八九十])([^一二两三四五六七八九十]{1,2})")


@cache
def converter():  # cn2an builds its tables on import (~70 ms): load it only when needed
    import cn2an

    return cn2an.cn2an


def to_decimal(numeral: str) -> Decimal | None:
    """九十九点五 → 99.5; None when cn2an cannot read it (百分之十百)."""
    try:
        return Decimal(str(converter()(numeral, "smart")))
    except (ValueError, KeyError, TypeError, ArithmeticError):
        return None


def overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in spans)


def grouped_counts(text: str, taken: list[tuple[int, int]]) -> list[Quantity]:
    found: list[Quantity] = []
    for m in GROUPED.finditer(text):
        for g in GROUP.finditer(m.group(1)):
            start = m.start(1) + g.start()
            value = to_decimal(g.group(1))
            if value is None:
                continue
            end = start + len(g.group())
            found.append(Quantity(start, end, start, start + 1, value, 0, unit=g.group(2),
                                  numeral="chinese", text=g.group()))
            taken.append((start, end))
    return found


def find_chinese_quantities(text: str, taken: list[tuple[int, int]]) -> list[Quantity]:
    """Chinese numerals that count something (followed by a count unit), not words like 一般."""
    found = grouped_counts(text, taken)
    for m in CHINESE.finditer(text):
        numeral = m.group()
        if overlaps(taken, *m.span()) or numeral in ("一", "万", "亿", "千", "百") or numeral[0] in "万亿":
            continue
        unit, end = unit_at(text, m.end())
        if unit not in COUNT_UNITS:
            continue
        value = to_decimal(numeral)
        if value is None:
            continue
        found.append(Quantity(m.start(), end, m.start(), m.end(), value, 0, unit=unit,
                              numeral="chinese", text=text[m.start():end]))
    return found
