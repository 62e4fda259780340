"""A project's 项目支出绩效目标表 (the targets published at the start of the year) against its
项目支出绩效自评表 of the same year: the self-evaluation restates each target as it was set
(DOMAIN.md rule 28; rules/unit.yaml, kinds target-match and target-listed).

A target table pairs with the one self-evaluation of the same project (项目名称 the same after
normalization, a trailing 项目 aside), the same year, and units that agree where both name one;
no department report is needed. Two candidates on either side pair with none."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from auditor.checks.crossdoc import (
    UnitFinding,
    UnitVerdict,
    guarded,
    name_key,
    to_unit_finding,
)
from auditor.checks.figures import MONEY
from auditor.checks.ruleset import Rule, RuleSet
from auditor.checks.units import (
    PROJECT_KINDS,
    Figure,
    UnitDocument,
    UnitGroup,
    distinct_copies,
    normalize_name,
    same_unit,
)

log = logging.getLogger(__name__)

INDICATOR_FACTS = ("indicator.target", "indicator.actual", "indicator.weight", "indicator.score")
SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}  # "=" and none say the same


@dataclass(frozen=True, slots=True)
class TargetPair:
    """A target table and the self-evaluation of its project and year."""

    targets: UnitDocument
    evaluation: UnitDocument
    group: UnitGroup  # the unit and year the findings name


def same_project(a: UnitDocument, b: UnitDocument) -> bool:
    if a.year != b.year or a.project is None or b.project is None:
        return False
    if name_key(a.project.value) != name_key(b.project.value):
        return False
    return not a.units or not b.units or any(same_unit(x, y) for x in a.units for y in b.units)


def pair_targets(documents: Iterable[UnitDocument]) -> list[TargetPair]:
    """Each target table with the one self-evaluation table (with indicators) of its project."""
    usable = [d for d in distinct_copies(documents) if d.year is not None and d.project]
    plans = [d for d in usable if d.sets_targets]
    evaluations = [
        d
        for d in usable
        if not d.sets_targets and d.kind in PROJECT_KINDS and d.of(INDICATOR_FACTS)
    ]
    pairs = []
    for plan in plans:
        mates = [e for e in evaluations if same_project(plan, e)]
        if len(mates) != 1 or [p for p in plans if same_project(p, mates[0])] != [plan]:
            continue  # none, or two candidates: not safe to guess
        mate = mates[0]
        unit = next(iter(mate.units or plan.units), "")
        group = UnitGroup(unit, mate.year or 0, (), (plan, mate))
        pairs.append(TargetPair(plan, mate, group))
    return pairs


def shown_target(f: Figure) -> str:
    """A target as set: "≥95%", "≤14万元", "100%"."""
    return SIGNS.get(f.comparator, "") + f.shown


def by_name(figures: Iterable[Figure]) -> dict[str, Figure]:
    """The first figure of each indicator (name normalized), among those that are numbers."""
    named: dict[str, Figure] = {}
    for f in figures:
        if f.subject and f.quantity() is not None:
            named.setdefault(normalize_name(f.subject), f)
    return named


def base_value(f: Figure) -> tuple[Decimal, str]:
    """The value in 元 for money (万元 and 元 compare), else as printed with its unit."""
    q = f.quantity()
    assert q is not None
    factor = MONEY.get(f.unit)
    return (q.value * factor, "元") if factor else (q.value, f.unit)


def same_target(a: Figure, b: Figure) -> bool:
    """Exact: the same comparator and value; a unit printed on one side only does not differ."""
    (va, ua), (vb, ub) = base_value(a), base_value(b)
    signs = SIGNS.get(a.comparator, ""), SIGNS.get(b.comparator, "")
    return signs[0] == signs[1] and va == vb and (ua == ub or not ua or not ub)


# ---------------------------------------------------------------------------- the rule kinds


def check_target_match(rule: Rule, pair: TargetPair) -> list[UnitVerdict]:
    """Every indicator with a figure in both tables: the self-evaluation's 年度指标值 is the
    target table's, exactly."""
    concept = rule.params["table"]
    restated = by_name(pair.evaluation.of(concept))
    verdicts = []
    for key, plan in by_name(pair.targets.of(concept)).items():
        own = restated.get(key)
        if own is None:
            continue  # not in the self-evaluation: target-listed says so
        expected, stated = shown_target(plan), shown_target(own)
        if same_target(plan, own):
            message = f"指标“{own.subject}”年度指标值 {stated}，与年初目标表 {plan.path} 的 {expected} 一致"
            verdicts.append(UnitVerdict(True, own, expected, message, (plan,), stated_text=stated))
            continue
        message = (
            f"自评表写指标“{own.subject}”年度指标值 {stated}，"
            f"年初目标表 {plan.path} 为 {expected}：自评时年度指标值应与年初批复的目标一致"
        )
        verdicts.append(UnitVerdict(False, own, expected, message, (plan,), stated_text=stated))
    return verdicts


