"""Rule kinds over one indicator: its score against target and actual, against its stated
completion rate, the completion rate itself, and the cap at the weight."""

from __future__ import annotations

from decimal import Decimal

from auditor.checks.figures import Context, Verdict, gap, interval, judge, plain, span
from auditor.checks.ruleset import Rule
from auditor.checks.scores import ONE, capped, direction, judge_score, target_path
from auditor.interval import HUNDRED, show
from auditor.model import Indicator


def figures(ind: Indicator, *names: str) -> tuple[tuple[int, int], ...]:
    return tuple(span(q) for n in names if (q := getattr(ind, n)) is not None)


def score_severity(reason: str, target_met: bool | None) -> str | None:
    """Judgement calls are warnings: a figure that fits only if truncated or only at the report's
    own precision, and a met target (full marks are due: a deduction, or a stated completion
    rate that disagrees with full marks, is a judgement). A missed target scored beyond what it
    earns keeps the rule's severity."""
    if reason in ("truncation", "convention") or target_met:
        return "warning"
    return None


def by_target(ctx: Context, ind: Indicator) -> Verdict | None:
    path = target_path(ind)
    s, t, a, w = ind.score, ind.target, ind.actual, ind.weight
    if path is None or s is None or t is None or a is None or w is None:
        return None
    computed, met = path
    holds, expected, reason = judge_score(ctx, s, computed)
    stated = ctx.figure_text(s)
    if holds:
        return Verdict(
            True,
            span(s),
            stated,
            expected + "分",
            f"{ind.name}：得分与完成情况相符",
            figures(ind, "target", "actual", "weight"),
            subject=ind.name,
        )
    if s.value > w.value:  # above the weight: the cap rule says it, once
        return Verdict(
            None,
            span(s),
            stated,
            expected + "分",
            f"{ind.name}：得分超过分值，见分值上限规则",
            figures(ind, "target", "actual", "weight"),
            reason="cap",
            subject=ind.name,
        )
    if met and s.value < w.value and ind.deviation_note:
        return Verdict(
            True,
            span(s),
            stated,
            expected + "分",
            f"{ind.name}：达成目标但扣分，已说明原因",
            figures(ind, "target", "actual", "weight"),
            subject=ind.name,
        )
    target, actual, stated_shown = ctx.with_comparator(t), ctx.shown(a), ctx.shown(s)
    if met and s.value > w.value:
        message = (
            f"{ind.name}：得分 {stated_shown} 超过该指标分值 {ctx.shown(w)}（超额完成最多得满分）"
        )
    elif met:
        message = (
            f"{ind.name}：实际完成值 {actual} 已达到目标 {target}，应得满分 {expected}分，报告写 {stated_shown}"
            + ("" if ind.deviation_note else "，且未说明扣分原因")
        )
    else:
        formula = "目标值 ÷ 实际值" if direction(t) == "reverse" else "实际值 ÷ 目标值"
        message = f"{ind.name}：实际完成值 {actual} 未达到目标 {target}，按 {formula} × 分值 {ctx.shown(w)} 计算为 {plain(computed.mid)}分，应写 {expected}分，报告写 {stated_shown}"
        if reason == "truncation":
            message += "（仅在舍去小数而非四舍五入时相符）"
        elif reason == "convention":
            message += "（本报告得分保留两位小数）" if "." in expected else ""
    severity = (
        score_severity(reason, met) if s.value <= w.value else None
    )  # above the weight: never a judgement
    return Verdict(
        False,
        span(s),
        stated,
        expected + "分",
        message,
        figures(ind, "target", "actual", "weight"),
        severity=severity,
        reason=reason,
        subject=ind.name,
        gap=gap(s, computed),
    )


