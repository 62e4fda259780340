"""Rule kinds over wholes and restatements: 其中 breakdowns, one figure stated twice."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from decimal import Decimal

from auditor.checks.figures import (
    Context,
    Verdict,
    by_subject,
    figure,
    gap,
    in_unit,
    interval,
    judge,
    nearest,
    parts_decimals,
    plain,
    span,
)
from auditor.checks.ruleset import Rule
from auditor.interval import Interval, printed
from auditor.model import Breakdown, Fact, Quantity


def parts_total(b: Breakdown) -> Interval:
    total = interval(b.parts[0], b.exact)
    for p in b.parts[1:]:
        total = total + interval(p, b.exact)
    return total


def restatements(ctx: Context, q: Quantity) -> list[Quantity]:
    """Other values the report gives for the same concept as figure q (基本支出 stated twice)."""
    bound = next(
        (
            f
            for f in ctx.facts.facts
            if f.quantity is not None
            and f.quantity.value_start == q.value_start
            and f.concept not in ("unbound", "amount.named")
        ),
        None,
    )
    if bound is None:
        return []
    return [
        f.quantity
        for f in ctx.of(bound.concept, bound.subject)
        if f.quantity is not None and f.quantity.value != q.value
    ]


def breakdown_verdict(ctx: Context, b: Breakdown) -> Verdict:
    total = parts_total(b)
    whole = interval(b.whole, b.exact)
    stated_text = ctx.figure_text(b.whole)
    how = " + ".join(ctx.shown(p) for p in b.parts)
    places = parts_decimals(b.whole, list(b.parts))
    inputs = tuple(span(p) for p in b.parts)
    if total.lo > whole.hi:
        holds, expected, reason = judge(b.whole, total, b.exact, places)
        listed = (
            f"其中各项之和（{how} = {expected}{b.whole.unit}）"
            if len(b.parts) > 1
            else f"其中所列的 {how}"
        )
        message = f"{b.label or '总数'} {ctx.shown(b.whole)} 小于{listed}"
        return Verdict(
            False,
            span(b.whole),
            stated_text,
            expected + b.whole.unit,
            message,
            inputs,
            gap=gap(b.whole, total),
        )
    if b.closed:
        holds, expected, reason = judge(b.whole, total, b.exact, places)
        message = f"{b.label or '总数'}写作 {ctx.shown(b.whole)}，其中各项 {how} 合计 {expected}{b.whole.unit}"
        return Verdict(
            holds,
            span(b.whole),
            stated_text,
            expected + b.whole.unit,
            message,
            inputs,
            reason=reason,
            gap=gap(b.whole, total),
        )
    return Verdict(
        True, span(b.whole), stated_text, "", f"{stated_text} 不小于所列部分之和", inputs
    )


def check_breakdown(rule: Rule, ctx: Context) -> list[Verdict]:
    """A whole and its listed parts: parts never exceed the whole; a closed list adds up to it.
    A part the report restates with another value is read both ways (the repeat rule says which)."""
    verdicts = []
    for b in ctx.facts.breakdowns:
        verdict = breakdown_verdict(ctx, b)
        for k, part in enumerate(b.parts if not verdict.holds else ()):
            for other in restatements(ctx, part)[:2]:
                parts = b.parts[:k] + (other,) + b.parts[k + 1 :]
                if breakdown_verdict(ctx, replace(b, parts=parts)).holds:
                    verdict = replace(
                        verdict,
                        holds=True,
                        message=f"{verdict.message}（按另处所写的 {ctx.shown(other)} 则相符）",
                    )
                    break
        verdicts.append(verdict)
    return verdicts


def same_value(a: Fact, b: Fact) -> bool:
    if a.quantity is None or b.quantity is None:
        return a.value == b.value
    return interval(a.quantity).intersects(interval(b.quantity))


def same_amount(a: Fact, b: Fact) -> bool:
    """Amounts compared in their printed unit when one of them has none (a cell "2030.12" in a
    table whose header says 万元)."""
    if a.quantity is None or b.quantity is None or (a.unit and b.unit):
        return same_value(a, b)
    return printed(a.quantity.value, a.quantity.decimals).intersects(
        printed(b.quantity.value, b.quantity.decimals)
    )


def check_repeat(rule: Rule, ctx: Context) -> list[Verdict]:
    """One quantity stated several times must agree; the value stated most often is the reference."""
    verdicts = []
    for concept in rule.params["concepts"]:
        for facts in by_subject(ctx.of(concept)).values():
            if len(facts) < 2:
                continue
            tally = Counter(next(g for g in facts if same_value(g, f)).start for f in facts)
            ranked = tally.most_common(2)
            reference = next(f for f in facts if f.start == ranked[0][0])
            tied = (
                len(ranked) > 1 and ranked[0][1] == ranked[1][1]
            )  # no majority: say so, blame neither
            for f in facts:
                if f is reference:
                    continue
                ref_text = (
                    ctx.figure_text(reference.quantity) if reference.quantity else reference.value
                )
                here = ctx.figure_text(f.quantity) if f.quantity else f.value
                holds = same_value(f, reference)
                # A meaning read from context (基本支出 from the paragraph) may be misread: a warning.
                severity = (
                    "warning" if (f.inferred or reference.inferred) and not f.subject else None
                )
                template = rule.params.get(
                    "message", "{label}此处写作 {here}，与前后文的 {reference} 不一致"
                )
                if tied:
                    template = "{label}前后两处不一致：此处写作 {here}，另一处写作 {reference}，请核实哪一处有误"
                message = template.format(label=f.label or concept, here=here, reference=ref_text)
                verdicts.append(
                    Verdict(
                        holds,
                        span(f),
                        here,
                        ref_text,
                        message,
                        (span(reference),),
                        severity=severity,
                        subject=f.subject,
                    )
                )
    return verdicts


def check_split_repeat(rule: Rule, ctx: Context) -> list[Verdict]:
    """The same total split two ways (按收入性质分 / 按支出性质分) must be the same total."""
    splits = ctx.of("funding.split")
    if len(splits) < 2:
        return []
    totals = ctx.of("spending.total", "") + ctx.of("budget.adjusted", "")
    verdicts = []
    for f in splits:
        others = [g for g in splits if g is not f]
        agreeing = [g for g in others + totals if same_amount(f, g)]
        support = [g for g in others if any(same_amount(g, t) for t in totals)]
        holds = bool(agreeing) or (not support and f is splits[0])
        reference = (support or others)[0]
        here, ref_text = ctx.figure_text(figure(f)), ctx.figure_text(figure(reference))
        message = f"{f.label}写作 {here}，与{reference.label} {ref_text} 不一致（同一总额的两种分法应相等）"
        verdicts.append(Verdict(holds, span(f), here, ref_text, message, (span(reference),)))
    return verdicts


def check_subject_sum(rule: Rule, ctx: Context) -> list[Verdict]:
    """The projects listed one by one add up to the projects' total ("项目总金额为557.92万元 …
    分别为: A项目,预算金额为478.78万元; …"); a list shorter than the stated count only bounds it."""
    p = rule.params
    items: dict[str, Fact] = {}
    for f in ctx.of(p["items"]):
        items.setdefault(f.subject, f)
    if len(items) < 2:
        return []
    parts = list(items.values())
    totals = [p["total"]] if isinstance(p["total"], str) else p["total"]
    whole = next((w for c in totals if (w := nearest(ctx.of(c), parts[0].start))), None)
    if whole is None:
        return []
    counts = {int(Decimal(f.value)) for f in ctx.of(p["count"])} if p.get("count") else set()
    complete = counts == {len(parts)}
    total = interval(figure(parts[0]))
    for f in parts[1:]:
        total = total + interval(figure(f))
    stated = figure(whole)
    how = " + ".join(ctx.shown(figure(f)) for f in parts)
    inputs = tuple(span(f) for f in parts)
    if not complete:
        holds = total.lo <= interval(stated).hi
        message = f"{whole.label or '合计'} {ctx.shown(stated)} 小于所列各项目之和（{how}）"
        return [
            Verdict(
                holds,
                span(whole),
                ctx.figure_text(stated),
                f"≥ {plain(in_unit(total.mid, stated.unit))}{stated.unit}",
                message,
                inputs,
            )
        ]
    holds, expected, reason = judge(
        stated, total, decimals=parts_decimals(stated, [figure(f) for f in parts])
    )
    message = f"{whole.label or '合计'}写作 {ctx.shown(stated)}，所列 {len(parts)} 个项目 {how} 合计 {expected}{stated.unit}"
    return [
        Verdict(
            holds,
            span(whole),
            ctx.figure_text(stated),
            expected + stated.unit,
            message,
            inputs,
            reason=reason,
            gap=gap(stated, total),
        )
    ]
