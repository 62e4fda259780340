"""Figures written in Chinese numerals: 五个项目, 九个社区, 一百零六名, “两办四中心”."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import regex

from auditor.model import COUNT_UNITS, Quantity
from auditor.recognize.spans import Claims
from auditor.recognize.units import unit_at

NUMERAL = "零〇一二两三四五六七八九十百千万亿"
CHINESE = regex.compile(rf"(?<![{NUMERAL}第每其统唯单之逐初])[{NUMERAL}]+")
# “两办四中心”, “三会一课”: a quoted name made of numeral + noun groups counts its parts.
GROUPED = regex.compile(
    r"“((?:[一二两三四五六七八九十](?:[^“”\d一二两三四五六七八九十]{1,2})){2,})”"
)
GROUP = regex.compile(r"([一二两三四五六七八九十])([^一二两三四五六七八九十]{1,2})")


@cache
def converter():  # cn2an builds its tables on import (~70 ms): load it only when needed
    import cn2an

    return cn2an.cn2an


DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def small_number(numeral: str) -> int | None:
    """一 … 九十九, the numerals reports count with (九个社区, 十五项); larger ones go to cn2an,
    whose import (~0.1 s) is only paid when a report writes one."""
    if len(numeral) == 1 and numeral in DIGITS:
        return DIGITS[numeral]
    tens, sep, units = numeral.partition("十")
    if not sep or len(tens) > 1 or len(units) > 1:
        return None
    if (tens and tens not in DIGITS) or (units and units not in DIGITS):
        return None
    return DIGITS.get(tens, 1) * 10 + DIGITS.get(units, 0)


def to_decimal(numeral: str) -> Decimal | None:
    """九十九点五 → 99.5; None when cn2an cannot read it (百分之十百)."""
    small = small_number(numeral)
    if small is not None:
        return Decimal(small)
    try:
        return Decimal(str(converter()(numeral, "smart")))
    except (ValueError, KeyError, TypeError, ArithmeticError):
        return None


def grouped_counts(text: str, taken: Claims) -> list[Quantity]:
    found: list[Quantity] = []
    for m in GROUPED.finditer(text):
        for g in GROUP.finditer(m.group(1)):
            start = m.start(1) + g.start()
            value = to_decimal(g.group(1))
            if value is None:
                continue
            end = start + len(g.group())
            found.append(
                Quantity(
                    start,
                    end,
                    start,
                    start + 1,
                    value,
                    0,
                    unit=g.group(2),
                    numeral="chinese",
                    text=g.group(),
                )
            )
            taken.append((start, end))
    return found


def find_chinese_quantities(text: str, taken: Claims) -> list[Quantity]:
    """Chinese numerals that count something (followed by a count unit), not words like 一般."""
    found = grouped_counts(text, taken)
    for m in CHINESE.finditer(text):
        numeral = m.group()
        if (
            taken.overlaps(*m.span())
            or numeral in ("一", "万", "亿", "千", "百")
            or numeral[0] in "万亿"
        ):
            continue
        unit, end = unit_at(text, m.end())
        if unit not in COUNT_UNITS:
            continue
        value = to_decimal(numeral)
        if value is None:
            continue
        found.append(
            Quantity(
                m.start(),
                end,
                m.start(),
                m.end(),
                value,
                0,
                unit=unit,
                numeral="chinese",
                text=text[m.start() : end],
            )
        )
    return found
