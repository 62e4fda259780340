"""What rule kinds share: the verdict they return, and figures as intervals."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from auditor.interval import Agreement, Interval, agree, printed, show, step
from auditor.model import COUNT_UNITS, Fact, Interpretation, Quantity

MONEY = {
    "亿元": Decimal(10) ** 8,
    "万元": Decimal(10) ** 4,
    "万": Decimal(10) ** 4,
    "千元": Decimal(1000),
    "元": Decimal(1),
}


@dataclass(frozen=True, slots=True)
class Verdict:
    """One evaluated relation: does the stated figure fit what the others imply?"""

    holds: bool | None
    stated: tuple[int, int]
    stated_text: str
    expected: str
    message: str
    inputs: tuple[tuple[int, int], ...] = ()
    severity: str | None = None  # a judgement overrides the rule's severity
    reason: str = ""  # truncation, consequence, assumed …
    subject: str = ""
    detail: dict[str, str] = field(default_factory=dict)
    # computed − stated, in the stated figure's unit, and the place of its last printed digit: lets
    # the engine tell a consequence of an earlier slip (correcting that slip closes this gap)
    # from a second slip of its own.
    gap: tuple[Decimal, str, Decimal] | None = None


def gap(stated: Quantity, computed: Interval) -> tuple[Decimal, str, Decimal]:
    return in_unit(computed.mid, stated.unit) - stated.value, stated.unit, step(stated.decimals)


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a rule kind may read: the interpretation, the text, the settings."""

    facts: Interpretation
    text: str
    settings: dict[str, Any]

    def of(self, concept: str, subject: str | None = None, direct: bool = False) -> list[Fact]:
        return [
            f
            for f in self.facts.facts
            if f.concept == concept
            and (subject is None or f.subject == subject)
            and (not direct or not f.inferred)
            and (f.quantity is None or f.quantity.exact_figure)
        ]

    def setting(self, key: str) -> Any:
        """A scoring setting: the report's own statement of it if it makes one ("90分（含）以上
        为优…"), else the profile's (DOMAIN.md `region_overrides_from_report`)."""
        stated = next((s.value for s in self.facts.stated_settings if s.key == key), None)
        return self.settings[key] if stated is None else stated

    def stated(self, key: str) -> bool:
        return any(s.key == key for s in self.facts.stated_settings)

    def figure_text(self, q: Quantity) -> str:
        """The figure as printed (a table cell may print no unit: "7")."""
        return self.text[q.value_start : q.end].strip()

    def with_comparator(self, q: Quantity) -> str:
        """A target as the report sets it: "≥95%", "小于等于2872.68万元"."""
        printed = self.text[q.start : q.end].strip()
        return printed if not q.unit or q.unit in printed else printed + q.unit

    def shown(self, q: Quantity) -> str:
        """The figure for a message: as printed, with the unit its column gives it."""
        printed = self.figure_text(q)
        return printed if not q.unit or q.unit in printed else printed + q.unit


def figure(f: Fact) -> Quantity:
    """The figure of a numeric fact (rules only ask for numeric concepts)."""
    if f.quantity is None:
        raise ValueError(f"{f.concept} has no figure")
    return f.quantity


def interval(q: Quantity, exact: bool = False) -> Interval:
    """A figure as the interval it stands for, money in 元 so that 元 and 万元 compare.
    Whole counts of people and things (136人, 16件) are exact: nobody rounds a head count."""
    counted = q.unit in COUNT_UNITS and q.decimals == 0
    iv = printed(q.value, q.decimals, exact or counted)
    factor = MONEY.get(q.unit)
    return iv.scale(factor) if factor else iv


def signed(f: Fact) -> Interval:
    """A fact's figure with the fact's sign: 调减 92.05 is −92.05, and so is "(-92.05)"."""
    iv = interval(figure(f))
    flipped = (Decimal(f.value) < 0) != (figure(f).value < 0)
    return iv.negate() if flipped else iv


def in_unit(value: Decimal, unit: str) -> Decimal:
    """A value in 元 back in the unit a figure was printed in."""
    factor = MONEY.get(unit)
    return value / factor if factor else value


def nearest(facts: list[Fact], pos: int) -> Fact | None:
    """The statement closest to `pos`, preferring one before it (reports state inputs first)."""
    if not facts:
        return None
    return min(facts, key=lambda f: abs(f.start - pos) + (0 if f.start <= pos else 200))


def readings(
    ctx: Context, concepts: list[str], subject: str, pos: int, limit: int = 3
) -> list[list[Fact]]:
    """The statements to take as inputs, nearest first. A concept stated with two values gives
    two readings of the report: a relation holds when one of them satisfies it (which statement
    is wrong is the repeat rule's business, not this relation's)."""
    per_concept: list[list[Fact]] = []
    for concept in concepts:
        facts = sorted(
            ctx.of(concept, subject),
            key=lambda f: abs(f.start - pos) + (0 if f.start <= pos else 200),
        )
        distinct: list[Fact] = []
        for f in facts:
            if not any(f.value == g.value for g in distinct):
                distinct.append(f)
        if not distinct:
            return []
        per_concept.append(distinct[:limit])
    return [list(combo) for combo in itertools.product(*per_concept)]


def first_holding(verdicts: list[Verdict]) -> Verdict | None:
    """The reading that holds if one does, else the nearest one's verdict."""
    return next((v for v in verdicts if v.holds), verdicts[0] if verdicts else None)


def span(f: Fact | Quantity) -> tuple[int, int]:
    if isinstance(f, Fact) and f.quantity is not None:
        return f.quantity.value_start, f.quantity.end
    if isinstance(f, Quantity):
        return f.value_start, f.end
    return f.start, f.end


def judge(
    stated: Quantity, computed: Interval, exact: bool = False, decimals: int | None = None
) -> tuple[bool, str, str]:
    """(holds, expected, reason) for a stated figure against a computed interval; the expected
    value is printed with the stated figure's decimals (or `decimals`, for sums of finer parts)."""
    value = in_unit(computed.mid, stated.unit)
    expected = show(value, stated.decimals if decimals is None else max(decimals, stated.decimals))
    low, high = in_unit(computed.lo, stated.unit), in_unit(computed.hi, stated.unit)
    outcome = agree(stated.value, stated.decimals, Interval(low, high), exact)
    if outcome is Agreement.HOLDS:
        return True, expected, ""
    return False, expected, "truncation" if outcome is Agreement.TRUNCATION else ""


def plain(value: Decimal, places: int = 4) -> str:
    """A computed value for a message: up to `places` decimals, no trailing zeros (9.8, 10.8864)."""
    text = format(round(value, places), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def parts_decimals(stated: Quantity, parts: list[Quantity]) -> int | None:
    """A sum of parts printed with 2 decimals has 2 decimals, whatever the whole prints."""
    if all(p.unit == stated.unit for p in parts):
        return max(p.decimals for p in parts)
    return None


def by_subject(facts: list[Fact]) -> dict[str, list[Fact]]:
    groups: dict[str, list[Fact]] = {}
    for f in facts:
        groups.setdefault(f.subject, []).append(f)
    return groups
