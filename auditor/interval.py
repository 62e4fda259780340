"""Rounding-aware arithmetic on Decimal intervals: the only place where tolerance lives.

A figure printed with d decimals stands for every true value that rounds to it, the
interval ±½·10⁻ᵈ around it. A relation is broken only when no choice of true values inside
all the intervals satisfies it. Truncation (what many spreadsheets do) is a second reading:
a figure printed with d decimals may also stand for [v, v + 10⁻ᵈ)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext
from enum import Enum

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Interval:
    """Every value a quantity may have, with the value computed from the figures as printed
    (`point`): that is what a message shows as "should be", the interval is what is judged."""

    lo: Decimal
    hi: Decimal
    point: Decimal | None = None

    @classmethod
    def exact(cls, value: Decimal) -> Interval:
        return cls(value, value, value)

    @property
    def mid(self) -> Decimal:
        return self.point if self.point is not None else (self.lo + self.hi) / 2

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.lo + other.lo, self.hi + other.hi, self.mid + other.mid)

    def __sub__(self, other: Interval) -> Interval:
        return Interval(self.lo - other.hi, self.hi - other.lo, self.mid - other.mid)

    def __mul__(self, other: Interval) -> Interval:
        products = (self.lo * other.lo, self.lo * other.hi, self.hi * other.lo, self.hi * other.hi)
        return Interval(min(products), max(products), self.mid * other.mid)

    def __truediv__(self, other: Interval) -> Interval | None:
        """None when the divisor may be zero: the quotient is then undefined."""
        if other.lo <= 0 <= other.hi:
            return None
        with localcontext() as ctx:
            ctx.prec = 40
            inverse = Interval(1 / other.hi, 1 / other.lo, 1 / other.mid)
            return self * inverse

    def scale(self, factor: Decimal) -> Interval:
        a, b = self.lo * factor, self.hi * factor
        return Interval(min(a, b), max(a, b), self.mid * factor)

    def negate(self) -> Interval:
        return Interval(-self.hi, -self.lo, -self.mid)

    def intersects(self, other: Interval) -> bool:
        return self.lo <= other.hi and other.lo <= self.hi

    def contains(self, value: Decimal) -> bool:
        return self.lo <= value <= self.hi

    def clamp_max(self, cap: Decimal) -> Interval:
        return Interval(min(self.lo, cap), min(self.hi, cap), min(self.mid, cap))


def step(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def printed(value: Decimal, decimals: int, exact: bool = False) -> Interval:
    """What a figure printed with `decimals` decimals stands for."""
    if exact:
        return Interval.exact(value)
    half = step(decimals) / 2
    return Interval(value - half, value + half, value)


def truncated(value: Decimal, decimals: int) -> Interval:
    """What the figure stands for if the decimals beyond the printed ones were cut off."""
    size = step(decimals)
    if value >= 0:
        return Interval(value, value + size * Decimal("0.999999"), value)
    return Interval(value - size * Decimal("0.999999"), value, value)


class Agreement(Enum):
    HOLDS = "holds"
    TRUNCATION = "truncation"  # holds only if the figure was cut off, not rounded
    BROKEN = "broken"


def agree(stated: Decimal, decimals: int, computed: Interval, exact: bool = False) -> Agreement:
    """Does a figure printed as `stated` fit a value somewhere in `computed`?"""
    if printed(stated, decimals, exact).intersects(computed):
        return Agreement.HOLDS
    if not exact and truncated(stated, decimals).intersects(computed):
        return Agreement.TRUNCATION
    return Agreement.BROKEN


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(step(decimals), rounding=ROUND_HALF_UP)


def cut(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(step(decimals), rounding=ROUND_DOWN)


def show(value: Decimal, decimals: int) -> str:
    """The value as the report would print it with `decimals` decimals."""
    text = format(round_half_up(value, decimals), "f")
    return "0" if text in ("-0", "-0.0") else text
