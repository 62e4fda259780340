"""Find every figure in normalized text: value, printed decimals, unit, comparator, exactness.

Identifiers that look like numbers (years, dates, phone numbers, document numbers such as
财预〔2020〕10号, section numbers, codes) are recognized first and kept out of arithmetic."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import regex

from auditor.model import Quantity
from auditor.recognize.chinese import find_chinese_quantities, to_decimal
from auditor.recognize.spans import Claims
from auditor.recognize.units import (
    APPROX_AFTER,
    APPROX_BEFORE,
    BEFORE_PATTERN,
    COMPARATOR_AFTER,
    COMPARATOR_BEFORE,
    unit_at,
)

# Order matters: the first pattern to claim a span wins.
IDENTIFIERS: list[tuple[str, regex.Pattern[str]]] = [
    (
        "date",
        regex.compile(
            r"(?<![\d.])(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?Z?)?(?![\d.])"
        ),
    ),
    (
        "date",
        regex.compile(r"(?<![\d.])(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?"),
    ),
    ("date", regex.compile(r"(?<![\d.])\d{1,2}\s*月\s*\d{1,2}\s*[日号]")),
    (
        "code",
        regex.compile(
            r"(?<![A-Za-z\d])[A-Za-z]*\d+[A-Za-z][A-Za-z\d]*|(?<![A-Za-z\d])[A-Za-z]+\d[A-Za-z\d]*"
        ),
    ),
    ("code", regex.compile(r"(?<![\d.])\d+(?:[-.]\d+){3,}")),
    ("docno", regex.compile(r"[〔\[【(]\s*(?:19|20)\d{2}\s*[〕\]】)]\s*(?:第\s*)?\d+\s*号")),
    ("phone", regex.compile(r"(?<![\d.])0\d{2,3}-\d{7,8}(?!\d)|(?<![\d.])1[3-9]\d{9}(?!\d)")),
    ("phone", regex.compile(r"(?<=(?:电话|热线|传真|联系方式)[:：]?\s*)\d{3,}(?:-\d+)?")),
    ("code", regex.compile(r"(?<=(?:编码|代码|编号|账号|邮编|文号)[:：]?\s*)\d+")),
    (
        "code",
        regex.compile(r"(?<![\d.])\d{3,}(?=-\p{Han})|(?<![\d.])\d{5}(?=热线|平台|服务热线|便民)"),
    ),
    ("year", regex.compile(r"(?<![\d.])(?:19|20)\d{2}\s*[-—–~至到]\s*(?:19|20)\d{2}\s*年")),
    ("year", regex.compile(r"(?<![\d.])(?:19|20)\d{2}\s*年(?:度)?")),
    ("year", regex.compile(r"(?<=[(（]\s*)(?:19|20)\d{2}(?=\s*[)）])")),
    ("section", regex.compile(r"(?:^|(?<=[\n。;:|]))\s*[(]\d{1,2}[)](?=\s*\D)", regex.MULTILINE)),
    ("section", regex.compile(r"(?:^|(?<=[\n。;|]))\s*\d{1,2}[.、](?![\d%])", regex.MULTILINE)),
    ("ordinal", regex.compile(r"第\s*\d+")),
]

# ASCII digits only ([0-9], not \d): readers fold full-width digits, and Decimal cannot read
# every character regex calls a digit (regex knows newer Unicode than the decimal module).
ARABIC = regex.compile(
    r"(?<![0-9.,])(?:(?<=^|[\s|(:,;为是]|\p{Han})-)?(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
)
RANGE_JOIN = regex.compile(r"\s*(?:[-—–~～]|至|到)\s*")
PERCENT_WORDS = regex.compile(
    r"百分之\s*([0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百]+(?:点[零〇一二三四五六七八九]+)?)"
)


def parse_decimal(digits: str) -> tuple[Decimal, int]:
    """'1,906.420' → (Decimal('1906.420'), 3): trailing zeros count as printed decimals."""
    clean = digits.replace(",", "")
    decimals = len(clean.split(".", 1)[1]) if "." in clean else 0
    return Decimal(clean), decimals


def parse_percent_words(number: str) -> tuple[Decimal, int] | None:
    """百分之95, 百分之九十五, 百分之九十九点五, 百分之百; None when unreadable."""
    if number[0].isdigit():
        return parse_decimal(number)
    if number == "百":
        return Decimal(100), 0
    value = to_decimal(number)
    decimals = len(number.split("点", 1)[1]) if "点" in number else 0
    return None if value is None else (value, decimals)


def claim_identifiers(text: str) -> tuple[list[Quantity], Claims]:
    found: list[Quantity] = []
    taken = Claims(len(text))
    for kind, pattern in IDENTIFIERS:
        for m in pattern.finditer(text):
            start, end = m.span()
            while start < end and text[start] in " \n":
                start += 1
            if start >= end or taken.overlaps(start, end):
                continue
            taken.append((start, end))
            digits = regex.search(r"[0-9]+", m.group())
            value = Decimal(digits.group()) if digits else Decimal(0)
            found.append(
                Quantity(start, end, start, end, value, 0, kind=kind, text=text[start:end])
            )
    return found, taken


def before_words(text: str, start: int) -> tuple[str, bool, int]:
    """Comparator and approximation written just before a figure: (comparator, approx, new start)."""
    window = text[max(0, start - 6) : start]
    m = BEFORE_PATTERN.search(window)
    if not m:
        return "", False, start
    word = m.group().rstrip(" *")
    new_start = start - len(window) + m.start()
    if word in APPROX_BEFORE:
        return "", True, new_start
    return COMPARATOR_BEFORE[word], False, new_start


def after_words(text: str, end: int) -> tuple[str, bool, int]:
    """Approximation or comparator words right after the unit: 余 多 左右 以上 以内 …"""
    comparator, approx = "", False
    for word in sorted(APPROX_AFTER, key=len, reverse=True):
        if (
            text.startswith(word, end)
            and not text.startswith("多元", end)
            and not text.startswith("多项", end)
        ):
            approx, end = True, end + len(word)
            break
    for word, sign in COMPARATOR_AFTER.items():
        if text.startswith(word, end):
            comparator, end = sign, end + len(word)
            break
    return comparator, approx, end


def read_figure(text: str, m: regex.Match[str], taken: Claims) -> Quantity:
    value, decimals = parse_decimal(m.group())
    start, end = m.span()
    approx = False
    # 20余件, 110多人, 20万余元: the approximation word sits between figure and unit.
    for word in ("余", "多"):
        if text.startswith(word, end) and unit_at(text, end + 1)[0]:
            approx, end = True, end + 1
    unit, unit_end = unit_at(text, end)
    if unit == "万元" and "余" in text[end:unit_end]:
        approx = True
    end = unit_end
    upper = None
    joint = RANGE_JOIN.match(text, end)
    if joint and not m.group().startswith("-"):
        second = ARABIC.match(text, joint.end())
        if second and not taken.overlaps(*second.span()):
            unit2, end2 = unit_at(text, second.end())
            if not unit or not unit2 or unit2 == unit:
                upper = parse_decimal(second.group())[0]
                unit = unit or unit2
                end = end2 if unit2 else second.end()
    comparator_after, approx_after, end = after_words(text, end)
    comparator, approx_before, start = before_words(text, m.start())
    if comparator == "<=" and text[start : m.start()].startswith("控制在") and not comparator_after:
        comparator = "<="
    return Quantity(
        start=start,
        end=end,
        value_start=m.start(),
        value_end=m.end(),
        value=value,
        decimals=decimals,
        unit=unit,
        comparator=comparator or comparator_after,
        approximate=approx or approx_before or approx_after,
        upper=upper,
        text=text[start:end],
    )


def find_quantities(text: str) -> list[Quantity]:
    """Every figure in the text, identifiers included (kind tells them apart), in order."""
    found, taken = claim_identifiers(text)
    for m in PERCENT_WORDS.finditer(text):
        parsed = parse_percent_words(m.group(1))
        if parsed is not None and not taken.overlaps(*m.span()):
            value, decimals = parsed
            numeral: Literal["arabic", "chinese"] = (
                "arabic" if m.group(1)[0].isdigit() else "chinese"
            )
            found.append(
                Quantity(
                    m.start(),
                    m.end(),
                    m.start(1),
                    m.end(1),
                    value,
                    decimals,
                    unit="%",
                    numeral=numeral,
                    text=m.group(),
                )
            )
            taken.append(m.span())
    for m in ARABIC.finditer(text):
        if taken.overlaps(*m.span()):
            continue
        quantity = read_figure(text, m, taken)
        found.append(quantity)
        taken.append((quantity.value_start, quantity.end))
    found.extend(find_chinese_quantities(text, taken))
    return sorted(found, key=lambda q: (q.value_start, q.end))
