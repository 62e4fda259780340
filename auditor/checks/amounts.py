"""Rule kinds over amounts: ratio, sum, difference, execution score, 其中 breakdown, repeats."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from auditor.checks.figures import (
    Context,
    Verdict,
    figure,
    first_holding,
    gap,
    in_unit,
    interval,
    judge,
    nearest,
    parts_decimals,
    plain,
    readings,
    signed,
    span,
)
from auditor.checks.ruleset import Rule
from auditor.interval import HUNDRED, Interval
from auditor.model import Fact, Quantity


def label_of(f: Fact) -> str:
    label = f.label or f.concept
    return f"“{f.subject}”{label}" if f.subject and f.subject not in label else label


def parts_of(ctx: Context, q: Quantity) -> tuple[Interval, tuple[tuple[int, int], ...]] | None:
    """A whole that reads 0 or is empty, recomputed from its 其中 rows (池州 2022: 0 / 202.64)."""
    for b in ctx.facts.breakdowns:
        if b.whole.value_start == q.value_start and b.parts:
            total = interval(b.parts[0])
            for p in b.parts[1:]:
                total = total + interval(p)
            return total, tuple(span(p) for p in b.parts)
    return None


@dataclass(frozen=True, slots=True)
class Quotient:
    ratio: Interval | None
    how: str  # the division as the message shows it
    inputs: tuple[tuple[int, int], ...]  # the figures it was computed from


def quotient(ctx: Context, n: Fact, d: Fact, fallback: bool) -> Quotient:
    ratio = interval(figure(n)) / interval(figure(d))
    if ratio is None and fallback:
        num_parts, den_parts = parts_of(ctx, figure(n)), parts_of(ctx, figure(d))
        if num_parts and den_parts:
            shown = [
                plain(in_unit(p[0].mid, figure(f).unit))
                for p, f in ((num_parts, n), (den_parts, d))
            ]
            how = f"其中各行合计 {shown[0]} ÷ {shown[1]}"
            return Quotient(num_parts[0] / den_parts[0], how, num_parts[1] + den_parts[1])
    return Quotient(
        ratio, f"{ctx.figure_text(figure(n))} ÷ {ctx.figure_text(figure(d))}", (span(n), span(d))
    )


def other_base(ctx: Context, rule: Rule, f: Fact, n: Fact, d: Fact, percent: bool) -> str:
    """A wrong rate that another base explains (DOMAIN.md §3.4): 执行数 ÷ 年初预算数 instead of
    ÷ 全年预算数 is a base mismatch, not an arithmetic slip."""
    for concept in rule.params.get("alternatives", []):
        alt = nearest(ctx.of(concept, f.subject), f.start)
        if alt is None or figure(alt).value == figure(d).value:
            continue
        ratio = interval(figure(n)) / interval(figure(alt))
        if ratio is not None and judge(figure(f), ratio.scale(HUNDRED) if percent else ratio)[0]:
            return f"与 {ctx.shown(figure(n))} ÷ {alt.label or concept} {ctx.shown(figure(alt))} 相符，疑似以{alt.label or concept}为分母"
    return ""


def ratio_verdict(rule: Rule, ctx: Context, f: Fact, n: Fact, d: Fact) -> Verdict:
    p = rule.params
    percent = p.get("percent", True)
    q = quotient(ctx, n, d, bool(p.get("fallback_parts")))
    ratio, how = q.ratio, q.how
    stated_text = ctx.figure_text(figure(f))
    if ratio is None:
        return Verdict(
            None,
            span(f),
            stated_text,
            "",
            f"{label_of(f)}：分母为 0，无法计算",
            q.inputs,
            subject=f.subject,
        )
    computed = ratio.scale(HUNDRED) if percent else ratio
    if figure(f).value >= 0 and computed.hi < 0:
        computed = computed.negate()  # 调减 3.20%: the rate is stated unsigned
    holds, expected, reason = judge(figure(f), computed)
    unit = "%" if percent else ""
    message = f"{label_of(f)}写作 {stated_text}，按 {how} 计算应为 {expected}{unit}"
    severity = None
    if not holds:
        other = other_base(ctx, rule, f, n, d, percent)
        if other:
            message += f"；{other}"
            severity, reason = "warning", "base"
    return Verdict(
        holds,
        span(f),
        stated_text,
        expected + unit,
        message,
        q.inputs,
        severity=severity,
        reason=reason,
        subject=f.subject,
    )


def over_readings(ctx: Context, stated: str, inputs: list[str], judge_one) -> list[Verdict]:
    """One verdict per statement of `stated`: the first reading of the inputs that holds, else
    the nearest one's."""
    verdicts = []
    for f in ctx.of(stated):
        choices = readings(ctx, inputs, f.subject, f.start)
        verdict = first_holding([judge_one(f, *chosen) for chosen in choices])
        if verdict:
            verdicts.append(verdict)
    return verdicts


