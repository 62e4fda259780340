"""Rule kinds that follow scoring policy more than arithmetic: qualitative bands, the default
一级指标 weights, the deviation note a score below its weight calls for."""

from __future__ import annotations

from decimal import Decimal

import regex

from auditor.checks.figures import Context, Verdict, figure, interval, plain, span
from auditor.checks.ruleset import Rule
from auditor.interval import step
from auditor.model import Indicator

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
    low, mid = (Decimal(str(x)) for x in ctx.setting("qualitative_bands"))
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
        # The least correction that puts the score in its band: the nearer band edge.
        edge = ind.weight.value * (lo if ind.score.value < ind.weight.value * lo else hi)
        correction = (edge - ind.score.value, "分", step(ind.score.decimals))
        verdicts.append(
            Verdict(
                holds,
                span(ind.score),
                ctx.figure_text(ind.score),
                expected,
                message,
                (span(ind.weight),),
                subject=ind.name,
                gap=correction,
            )
        )
    return verdicts


def check_level1_weights(rule: Rule, ctx: Context) -> list[Verdict]:
    """一级指标 weights against the default split (产出 50, 效益 30, 满意度 10: "原则上", so a
    different split is a warning to look at, not an error)."""
    defaults = ctx.setting("level1_weights")
    verdicts = []
    for f in ctx.of("indicator.level1_weight"):
        key = next((k for k in defaults if k in f.subject), None)
        if key is None:
            continue
        holds = Decimal(f.value) == defaults[key]
        message = f"一级指标“{f.label}”分值 {f.value} 分，财预〔2020〕10号 原则上为 {plain(defaults[key])} 分（调整须有特殊情况）"
        if ctx.stated("level1_weights"):
            message = f"一级指标“{f.label}”分值 {f.value} 分，报告自述的一级指标权重为 {plain(defaults[key])}"
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


# A stated reason: "主要原因是…", "情况说明：…", "由于…"; "未说明原因" is none.
REASON = regex.compile(r"原因|说明|由于|因为")
NO_REASON = regex.compile(r"(?:未|没有|无)(?:说明|填写)?原因|未(?:作|做)?说明")
SENTENCE_END = ("。", "！", "？", "；")
PARAGRAPH_REACH = 400  # a paragraph without breaks is read this far either way


def paragraph(text: str, start: int, end: int) -> str:
    """The paragraph a figure stands in: bounded by blank lines, by a line that ends a sentence,
    and, for a table row ("|"), by the row itself."""
    lines = text.split("\n")
    offsets, at = [], 0
    for line in lines:
        offsets.append(at)
        at += len(line) + 1
    here = max(k for k, off in enumerate(offsets) if off <= start)
    if "|" in lines[here]:
        return lines[here]

    def breaks_after(k: int) -> bool:
        line = lines[k].strip()
        return not line or line.endswith(SENTENCE_END) or "|" in line

    first = here
    while (
        first > 0 and not breaks_after(first - 1) and start - offsets[first - 1] < PARAGRAPH_REACH
    ):
        first -= 1
    last = here
    while (
        last + 1 < len(lines)
        and not breaks_after(last)
        and lines[last + 1].strip()
        and offsets[last + 1] - end < PARAGRAPH_REACH
    ):
        last += 1
    return "\n".join(lines[first : last + 1])


def check_execution_explained(rule: Rule, ctx: Context) -> list[Verdict]:
    """An execution rate below the profile's `explain_below` (四川: 90%) needs its reason stated in
    the same paragraph; without the setting (national rules) there is nothing to check."""
    threshold = ctx.settings.get("explain_below")
    if threshold is None:
        return []
    verdicts = []
    for f in ctx.of("execution.rate"):
        q = figure(f)
        rate = interval(q).scale(Decimal("0.01") if q.unit == "%" else Decimal(1))
        if rate.hi >= threshold:  # below only when every reading of the printed rate is
            holds = True
        else:
            words = paragraph(ctx.text, f.start, f.end)
            holds = bool(REASON.search(words)) and not NO_REASON.search(words)
        limit = f"{plain(threshold * 100)}%"
        message = f"预算执行率 {ctx.shown(q)} 低于 {limit}，未说明原因"
        verdicts.append(
            Verdict(
                holds,
                span(f),
                ctx.figure_text(q),
                "说明原因",
                message,
                (),
                subject=f.subject,
            )
        )
    return verdicts
