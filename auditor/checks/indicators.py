"""Rule kinds over one indicator: its score against target and actual, against its stated
completion rate, the completion rate itself, and the cap at the weight."""

from __future__ import annotations

from decimal import Decimal

import regex

from auditor.checks.figures import Context, Verdict, figure, gap, interval, judge, plain, span
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
    if c is None or w is None or s is None or c.unit != "%":
        return None
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


# 财预〔2020〕10号 第十七条: 达成 → [80%, 100%] of the weight, 部分达成 → [60%, 80%), 未达成 → [0, 60%).
QUALITATIVE = [
    (regex.compile(r"未达成|未完成|未实现|未达到|未达标|没有完成|不合格|无效"), "未达成", 2),
    (regex.compile(r"部分达成|部分完成|部分实现|基本达成|基本完成|基本实现|较好"), "部分达成", 1),
    (
        regex.compile(
            r"达成|完成|实现|达到|达标|有效|合规|及时|规范|明显|显著|良好|满意|提升|提高"
        ),
        "达成",
        0,
    ),
]


def qualitative_band(ind: Indicator) -> tuple[str, int] | None:
    text = ind.actual_text.strip()
    if ind.actual is not None or not text or regex.search(r"\d", text):
        return None
    if text == ind.target_text.strip():
        return "达成", 0
    for pattern, name, level in QUALITATIVE:
        if pattern.search(text):
            return name, level
    return None


def check_qualitative(rule: Rule, ctx: Context) -> list[Verdict]:
    """A qualitative indicator's score must sit in the band its wording names."""
    low, mid = (Decimal(str(x)) for x in ctx.settings["qualitative_bands"])
    bands = {0: (low, Decimal(1)), 1: (mid, low), 2: (Decimal(0), mid)}
    verdicts = []
    for ind in ctx.facts.indicators:
        band = qualitative_band(ind)
        if band is None or ind.score is None or ind.weight is None or ind.weight.value == 0:
            continue
        name, level = band
        lo, hi = bands[level]
        share = interval(ind.score).scale(1 / ind.weight.value)
        holds = share.hi >= lo and (share.lo < hi or (level == 0 and share.lo <= hi))
        expected = f"{plain(ind.weight.value * lo)}–{plain(ind.weight.value * hi)}分"
        message = f"{ind.name}：实际完成情况为“{ind.actual_text}”（{name}），按定性指标分档应得 {expected}，报告写 {ctx.shown(ind.score)}"
        verdicts.append(
            Verdict(
                holds,
                span(ind.score),
                ctx.figure_text(ind.score),
                expected,
                message,
                (span(ind.weight),),
                subject=ind.name,
            )
        )
    return verdicts


def check_level1_weights(rule: Rule, ctx: Context) -> list[Verdict]:
    """一级指标 weights against the default split (产出 50, 效益 30, 满意度 10: "原则上", so a
    different split is a warning to look at, not an error)."""
    defaults = ctx.settings["level1_weights"]
    verdicts = []
    for f in ctx.of("indicator.level1_weight"):
        key = next((k for k in defaults if k in f.subject), None)
        if key is None:
            continue
        holds = Decimal(f.value) == defaults[key]
        message = f"一级指标“{f.label}”分值 {f.value} 分，财预〔2020〕10号 原则上为 {plain(defaults[key])} 分（调整须有特殊情况）"
        verdicts.append(
            Verdict(
                holds,
                span(f),
                ctx.figure_text(figure(f)),
                plain(defaults[key]),
                message,
                (),
                subject=f.subject,
            )
        )
    return verdicts


def check_deviation_note(rule: Rule, ctx: Context) -> list[Verdict]:
    """第十五条: a score below the weight needs its 偏差原因; checked where the report has room for it."""
    prose_notes = any(i.deviation_note for i in ctx.facts.indicators if not i.note_expected)
    verdicts = []
    for ind in ctx.facts.indicators:
        s, w = ind.score, ind.weight
        if s is None or w is None or not (ind.note_expected or prose_notes):
            continue
        holds = s.value >= w.value or bool(ind.deviation_note.strip(" -—/无"))
        message = (
            f"{ind.name}：得分 {ctx.shown(s)} 低于分值 {ctx.shown(w)}，未填写偏差原因及改进措施"
        )
        verdicts.append(
            Verdict(
                holds,
                span(s),
                ctx.figure_text(s),
                "偏差原因",
                message,
                (span(w),),
                subject=ind.name,
            )
        )
    return verdicts