def by_completion(ctx: Context, ind: Indicator) -> Verdict | None:
    c, w, s = ind.completion, ind.weight, ind.score
    if c is None or w is None or s is None or c.unit != "%" or s.value > w.value:
        return None  # a score above its weight is the cap rule's finding
    computed = capped(interval(c).scale(ONE / HUNDRED), interval(w, exact=True))
    holds, expected, reason = judge_score(ctx, s, computed)
    stated = ctx.figure_text(s)
    path = target_path(ind)
    met = path[1] if path else None
    if not holds and path is not None and judge_score(ctx, s, path[0])[0]:
        return completion_blamed(ctx, ind, met)
    message = f"{ind.name}：完成率 {ctx.shown(c)} × 分值 {ctx.shown(w)} = {plain(computed.mid)}分，应写 {expected}分，报告写 {ctx.shown(s)}"
    severity = None if holds else score_severity(reason, met)
    return Verdict(
        holds,
        span(s),
        stated,
        expected + "分",
        message,
        figures(ind, "completion", "weight"),
        severity=severity,
        reason=reason,
        subject=ind.name,
        gap=gap(s, computed),
    )


def completion_blamed(ctx: Context, ind: Indicator, met: bool | None) -> Verdict:
    """Score and completion rate disagree, but target and actual confirm the score: the stated
    completion rate is the figure that is off."""
    c, s, t, a = ind.completion, ind.score, ind.target, ind.actual
    assert (
        c is not None and s is not None and t is not None and a is not None
    )  # checked by the caller
    ratio = (
        interval(t, exact=True) / interval(a)
        if direction(t) == "reverse"
        else interval(a) / interval(t, exact=True)
    )
    due = "100%" if met or ratio is None else show(ratio.scale(HUNDRED).mid, c.decimals) + "%"
    message = (
        f"{ind.name}：所写完成率 {ctx.shown(c)} 与得分 {ctx.shown(s)} 不符；按实际完成值 {ctx.shown(a)} 与目标 "
        f"{ctx.with_comparator(t)}，得分 {ctx.shown(s)} 相符，完成率应为 {due}"
    )
    return Verdict(
        False,
        span(c),
        ctx.figure_text(c),
        due,
        message,
        (span(s),) + figures(ind, "actual", "target", "weight"),
        severity="warning" if met else None,
        reason="completion",
        subject=ind.name,
    )


def check_indicator_score(rule: Rule, ctx: Context) -> list[Verdict]:
    judge_one = by_target if rule.params["mode"] == "target" else by_completion
    return [v for ind in ctx.facts.indicators if (v := judge_one(ctx, ind)) is not None]


def check_completion(rule: Rule, ctx: Context) -> list[Verdict]:
    """完成率 = 实际值 ÷ 目标值 (reverse: 目标值 ÷ 实际值); a report may cap it at 100%."""
    verdicts = []
    for ind in ctx.facts.indicators:
        c, t, a = ind.completion, ind.target, ind.actual
        if c is None or t is None or a is None or c.unit != "%" or t.value == 0:
            continue
        ratio = (
            (interval(t, exact=True) / interval(a))
            if direction(t) == "reverse"
            else interval(a) / interval(t, exact=True)
        )
        if ratio is None:
            continue
        raw = ratio.scale(HUNDRED)
        holds, expected, reason = judge(c, raw)
        if not holds:
            capped_holds, capped_expected, _ = judge(c, raw.clamp_max(HUNDRED))
            if capped_holds:  # a report may cap the completion rate at 100%
                holds, expected = True, capped_expected
        stated = ctx.figure_text(c)
        message = f"{ind.name}：完成率写作 {stated}，按实际完成值 {ctx.shown(a)} 与目标 {ctx.with_comparator(t)} 计算应为 {expected}%"
        verdicts.append(
            Verdict(
                holds,
                span(c),
                stated,
                expected + "%",
                message,
                figures(ind, "actual", "target"),
                reason=reason,
                subject=ind.name,
            )
        )
    return verdicts


def check_score_cap(rule: Rule, ctx: Context) -> list[Verdict]:
    """0 ≤ 得分 ≤ 分值: over-achievement never earns more than the weight."""
    verdicts = []
    for ind in ctx.facts.indicators:
        s, w = ind.score, ind.weight
        if s is None or w is None:
            continue
        holds = Decimal(0) <= s.value <= w.value
        stated = ctx.figure_text(s)
        message = f"{ind.name}：得分 {ctx.shown(s)} 超过该指标分值 {ctx.shown(w)}"
        verdicts.append(
            Verdict(
                holds, span(s), stated, ctx.figure_text(w), message, (span(w),), subject=ind.name
            )
        )
    return verdicts