def check_target_listed(rule: Rule, pair: TargetPair) -> list[UnitVerdict]:
    """Each indicator of the target table is in the self-evaluation and each indicator the
    self-evaluation sets a figure for is in the target table; one missing is info."""
    concept, plans = rule.params["table"], pair.targets
    planned = by_name(plans.of(concept))
    restated = by_name(pair.evaluation.of(concept))
    listed = {normalize_name(f.subject) for f in pair.evaluation.of(rule.params["items"])}
    verdicts = [
        planned_indicator(plan, key in restated, key in listed, pair)
        for key, plan in planned.items()
    ]
    for key, own in restated.items():
        if key not in planned:
            message = (
                f"自评表的指标“{own.subject}”（年度指标值 {shown_target(own)}）"
                f"在年初目标表 {plans.path} 中没有数值目标"
            )
            cited = (plans.project,) if plans.project else ()
            verdicts.append(UnitVerdict(False, own, "", message, cited, stated_text=own.subject))
    return verdicts


def planned_indicator(plan: Figure, restated: bool, listed: bool, pair: TargetPair) -> UnitVerdict:
    name, path = plan.subject, pair.evaluation.path
    cited = (pair.evaluation.project,) if pair.evaluation.project else ()
    if restated:
        message = f"年初目标表中的指标“{name}”在自评表 {path} 中也有"
        return UnitVerdict(True, plan, name, message, cited, stated_text=name)
    if listed:
        message = (
            f"年初目标表中的指标“{name}”（{shown_target(plan)}）在自评表 {path} 中的年度指标值"
            "不是数值，无法比较，请人工核对"
        )
        return UnitVerdict(None, plan, "", message, cited, reason="needs-review", stated_text=name)
    message = f"年初目标表中的指标“{name}”（{shown_target(plan)}）未在自评表 {path} 中出现"
    return UnitVerdict(False, plan, "", message, cited, stated_text=name)


KINDS: dict[str, Callable[[Rule, TargetPair], list[UnitVerdict]]] = {
    "target-match": check_target_match,
    "target-listed": check_target_listed,
}


# ---------------------------------------------------------------------------- running the rules


def evaluate(rule: Rule, pair: TargetPair, strict: bool) -> list[UnitVerdict]:
    return guarded(
        rule,
        lambda: KINDS[rule.kind](rule, pair),
        lambda: pair.evaluation.project or pair.evaluation.figures[0],
        strict,
    )


def run_target_rules(
    ruleset: RuleSet, pairs: list[TargetPair], strict: bool = False, lang: str = "zh"
) -> list[UnitFinding]:
    """The target rules of the unit rule set over every pair; relations that hold are kept."""
    found = []
    for pair in pairs:
        for rule in ruleset.rules:
            if rule.kind in KINDS:
                for v in evaluate(rule, pair, strict):
                    found.append(to_unit_finding(rule, v, pair.group, lang))
    return found
