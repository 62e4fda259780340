"""How a wrong figure was probably produced: cut off instead of rounded, or copied from another
line of the report where the same figure means something else."""

from __future__ import annotations

from auditor.checks.figures import Context, Verdict


def copied_from(ctx: Context, v: Verdict, lang: str = "zh") -> str:
    """The same figure, as printed, standing elsewhere under another meaning ("该指标完成率为
    90.72%" where 90.72% is the budget execution rate): likely copied from there."""
    text = v.stated_text
    if len(text.rstrip("%分万元")) < 4 or not any(ch.isdigit() for ch in text):
        return ""  # short figures (10分, 5%) recur by chance
    here = next(
        (f for f in ctx.facts.facts if f.quantity and f.quantity.value_start == v.stated[0]), None
    )
    for f in ctx.facts.facts:
        q = f.quantity
        if q is None or q.value_start == v.stated[0] or ctx.figure_text(q) != text:
            continue
        if here is not None and (f.concept, f.subject) == (here.concept, here.subject):
            continue  # a restatement of the same figure, not a copy
        if f.concept in ("unbound", "amount.named"):
            continue
        if lang == "en":
            return (
                f"the same as “{f.label or f.concept}{text}” elsewhere in the report: "
                "probably copied from there"
            )
        return f"与另一处“{f.label or f.concept}{text}”相同，疑似照抄了该数字"
    return ""


# Chinese (the default) and English, side by side
REASONS = {
    "truncation": (
        "按舍去小数（截尾）计算才相符，应四舍五入",
        "it matches only when the decimals are cut off (truncated); it should be rounded",
    ),
    "convention": (
        "只有按整数四舍五入才相符，而本报告其他得分保留了小数",
        "it matches only when rounded to a whole number, while the report's other scores "
        "keep decimals",
    ),
}


def explanation(ctx: Context, v: Verdict, lang: str = "zh") -> str:
    if v.holds is not False:
        return ""
    if v.reason in REASONS:
        zh, en = REASONS[v.reason]
        return en if lang == "en" else zh
    return copied_from(ctx, v, lang)
