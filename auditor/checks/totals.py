"""Rule kinds over the whole score sheet: the overall score, the weights, the range, the grade."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from auditor.checks.figures import Context, Verdict, figure, gap, nearest, plain, span
from auditor.checks.ruleset import Rule
from auditor.checks.scores import judge_score, score_interval
from auditor.interval import Interval, printed
from auditor.model import Fact


def one_per_indicator(ctx: Context, concept: str) -> list[Fact]:
    seen: dict[str, Fact] = {}
    for f in ctx.of(concept):
        seen.setdefault(f.subject, f)
    return list(seen.values())


def check_total(rule: Rule, ctx: Context) -> list[Verdict]:
    """总分 = 预算执行得分 + Σ 指标得分 (财预〔2020〕10号 第十七条: 总分由各项指标得分汇总形成)."""
    scores = one_per_indicator(ctx, "indicator.score")
    if len(scores) < 2:
        return []
    verdicts = []
    for f in ctx.of(rule.params["total"]):
        execution = nearest(ctx.of("execution.score"), f.start)
        parts = ([execution] if execution else []) + scores
        total = score_interval(ctx, figure(parts[0]))
        for p in parts[1:]:
            total = total + score_interval(ctx, figure(p))
        holds, expected, reason = judge_score(ctx, figure(f), total)
        stated = ctx.figure_text(figure(f))
        how = " + ".join(ctx.figure_text(figure(p)) for p in parts)
        message = f"综合得分写作 {stated}，按各项得分 {how} 合计应为 {expected}分"
        rescaled = rescaled_total(ctx, f) if not holds else None
        if rescaled is not None and judge_score(ctx, figure(f), rescaled.total)[0]:
            # 不适用 indicators left out and the rest rescaled to 100 (DOMAIN.md rule 27)
            holds, expected, reason = judge_score(ctx, figure(f), rescaled.total)
            message = f"综合得分 {stated} 为剔除不适用指标后按百分制折算：{rescaled.how}"
        verdict = Verdict(
            holds,
            span(f),
            stated,
            expected + "分",
            message,
            tuple(span(p) for p in parts),
            reason=reason,
            gap=gap(figure(f), total),
        )
        if not holds and execution is None:
            verdict = Verdict(
                None,
                span(f),
                stated,
                expected + "分",
                message + "（未找到预算执行率得分，无法判断）",
                verdict.inputs,
            )
        verdicts.append(verdict)
    return verdicts


@dataclass(frozen=True, slots=True)
class Rescaled:
    total: Interval
    how: str
    inputs: tuple[tuple[int, int], ...]


def rescaled_total(ctx: Context, stated: Fact) -> Rescaled | None:
    """Σ applicable scores × 100 ÷ Σ applicable weights, when indicators are marked 不适用
    ("用适用指标得分汇总后按百分制折算计分"); None when none is, or a weight is missing."""
    if not any(i.not_applicable and i.weight is not None for i in ctx.facts.indicators):
        return None
    weights = {f.subject: f for f in ctx.of("indicator.weight")}
    scores = one_per_indicator(ctx, "indicator.score")
    if not scores or any(s.subject not in weights for s in scores):
        return None
    pairs = [(s, weights[s.subject]) for s in scores]
    execution = nearest(ctx.of("execution.score"), stated.start)
    exec_weight = ctx.of("execution.weight")
    total, weight = Interval.exact(Decimal(0)), Decimal(0)
    for score, w in pairs:
        total, weight = total + score_interval(ctx, figure(score)), weight + figure(w).value
    shown_weight = [plain(figure(w).value) for _, w in pairs]
    if execution is not None:
        total = total + score_interval(ctx, figure(execution))
        w_exec = figure(exec_weight[0]).value if exec_weight else ctx.settings["exec_weight"]
        weight += w_exec
        shown_weight.insert(0, plain(w_exec))
    if weight == 0:
        return None
    top = ctx.settings["total_points"]
    total = total.scale(top / weight)
    parts = ([execution] if execution else []) + [s for s, _ in pairs]
    how = (
        f"({' + '.join(ctx.figure_text(figure(p)) for p in parts)}) × {plain(top)} ÷ "
        f"({' + '.join(shown_weight)}) = {plain(total.mid, 2)}分"
    )
    inputs = tuple(span(p) for p in parts) + tuple(span(w) for _, w in pairs)
    return Rescaled(total, how, inputs)


def check_rescale(rule: Rule, ctx: Context) -> list[Verdict]:
    """Where indicators are marked 不适用, the total should be the applicable scores rescaled
    to 100 (info: a report may sum them unscaled under its own rules)."""
    verdicts = []
    for f in ctx.of(rule.params["total"]):
        rescaled = rescaled_total(ctx, f)
        if rescaled is None:
            continue
        holds, expected, reason = judge_score(ctx, figure(f), rescaled.total)
        stated = ctx.figure_text(figure(f))
        verdicts.append(
            Verdict(
                holds,
                span(f),
                stated,
                expected + "分",
                f"有不适用指标，综合得分应按适用指标折算：{rescaled.how}，报告写 {stated}",
                rescaled.inputs,
                reason=reason,
            )
        )
    return verdicts


def check_weights(rule: Rule, ctx: Context) -> list[Verdict]:
    """Σ 分值 (预算执行 + 各指标) = 总分值 (默认 100); weights are designed figures, exact."""
    weights = one_per_indicator(ctx, "indicator.weight")
    stated_facts = ctx.of(rule.params.get("total", "score.weights_total"))
    # Only a score sheet known to be whole is checked: one that states its total (a table cut
    # off before its 总分 row lists only some of its weights).
    if len(weights) < 3 or not (stated_facts or ctx.of("score.total")):
        return []
    execution = ctx.of("execution.weight")
    assumed = not execution and bool(ctx.of("execution.score"))
    total = sum((Decimal(w.value) for w in weights), Decimal(0))
    total += (
        Decimal(execution[0].value) if execution else ctx.settings["exec_weight"] if assumed else 0
    )
    target = Decimal(stated_facts[0].value) if stated_facts else ctx.settings["total_points"]
    anchor = stated_facts[0] if stated_facts else weights[-1]
    holds: bool | None = total == target
    parts = ([execution[0]] if execution else []) + weights
    how = " + ".join(ctx.figure_text(figure(w)) for w in parts) + (
        f" + {ctx.settings['exec_weight']}（预算执行，默认）" if assumed else ""
    )
    message = f"各项分值合计 {how} = {total}，应为 {target}"
    if not holds and assumed:
        holds, message = None, message + "（预算执行率分值未写明，无法判断）"
    top = ctx.settings["total_points"]
    if stated_facts and holds and target != top:  # weights and 总分值 agree, but not on 100
        holds, message = False, f"各项分值合计与所写总分值均为 {total}，总分值应为 {top}"
        total = top
    if stated_facts:  # the stated 总分值 against the weights listed
        return [
            Verdict(
                holds,
                span(anchor),
                ctx.figure_text(figure(anchor)),
                str(total),
                message,
                tuple(span(w) for w in parts),
            )
        ]
    return [
        Verdict(
            holds,
            span(anchor),
            f"合计 {total}",
            str(target),
            message,
            tuple(span(w) for w in parts),
        )
    ]


def bands_of(ctx: Context, score: Interval) -> set[str]:
    """Every grade a score inside the interval can have; bands are half-open: [90,100] 优, [80,90) 良 …"""
    bands = sorted(ctx.setting("grade_bands"), reverse=True)
    found = set()
    for k, (low, label) in enumerate(bands):
        high = bands[k - 1][0] if k else ctx.settings["total_points"] + 1
        if score.hi >= low and score.lo < high:
            found.add(label)
    return found


def check_grade(rule: Rule, ctx: Context) -> list[Verdict]:
    verdicts = []
    for g in ctx.of("grade"):
        total = nearest(ctx.of(rule.params["total"]), g.start)
        if total is None:
            continue
        value = figure(total).value
        allowed = bands_of(ctx, printed(value, figure(total).decimals))
        (due,) = bands_of(ctx, Interval.exact(value)) or {""}
        stated_total = ctx.figure_text(figure(total))
        if g.value == due or g.value not in allowed:
            message = f"综合得分 {stated_total} 对应等级“{due or '/'.join(sorted(allowed))}”，报告评为“{g.value}”"
            if ctx.stated("grade_bands"):
                message += "（按报告自述的等级标准）"
            verdicts.append(
                Verdict(g.value == due, (g.start, g.end), g.value, due, message, (span(total),))
            )
        else:  # 90.00 called 良: possible only if the true score was just below 90 and rounded up
            message = f"综合得分 {stated_total} 属“{due}”，报告评为“{g.value}”（仅当实际得分略低于分档线、四舍五入后才写成 {stated_total}）"
            verdicts.append(
                Verdict(
                    False,
                    (g.start, g.end),
                    g.value,
                    due,
                    message,
                    (span(total),),
                    severity="warning",
                    reason="boundary",
                )
            )
    return verdicts


def check_total_range(rule: Rule, ctx: Context) -> list[Verdict]:
    top = ctx.settings["total_points"]
    verdicts = []
    for f in ctx.of(rule.params["total"]):
        holds = Decimal(0) <= figure(f).value <= top
        stated = ctx.figure_text(figure(f))
        verdicts.append(
            Verdict(
                holds, span(f), stated, f"0–{top}", f"综合得分 {stated} 超出 0–{top} 分的范围", ()
            )
        )
    return verdicts
