"""Rule kinds over wholes and restatements: 其中 breakdowns, one figure stated twice."""

from __future__ import annotations

from collections import Counter

from auditor.checks.figures import Context, Verdict, figure, gap, interval, judge, parts_decimals, span
from auditor.checks.ruleset import Rule
from auditor.interval import Interval
from auditor.model import Breakdown, Fact


def parts_total(b: Breakdown) -> Interval:
    total = interval(b.parts[0], b.exact)
    for p in b.parts[1:]:
        total = total + interval(p, b.exact)
    return total


def check_breakdown(rule: Rule, ctx: Context) -> list[Verdict]:
    """A whole and its listed parts: parts never exceed the whole; a closed list adds up to it."""
    verdicts = []
    for b in ctx.facts.breakdowns:
        total = parts_total(b)
        whole = interval(b.whole, b.exact)
        stated_text = ctx.figure_text(b.whole)
        how = " + ".join(ctx.shown(p) for p in b.parts)
        places = parts_decimals(b.whole, list(b.parts))
        inputs = tuple(span(p) for p in b.parts)
        if total.lo > whole.hi:
            holds, expected, reason = judge(b.whole, total, b.exact, places)
            message = f"{b.label or '总数'} {ctx.shown(b.whole)} 小于其中各项之和（{how} = {expected}{b.whole.unit}）"
            verdicts.append(Verdict(False, span(b.whole), stated_text, expected + b.whole.unit, message, inputs,
                                    gap=gap(b.whole, total)))
        elif b.closed:
            holds, expected, reason = judge(b.whole, total, b.exact, places)
            message = f"{b.label or '总数'}写作 {ctx.shown(b.whole)}，其中各项 {how} 合计 {expected}{b.whole.unit}"
            verdicts.append(Verdict(holds, span(b.whole), stated_text, expected + b.whole.unit, message, inputs, reason=reason,
                                    gap=gap(b.whole, total)))
        else:
            verdicts.append(Verdict(True, span(b.whole), stated_text, "", f"{stated_text} 不小于所列部分之和", inputs))
    return verdicts


def same_value(a: Fact, b: Fact) -> bool:
    if a.quantity is None or b.quantity is None:
        return a.value == b.value
    return interval(a.quantity).intersects(interval(b.quantity))


def check_repeat(rule: Rule, ctx: Context) -> list[Verdict]:
    """One quantity stated several times must agree; the value stated most often is the reference."""
    verdicts = []
    for concept in rule.params["concepts"]:
        groups: dict[str, list[Fact]] = {}
        for f in ctx.of(concept, direct=True):
            groups.setdefault(f.subject, []).append(f)
        for facts in groups.values():
            if len(facts) < 2:
                continue
            tally = Counter(next(g for g in facts if same_value(g, f)).start for f in facts)
            reference = next(f for f in facts if f.start == tally.most_common(1)[0][0])
            for f in facts:
                if f is reference:
                    continue
                ref_text = ctx.figure_text(reference.quantity) if reference.quantity else reference.value
                here = ctx.figure_text(f.quantity) if f.quantity else f.value
                holds = same_value(f, reference)
                template = rule.params.get("message", "{label}此处写作 {here}，与前后文的 {reference} 不一致")
                message = template.format(label=f.label or concept, here=here, reference=ref_text)
                verdicts.append(Verdict(holds, span(f), here, ref_text, message, (span(reference),), subject=f.subject))
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
        agreeing = [g for g in others + totals if same_value(f, g)]
        support = [g for g in others if any(same_value(g, t) for t in totals)]
        holds = bool(agreeing) or (not support and f is splits[0])
        reference = (support or others)[0]
        here, ref_text = ctx.figure_text(figure(f)), ctx.figure_text(figure(reference))
        message = f"{f.label}写作 {here}，与{reference.label} {ref_text} 不一致（同一总额的两种分法应相等）"
        verdicts.append(Verdict(holds, span(f), here, ref_text, message, (span(reference),)))
    return verdicts
