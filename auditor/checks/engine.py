"""Run a rule set over an interpretation: every relation evaluated, findings for each."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from auditor.checks import (
    amounts,
    bands,
    indicators,
    policy,
    rates,
    scores,
    stated,
    text,
    totals,
    wholes,
)
from auditor.checks.explain import explanation
from auditor.checks.figures import Context, Verdict
from auditor.checks.ruleset import Rule, RuleSet
from auditor.model import Evidence, Finding, Interpretation, Severity

log = logging.getLogger(__name__)

KINDS: dict[str, Callable[[Rule, Context], list[Verdict]]] = {
    "ratio": amounts.check_ratio,
    "sum": amounts.check_sum,
    "at-most": amounts.check_at_most,
    "difference": amounts.check_difference,
    "execution-score": scores.check_execution_score,
    "indicator-score": indicators.check_indicator_score,
    "completion": indicators.check_completion,
    "score-cap": indicators.check_score_cap,
    "qualitative": policy.check_qualitative,
    "level1-weights": policy.check_level1_weights,
    "deviation-note": policy.check_deviation_note,
    "execution-explained": policy.check_execution_explained,
    "total": totals.check_total,
    "weights": totals.check_weights,
    "grade": totals.check_grade,
    "total-range": totals.check_total_range,
    "count": text.check_count,
    "breakdown": wholes.check_breakdown,
    "repeat": wholes.check_repeat,
    "subject-sum": wholes.check_subject_sum,
    "split-repeat": wholes.check_split_repeat,
    "label": text.check_label,
    "year": text.check_year,
    "filing-date": text.check_filing_date,
    "unit-name": text.check_unit_name,
    "change-rate": rates.check_change_rate,
    "banded-score": bands.check_banded_score,
    "rescale": totals.check_rescale,
    "stated-settings": stated.check_stated_settings,
}


def evaluate(rule: Rule, ctx: Context, strict: bool) -> list[Verdict]:
    """A rule that crashes is reported for that rule and the run goes on (in tests it re-raises)."""
    try:
        return KINDS[rule.kind](rule, ctx)
    except Exception as exc:  # noqa: BLE001 — a rule bug must not cost the other findings
        if strict:
            raise
        log.exception("rule %s crashed", rule.id)
        return [
            Verdict(
                None,
                (0, 0),
                "",
                "",
                f"规则 {rule.id} 执行出错：{type(exc).__name__}: {exc}",
                reason="crash",
            )
        ]


# Kinds that flag a condition (spent over budget, a missing explanation, an odd year or name)
# without saying the figure is wrong: what is computed from that figure still stands.
FLAGS_ONLY = {
    "at-most",
    "level1-weights",
    "deviation-note",
    "execution-explained",
    "label",
    "unit-name",
    "year",
    "filing-date",
    "rescale",
    "stated-settings",
}


def blame_order(results: list[tuple[Rule, Verdict]]) -> list[int]:
    """Broken relations, the most suspicious stated figure first: one wrong figure breaks every
    relation it enters, as the stated figure of one and an input of the others, so the figure
    that the most broken relations share is the likeliest slip. Ties keep the rule-file order."""
    broken = [k for k, (_, v) in enumerate(results) if v.holds is False]
    shares: Counter[tuple[int, int]] = Counter()
    for k in broken:
        v = results[k][1]
        shares.update({v.stated, *v.inputs})
    return sorted(broken, key=lambda k: -shares[results[k][1].stated])


def mark_consequences(results: list[tuple[Rule, Verdict]]) -> list[tuple[Rule, Verdict]]:
    """A relation broken only because one of its inputs is a figure already found wrong is a
    consequence, not a second slip: it is kept (for --all) as undecided. Figures are blamed in
    blame_order, so a correct rate is not blamed for the wrong budget it was divided by."""
    marked = list(results)
    wrong: dict[tuple[int, int], Verdict] = {}
    for k in blame_order(results):
        rule, v = marked[k]
        blamed = [wrong[i] for i in v.inputs if i in wrong and i != v.stated]
        if blamed and explained(v, blamed):
            marked[k] = (
                rule,
                replace(
                    v, holds=None, message=v.message + "（系前述错误所致）", reason="consequence"
                ),
            )
        elif rule.kind not in FLAGS_ONLY:
            wrong[v.stated] = v
    return marked


def explained(v: Verdict, blamed: list[Verdict]) -> bool:
    """Would correcting the slips already found close this gap? A sum takes its inputs as they
    stand, so putting a blamed figure right moves the sum by that figure's own correction: a total
    still off after that is a slip of its own. Across units (a rate from a wrong amount) the effect
    cannot be added up, and any slip may explain it."""
    gaps = [b.gap for b in blamed]
    if v.gap is None or any(g is None or g[1] != v.gap[1] for g in gaps):
        return True
    remaining = v.gap[0] + sum((g[0] for g in gaps if g is not None), Decimal(0))
    return abs(remaining) <= v.gap[2]


def drop_repeats(results: list[tuple[Rule, Verdict]]) -> list[tuple[Rule, Verdict]]:
    """Two rules that find the same stated figure wrong with the same expectation say one thing;
    one indicator's score and completion rate disagreeing is one finding, on the score."""
    seen: set[tuple[tuple[int, int], str]] = set()
    scored: set[str] = {
        v.subject for r, v in results if r.kind == "indicator-score" and v.holds is False
    }
    kept = []
    for rule, v in results:
        if v.holds is False:
            key = (v.stated, v.expected)
            if key in seen or (
                rule.kind in ("completion", "deviation-note") and v.subject in scored
            ):
                continue
            seen.add(key)
        kept.append((rule, v))
    return kept


