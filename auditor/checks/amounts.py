"""Rule kinds over amounts: ratio, sum, difference, execution score, 其中 breakdown, repeats."""

from __future__ import annotations

from decimal import Decimal

from auditor.checks.figures import (
    Context,
    Verdict,
    by_subject,
    figure,
    interval,
    judge,
    nearest,
    parts_decimals,
    plain,
    span,
)
from auditor.checks.ruleset import Rule
from auditor.interval import HUNDRED, Interval
from auditor.model import Fact, Quantity


def label_of(f: Fact) -> str:
    return f.label or f.concept


def parts_of(ctx: Context, q: Quantity) -> Interval | None:
    """A whole that reads 0 or is empty, recomputed from its 其中 rows (池州 2022: 0 / 202.64)."""
    for b in ctx.facts.breakdowns:
        if b.whole.value_start == q.value_start and b.parts:
            total = interval(b.parts[0])
            for p in b.parts[1:]:
                total = total + interval(p)
            return total
    return None


def quotient(ctx: Context, n: Fact, d: Fact, fallback: bool) -> tuple[Interval | None, str]:
    num, den = interval(figure(n)), interval(figure(d))
    how = f"{ctx.figure_text(figure(n))} ÷ {ctx.figure_text(figure(d))}"
    ratio = num / den
    if ratio is None and fallback:
        num_parts, den_parts = parts_of(ctx, figure(n)), parts_of(ctx, figure(d))
        if num_parts and den_parts:
            ratio = num_parts / den_parts
            how = f"其中各行合计 {plain(num_parts.mid)} ÷ {plain(den_parts.mid)}"
    return ratio, how


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


def check_ratio(rule: Rule, ctx: Context) -> list[Verdict]:
    p = rule.params
    percent = p.get("percent", True)
    verdicts = []
    for subject, stated_facts in by_subject(ctx.of(p["stated"])).items():
        for f in stated_facts:
            n = nearest(ctx.of(p["numerator"], subject), f.start)
            d = nearest(ctx.of(p["denominator"], subject), f.start)
            if n is None or d is None:
                continue
            ratio, how = quotient(ctx, n, d, bool(p.get("fallback_parts")))
            stated_text = ctx.figure_text(figure(f))
            if ratio is None:
                verdicts.append(Verdict(None, span(f), stated_text, "", f"{label_of(f)}：分母为 0，无法计算", (span(n), span(d)), subject=subject))
                continue
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
            verdicts.append(Verdict(holds, span(f), stated_text, expected + unit, message, (span(n), span(d)),
                                    severity=severity, reason=reason, subject=subject))
    return verdicts


def total_of(ctx: Context, facts: list[Fact]) -> Interval:
    total = interval(figure(facts[0]))
    for f in facts[1:]:
        total = total + interval(figure(f))
    return total


def check_sum(rule: Rule, ctx: Context) -> list[Verdict]:
    p = rule.params
    verdicts = []
    for subject, stated_facts in by_subject(ctx.of(p["total"])).items():
        for f in stated_facts:
            found = [nearest(ctx.of(c, subject), f.start) for c in p["parts"]]
            parts = [x for x in found if x is not None]
            if len(parts) < len(found):
                continue
            holds, expected, reason = judge(figure(f), total_of(ctx, parts), decimals=parts_decimals(figure(f), [figure(x) for x in parts]))
            stated_text = ctx.figure_text(figure(f))
            how = " + ".join(ctx.figure_text(figure(x)) for x in parts)
            message = f"{label_of(f)}写作 {stated_text}，按 {how} 计算应为 {expected}{f.unit}"
            verdicts.append(Verdict(holds, span(f), stated_text, expected + f.unit, message, tuple(span(x) for x in parts), reason=reason, subject=subject))
    return verdicts


def check_difference(rule: Rule, ctx: Context) -> list[Verdict]:
    p = rule.params
    verdicts = []
    for f in ctx.of(p["result"]):
        base = nearest(ctx.of(p["base"], f.subject), f.start)
        change = nearest(ctx.of(p["change"], f.subject), f.start)
        if base is None or change is None:
            continue
        signed = interval(figure(change))
        if Decimal(change.value) < 0:
            signed = signed.negate()
        holds, expected, reason = judge(figure(f), interval(figure(base)) + signed)
        stated_text = ctx.figure_text(figure(f))
        sign = "−" if Decimal(change.value) < 0 else "+"
        how = f"{ctx.figure_text(figure(base))} {sign} {ctx.figure_text(figure(change))}"
        message = f"{label_of(f)}写作 {stated_text}，按 {how} 计算应为 {expected}{f.unit}"
        verdicts.append(Verdict(holds, span(f), stated_text, expected + f.unit, message, (span(base), span(change)), reason=reason))
    return verdicts


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
        verdicts.append(Verdict(holds, span(f), stated, f"≤ {ctx.shown(figure(limit))}", message, (span(limit),), subject=f.subject))
    return verdicts
