"""Department scores from the profile's band tables (DOMAIN.md rule 24): a score the report
states beside a rate ("预算调整率3.20%，得2分", a 评分表 row) against the band of that rate.

Rounding-aware: a rate printed as 10.0% may be anything from 9.95% to 10.05%, so at a band edge
two scores are possible; a stated score that fits one of them cannot be judged (holds null),
one that fits none is wrong."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from auditor.checks.bandtables import BandTable, allowed_scores, due_at
from auditor.checks.figures import Context, Verdict, interval, plain, span
from auditor.checks.ruleset import Rule
from auditor.checks.scores import score_interval
from auditor.model import Fact, Quantity

SCORE_OF = {"execution.rate": ("execution.score", "execution.weight")}
RATE_SCORE = ("rate.score", "rate.weight")


@dataclass(frozen=True, slots=True)
class Scored:
    """A rate with the score (and maybe the weight) the report gives it."""

    name: str
    rate: Quantity
    score: Quantity
    weight: Quantity | None
    concept: str


def tables_for(ctx: Context, concept: str, weight: Quantity | None) -> list[BandTable]:
    """The profile's tables for a rate; with a stated weight, only those written for it."""
    tables = [t for t in ctx.settings.get("score_bands", ()) if t.rate == concept]
    if weight is None:
        return tables
    return [t for t in tables if t.full == weight.value]


def after_in_sentence(
    ctx: Context, facts: list[Fact], rate: Fact, rates: list[Fact]
) -> Fact | None:
    """The first of `facts` after the rate, before the next rate, in the rate's sentence."""
    end = next((r.start for r in rates if r.start > rate.start), len(ctx.text))
    sentence_end = min(
        (i for ch in "。\n" if (i := ctx.text.find(ch, rate.end)) >= 0), default=len(ctx.text)
    )
    return next((f for f in facts if rate.end <= f.start < min(end, sentence_end)), None)


def stated_scores(ctx: Context, concept: str) -> list[Scored]:
    """ "预算调整率3.20%，该指标分值为3分，得2分": the rate's statements with a score after them."""
    score_concept, weight_concept = SCORE_OF.get(concept, RATE_SCORE)
    rates = [f for f in ctx.of(concept) if f.quantity is not None]
    all_rates = sorted(
        (f for f in ctx.facts.facts if f.unit == "%" and f.concept != "unbound"),
        key=lambda f: f.start,
    )
    found = []
    for rate in rates:
        own = [f for f in ctx.of(score_concept) if f.subject in ("", concept)]
        score = after_in_sentence(ctx, own, rate, all_rates)
        if score is None or score.quantity is None or rate.quantity is None:
            continue
        weights = [f for f in ctx.of(weight_concept) if f.subject in ("", concept)]
        weight = after_in_sentence(ctx, weights, rate, all_rates)
        found.append(
            Scored(
                rate.label or concept,
                rate.quantity,
                score.quantity,
                weight.quantity if weight else None,
                concept,
            )
        )
    return found


def row_name(name: str) -> str:
    """A 评分表 row's name without quotes and spaces ("“三公经费”变动率" → 三公经费变动率)."""
    return regex.sub(r"[“”\"'‘’「」\s]", "", name)


def row_scores(ctx: Context, table: BandTable) -> list[Scored]:
    """评分表 rows named after the table's rate, with the rate as 实际完成值 and a score."""
    return [
        Scored(ind.name, ind.actual, ind.score, ind.weight, table.rate)
        for ind in ctx.facts.indicators
        if ind.actual is not None
        and ind.actual.unit == "%"
        and ind.score is not None
        and table.name in row_name(ind.name)
    ]


def fits(ctx: Context, item: Scored, table: BandTable) -> list[bool]:
    """For each score the rate's interval may earn, whether the stated score fits it; [] if the
    table says nothing for that rate."""
    score = score_interval(ctx, item.score)
    allowed = allowed_scores(table, interval(item.rate))
    if all(a is None for a in allowed):
        return []
    return [a is not None and a.intersects(score) for a in allowed]


def outcome(fitted: list[bool]) -> bool | None:
    """Fits every score the rate may earn: holds; only some (a band edge inside the rate's
    rounding): cannot be judged; none: broken."""
    return True if all(fitted) else None if any(fitted) else False


def expected_text(table: BandTable, rate: Quantity) -> str:
    due = due_at(table, rate.value)
    if due is None:
        return ""
    if due.lo == due.hi:
        return f"{plain(due.lo)}分"
    return f"{plain(due.mid)}分（{plain(due.lo)}–{plain(due.hi)}分）"


def band_verdict(ctx: Context, item: Scored) -> Verdict | None:
    tables = tables_for(ctx, item.concept, item.weight)
    tables = [t for t in tables if item.score.value <= t.full]
    outcomes = [(t, outcome(f)) for t in tables if (f := fits(ctx, item, t))]
    if not outcomes:
        return None
    table, holds = next((x for x in outcomes if x[1] is True), outcomes[0])
    if not any(o is True for _, o in outcomes) and any(o is None for _, o in outcomes):
        table, holds = next(x for x in outcomes if x[1] is None)
    rate_text, score_text = ctx.shown(item.rate), ctx.shown(item.score)
    expected = expected_text(table, item.rate)
    where = f"（{table.source}）" if table.source else ""
    message = f"{item.name} {rate_text}，按地区评分标准“{table.name}”{where}应得 {expected or '—'}，报告写 {score_text}"
    if holds is None:
        message += "；所写比率的末位舍入跨过分档线，无法判断"
    severity = None
    if holds is False and item.weight is None:
        severity = "warning"
        message += "（报告未写明该项分值，按满分 " + plain(table.full) + " 分的评分标准核对）"
    inputs = (span(item.rate),) + ((span(item.weight),) if item.weight else ())
    return Verdict(
        holds,
        span(item.score),
        ctx.figure_text(item.score),
        expected,
        message,
        inputs,
        severity=severity,
        reason="boundary" if holds is None else "",
        subject=item.name,
    )


def check_banded_score(rule: Rule, ctx: Context) -> list[Verdict]:
    """Each rate the profile bands, wherever the report scores it."""
    tables = ctx.settings.get("score_bands", ())
    items = [i for c in dict.fromkeys(t.rate for t in tables) for i in stated_scores(ctx, c)]
    items += [i for t in tables for i in row_scores(ctx, t)]
    verdicts = []
    seen: set[tuple[int, int]] = set()
    for item in items:
        where = span(item.score)
        if where in seen:
            continue
        seen.add(where)
        if (v := band_verdict(ctx, item)) is not None:
            verdicts.append(v)
    return verdicts