# Kinds whose messages describe the slip; a relation of theirs that holds is said plainly.
PHRASED_AS_SLIP = {
    "score-cap",
    "label",
    "at-most",
    "subject-sum",
    "breakdown",
    "unit-name",
    "year",
    "filing-date",
    "deviation-note",
    "execution-explained",
    "qualitative",
    "count",
    "level1-weights",
    "split-repeat",
    "repeat",
    "stated-settings",
}


def quoted(text: str) -> str:
    """A figure or words as the report prints them: quoted unless plain ASCII (84.94%)."""
    return text if text.isascii() else f"“{text}”"


def english(rule: Rule, v: Verdict, text: str) -> str:
    """The message in English, from the verdict's parts: the rule's English title, what the
    report states, what it should be, and the figures it was computed from. What comes from
    the document (figures with their units, labels) is quoted as printed."""
    title = rule.title_en or rule.id
    if v.reason == "crash":
        return f"{title}: the rule failed to run ({quoted(v.message.partition('：')[2])})"
    said = f"the report states {quoted(v.stated_text)}" if v.stated_text else ""
    if v.holds is True:
        head = f"holds, {said}" if said else "holds"
    elif v.holds is False or v.reason == "consequence":
        should = f"it should be {quoted(v.expected)}" if v.expected else ""
        head = ", ".join(p for p in (said, should) if p) or "does not hold"
    else:
        recomputed = f"recomputed {quoted(v.expected)}" if v.expected else ""
        head = ", ".join(p for p in ("cannot be decided", said, recomputed) if p)
    figures: list[str] = []
    for a, b in v.inputs:
        figure = text[a:b].strip()
        if (a, b) != v.stated and figure and quoted(figure) not in figures:
            figures.append(quoted(figure))
    message = f"{title}: {head}"
    if figures:
        message += f" (from {', '.join(figures)})"
    if v.reason == "consequence":
        message += ", a consequence of an error found above"
    return message


def to_finding(rule: Rule, v: Verdict, why: str = "", lang: str = "zh", text: str = "") -> Finding:
    severity: Severity = v.severity or rule.severity  # type: ignore[assignment]  # validated on load
    if v.reason in ("truncation", "convention") and severity == "error":
        severity = "warning"
    if v.holds is not False:
        severity = "info"
    message = v.message
    if lang == "en":
        message = english(rule, v, text)
    elif v.holds is True and rule.kind in PHRASED_AS_SLIP:
        message = f"{rule.title}：成立（{v.stated_text}）"
    evidence = (Evidence(*v.stated, "stated"),) + tuple(
        Evidence(a, b, "input") for a, b in v.inputs if (a, b) != v.stated
    )
    detail = dict(v.detail)
    if v.reason:
        detail["reason"] = v.reason
    if why:
        detail["explanation"] = why
    return Finding(rule.id, severity, message, v.stated_text, v.expected, evidence, v.holds, detail)


def run_rules(
    ruleset: RuleSet,
    facts: Interpretation,
    document_text: str,
    strict: bool = False,
    lang: str = "zh",
) -> list[Finding]:
    """Every relation of every rule, kept whether it holds (holds=True), is broken (False) or
    cannot be decided (None); the caller shows what it wants. Messages are Chinese, or English
    with lang="en" (quotes of the document stay as printed)."""
    ctx = Context(facts, document_text, ruleset.settings)
    results = [(rule, v) for rule in ruleset.rules for v in evaluate(rule, ctx, strict)]
    results = drop_repeats(mark_consequences(results))
    findings = [
        to_finding(rule, v, explanation(ctx, v, lang), lang, document_text) for rule, v in results
    ]
    return sorted(findings, key=lambda f: (f.position, f.rule))