def check_ratio(rule: Rule, ctx: Context) -> list[Verdict]:
    p = rule.params
    return over_readings(
        ctx,
        p["stated"],
        [p["numerator"], p["denominator"]],
        lambda f, n, d: ratio_verdict(rule, ctx, f, n, d),
    )


def total_of(ctx: Context, facts: list[Fact]) -> Interval:
    total = interval(figure(facts[0]))
    for f in facts[1:]:
        total = total + interval(figure(f))
    return total


def computed_verdict(
    ctx: Context, f: Fact, computed: Interval, how: str, inputs: tuple, decimals: int | None = None
) -> Verdict:
    """A stated amount against the amount its inputs give: "X写作 a，按 how 计算应为 b"."""
    holds, expected, reason = judge(figure(f), computed, decimals=decimals)
    stated_text = ctx.figure_text(figure(f))
    message = f"{label_of(f)}写作 {stated_text}，按 {how} 计算应为 {expected}{f.unit}"
    return Verdict(
        holds,
        span(f),
        stated_text,
        expected + f.unit,
        message,
        inputs,
        reason=reason,
        subject=f.subject,
        gap=gap(figure(f), computed),
    )


def sum_verdict(ctx: Context, f: Fact, *parts: Fact) -> Verdict:
    how = " + ".join(ctx.figure_text(figure(x)) for x in parts)
    places = parts_decimals(figure(f), [figure(x) for x in parts])
    return computed_verdict(
        ctx, f, total_of(ctx, list(parts)), how, tuple(span(x) for x in parts), places
    )


def check_sum(rule: Rule, ctx: Context) -> list[Verdict]:
    return over_readings(
        ctx,
        rule.params["total"],
        rule.params["parts"],
        lambda f, *parts: sum_verdict(ctx, f, *parts),
    )


def difference_verdict(ctx: Context, f: Fact, base: Fact, change: Fact) -> Verdict:
    sign = "−" if Decimal(change.value) < 0 else "+"
    how = f"{ctx.figure_text(figure(base))} {sign} {ctx.figure_text(figure(change)).lstrip('-−')}"
    return computed_verdict(
        ctx, f, interval(figure(base)) + signed(change), how, (span(base), span(change))
    )


def check_difference(rule: Rule, ctx: Context) -> list[Verdict]:
    p = rule.params
    return over_readings(
        ctx, p["result"], [p["base"], p["change"]], lambda f, b, c: difference_verdict(ctx, f, b, c)
    )


def check_at_most(rule: Rule, ctx: Context) -> list[Verdict]:
    """A figure that must not exceed another (支出 ≤ 预算): legal only with an explanation."""
    p = rule.params
    verdicts = []
    for f in ctx.of(p["value"]):
        limit = nearest(ctx.of(p["limit"], f.subject), f.start)
        if limit is None:
            continue
        holds = interval(figure(f)).lo <= interval(figure(limit)).hi
        stated = ctx.figure_text(figure(f))
        message = f"{label_of(f)} {ctx.shown(figure(f))} 超过{label_of(limit)} {ctx.shown(figure(limit))}，需说明原因"
        verdicts.append(
            Verdict(
                holds,
                span(f),
                stated,
                f"≤ {ctx.shown(figure(limit))}",
                message,
                (span(limit),),
                subject=f.subject,
            )
        )
    return verdicts
