"""Rule kinds over scores: execution score, indicator scores, totals, weights, grade."""

from __future__ import annotations

from decimal import Decimal

from auditor.checks.amounts import quotient
from auditor.checks.bandtables import bands_rate
from auditor.checks.figures import Context, Verdict, figure, interval, judge, nearest, span
from auditor.checks.ruleset import Rule
from auditor.interval import HUNDRED, Interval, printed
from auditor.model import Indicator, Quantity

ONE = Decimal(1)


def score_decimals(ctx: Context) -> int:
    """The decimals this report writes fractional scores with (9.07, 7.08 → 2): a score printed
    as "10" in such a report means 10.00."""
    scores = [
        figure(f).decimals
        for f in ctx.facts.facts
        if f.concept in ("indicator.score", "execution.score") and figure(f)
    ]
    return max(scores, default=0)


def score_interval(ctx: Context, q: Quantity) -> Interval:
    """A score as the interval it stands for, read at the report's own precision: "8分" in a
    report that writes 7.08 and 5.26 means 8.00, not anything from 7.5 to 8.5."""
    return printed(q.value, max(q.decimals, score_decimals(ctx)))


def judge_score(ctx: Context, stated: Quantity, computed: Interval) -> tuple[bool, str, str]:
    """Judge a score at its printed precision, then at the report's own convention: holding only
    at the coarser one is a warning ('convention')."""
    holds, expected, reason = judge(stated, computed)
    convention = score_decimals(ctx)
    if stated.decimals == 0 and convention > 0:
        fine = Quantity(
            stated.start,
            stated.end,
            stated.value_start,
            stated.value_end,
            stated.value,
            convention,
            stated.unit,
        )
        fine_holds, fine_expected, _ = judge(fine, computed)
        if holds and not fine_holds:
            return False, fine_expected, "convention"
        expected = fine_expected  # show what was due the way this report writes scores
    return holds, expected, reason


def capped(ratio: Interval, weight: Interval) -> Interval:
    return (ratio.clamp_max(ONE)) * weight


def check_execution_score(rule: Rule, ctx: Context) -> list[Verdict]:
    """得分 = 分值 × min(执行率, 100%), from the amounts; from the stated rate only if that rate is right."""
    p = rule.params
    verdicts = []
    for f in ctx.of(p["stated"]):
        weight_fact = nearest(ctx.of(p.get("weight", "execution.weight"), f.subject), f.start)
        weight_value = figure(weight_fact).value if weight_fact else None
        if bands_rate(ctx.settings, p["rate"], weight_value, figure(f).value):
            continue  # the region scores the execution rate by bands (湖南): banded-score judges it
        weight = (
            interval(figure(weight_fact), exact=True)
            if weight_fact
            else Interval.exact(ctx.settings["exec_weight"])
        )
        rate = nearest(ctx.of(p["rate"], f.subject), f.start)
        paths: list[tuple[Interval, tuple, str]] = []
        n = nearest(ctx.of(p.get("numerator", "spending.total"), f.subject), f.start)
        d = nearest(ctx.of(p.get("denominator", "budget.adjusted"), f.subject), f.start)
        q = quotient(ctx, n, d, True) if n and d else None
        amounts = q.ratio if q else None
        if q is not None and amounts is not None:
            paths.append((capped(amounts, weight), q.inputs, "按执行数 ÷ 预算数"))
        if rate is not None:
            stated_rate = interval(figure(rate)).scale(ONE / HUNDRED)
            if amounts is None or stated_rate.intersects(amounts):
                paths.append(
                    (
                        capped(stated_rate, weight),
                        (span(rate),),
                        f"按执行率 {ctx.figure_text(figure(rate))}",
                    )
                )
        if not paths:
            continue
        results = [(judge_score(ctx, figure(f), c), inputs, how) for c, inputs, how in paths]
        (holds, expected, reason), inputs, how = next((r for r in results if r[0][0]), results[0])
        w = (
            ctx.figure_text(figure(weight_fact))
            if weight_fact
            else f"{ctx.settings['exec_weight']}分（默认）"
        )
        stated_text = ctx.figure_text(figure(f))
        message = f"预算执行率得分写作 {stated_text}，{how}、分值 {w} 计算应为 {expected}分"
        verdicts.append(
            Verdict(
                holds,
                span(f),
                stated_text,
                expected + "分",
                message,
                inputs + ((span(weight_fact),) if weight_fact else ()),
                reason=reason,
            )
        )
    return verdicts


def direction(target: Quantity) -> str:
    return "reverse" if target.comparator in ("<=", "<") else "positive"


def comparable(a: Quantity, b: Quantity) -> bool:
    money = {"元", "万元", "亿元", "千元"}
    return a.unit == b.unit or (a.unit in money and b.unit in money) or not b.unit


def target_path(ind: Indicator) -> tuple[Interval, bool] | None:
    """The score the target and actual imply, and whether the target was met."""
    t, a, w = ind.target, ind.actual, ind.weight
    if t is None or a is None or w is None or not comparable(t, a):
        return None
    # Targets and weights are designed figures (exact); the actual value is a measurement.
    weight, target, actual = interval(w, exact=True), interval(t, exact=True), interval(a)
    if direction(t) == "reverse":
        met = actual.lo <= target.hi
        ratio = Interval.exact(ONE) if met or actual.hi <= 0 else target / actual
    else:
        met = actual.hi >= target.lo
        ratio = Interval.exact(ONE) if met else actual / target
    if ratio is None:
        return None
    return capped(ratio, weight), met
