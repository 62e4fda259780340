"""The 变动率 of the department framework: (本年 − 上年) ÷ 上年, signed (财预〔2013〕53号 附件2)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from auditor.checks.figures import Context, Verdict, figure, interval, judge, readings, span
from auditor.checks.ruleset import Rule
from auditor.interval import HUNDRED, Interval, show
from auditor.model import Fact

# A rate printed with its own sign, or led by a word that gives it ("下降16.67%"): its direction
# is stated. "三公经费变动率16.67%" states only a size.
DIRECTION_WORDS = {"下降", "减少", "降低", "减幅", "降幅", "增长", "增加", "上升", "提高", "增幅"}


def direction_stated(ctx: Context, f: Fact) -> bool:
    printed = ctx.text[figure(f).start : figure(f).value_start + 1]
    return f.cue in DIRECTION_WORDS or any(sign in printed for sign in "-−+")


def shown_change(value: str, word_only: bool) -> str:
    """ "-16.67" → "下降16.67%" when the report writes the direction as a word."""
    if not word_only:
        return value + "%"
    size = value.lstrip("-")
    return f"下降{size}%" if value.startswith("-") else f"增长{size}%"


def change_verdict(ctx: Context, f: Fact, now: Fact, before: Fact, name: str) -> Verdict:
    """(本年 ÷ 上年 − 1) × 100%: each figure enters once, so the interval is as tight as it gets."""
    ratio = interval(figure(now)) / interval(figure(before))
    stated_text = ctx.figure_text(figure(f))
    how = f"({ctx.shown(figure(now))} − {ctx.shown(figure(before))}) ÷ {ctx.shown(figure(before))}"
    inputs = (span(now), span(before))
    label = f.label or "变动率"
    if f.cue in DIRECTION_WORDS:  # "较上年下降": the rate's name is the rule's
        label = f"{name}（{f.label}）"
    if ratio is None:
        return Verdict(None, span(f), stated_text, "", f"{label}：上年数为 0，无法计算", inputs)
    computed = ratio.scale(HUNDRED) - Interval.exact(HUNDRED)
    word_only = f.cue in DIRECTION_WORDS
    # judged as printed: a fall written "下降16.67%" (the fact −16.67) against −computed
    as_printed = computed.negate() if Decimal(f.value) < 0 < figure(f).value else computed
    holds, _, reason = judge(figure(f), as_printed)
    signed_expected = show(computed.mid, figure(f).decimals)
    message = (
        f"{label}写作 {stated_text}，按 {how} 计算应为 {shown_change(signed_expected, word_only)}"
    )
    severity = None
    if not holds and not direction_stated(ctx, f) and judge(figure(f), computed.negate())[0]:
        severity, reason = "warning", "sign"
        message += "（大小相符，但本年较上年为下降，变动率应为负数）"
    return Verdict(
        holds,
        span(f),
        stated_text,
        shown_change(signed_expected, word_only),
        message,
        inputs,
        severity=severity,
        reason=reason,
    )


def formula(ctx: Context, inputs: tuple[tuple[int, int], ...]) -> str:
    """ "(本年 − 上年) ÷ 上年" with the figures a verdict was computed from."""
    now, before = (ctx.text[a:b].strip() for a, b in inputs)
    return f"({now} − {before}) ÷ {before}"


def best_reading(ctx: Context, f: Fact, current: str, previous: str, name: str) -> Verdict | None:
    """The statements of the two amounts that make the relation hold, else the nearest."""
    choices = readings(ctx, [current, previous], f.subject, f.start)
    results = [change_verdict(ctx, f, now, before, name) for now, before in choices]
    return next((v for v in results if v.holds), results[0] if results else None)


def check_change_rate(rule: Rule, ctx: Context) -> list[Verdict]:
    """变动率 = (本年 − 上年) ÷ 上年 × 100%, on the configured amounts (三公经费 总额, or 预算数
    where the region says so); a report that states only the other pair is judged on it, and a
    rate that fits only the other pair is a base mismatch (warning)."""
    p = rule.params
    other = p.get("alternatives") or []
    name = rule.title.split(" = ")[0]  # "三公经费变动率 = (本年 − 上年) ÷ 上年"
    verdicts = []
    for f in ctx.of(p["stated"]):
        verdict = best_reading(ctx, f, p["current"], p["previous"], name)
        alternative = best_reading(ctx, f, other[0], other[1], name) if len(other) == 2 else None
        if verdict is None:
            verdict = alternative
        elif not verdict.holds and alternative is not None and alternative.holds:
            verdict = replace(
                verdict,
                severity="warning",
                reason="base",
                message=verdict.message
                + f"；与另一口径 {formula(ctx, alternative.inputs)} 相符，疑似口径不同",
            )
        if verdict is not None:
            verdicts.append(verdict)
    return verdicts
