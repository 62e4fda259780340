"""Checks across a unit's documents: the department report's project list against the unit's
project tables (rules/unit.yaml). One small function per rule kind, as for one document."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import regex

from auditor.checks.figures import interval, judge, parts_decimals
from auditor.checks.ruleset import Rule, RuleSet
from auditor.checks.units import Figure, UnitDocument, UnitGroup, normalize_name
from auditor.model import Evidence, Finding, Quantity, Severity

log = logging.getLogger(__name__)

LISTED = ("project.budget", "project.spent")  # what names a project in a department's list
TAIL = "项目"  # "社区运转保障经费项目" and "社区运转保障经费" name one project
EXAMPLE_BREAK = regex.compile(r"^={3,}[ \t]*$", regex.MULTILINE)


@dataclass(frozen=True, slots=True)
class Pairing:
    """A department report's listed projects against the group's project documents."""

    department: UnitDocument
    listed: dict[str, Figure]  # listed name → its first figure in the department report
    matches: dict[str, UnitDocument]  # listed name → its project document
    ambiguous: dict[str, tuple[UnitDocument, ...]]
    unlisted: tuple[UnitDocument, ...]
    group: UnitGroup
    settings: dict

    @property
    def complete(self) -> bool:
        """Every listed project has its document and every document its listed project."""
        return (
            len(self.matches) == len(self.listed) == len(self.group.projects)
            and not self.ambiguous
            and not self.unlisted
        )


@dataclass(frozen=True, slots=True)
class UnitVerdict:
    holds: bool | None
    stated: Figure
    expected: str
    message: str
    inputs: tuple[Figure, ...] = ()
    severity: str | None = None
    reason: str = ""  # consequence, needs-review, convention, crash
    stated_text: str = ""  # what the finding quotes, when not the figure (a project's name)


@dataclass(frozen=True, slots=True)
class UnitFinding:
    """A finding of a unit rule: `finding` for the document holding the stated figure (`owner`),
    its evidence pointing into each document it cites; `figures`, the same places as a scan
    stored them, one per evidence item."""

    owner: str
    finding: Finding
    figures: tuple[Figure, ...] = field(default=())


def name_key(name: str) -> str:
    key = normalize_name(name)
    return key[: -len(TAIL)] if key.endswith(TAIL) and len(key) > len(TAIL) else key


def related(a: str, b: str, overlap: int) -> int:
    """2: the same name; 1: one contains the other in at least `overlap` characters; 0: no."""
    a, b = name_key(a), name_key(b)
    if a == b:
        return 2
    short, long = sorted((a, b), key=len)
    return 1 if len(short) >= overlap and short in long else 0


def listed_projects(department: UnitDocument) -> dict[str, Figure]:
    listed: dict[str, Figure] = {}
    for f in department.of(LISTED):
        if f.subject:
            listed.setdefault(f.subject, f)
    return listed


def pair_projects(department: UnitDocument, group: UnitGroup, settings: dict) -> Pairing:
    """Match names safely: the same name first, then containment; a name with two candidate
    documents (or a document with two candidate names) is matched to none."""
    listed = listed_projects(department)
    overlap = int(settings.get("name_overlap", 6))
    names = {d.path: d.project.value for d in group.projects if d.project is not None}
    matches: dict[str, UnitDocument] = {}
    ambiguous: dict[str, tuple[UnitDocument, ...]] = {}
    taken: set[str] = set()
    for level in (2, 1):
        free = [d for d in group.projects if d.path not in taken]
        for name in listed:
            if name in matches or name in ambiguous:
                continue
            docs = [d for d in free if related(name, names[d.path], overlap) == level]
            rivals = [
                n
                for n in listed
                if n not in matches and docs and related(n, names[docs[0].path], overlap) == level
            ]
            if len(docs) == 1 and rivals == [name]:
                matches[name] = docs[0]
                taken.add(docs[0].path)
            elif docs:  # two documents for one name, or one document for two names
                ambiguous[name] = tuple(docs)
    unsure = {d.path for docs in ambiguous.values() for d in docs}
    unlisted = tuple(d for d in group.projects if d.path not in taken and d.path not in unsure)
    return Pairing(department, listed, matches, ambiguous, unlisted, group, settings)


# ---------------------------------------------------------------------------- the rule kinds


def check_project_listed(rule: Rule, p: Pairing) -> list[UnitVerdict]:
    """Each listed project has its table and each table its listed project; a missing one is
    info, not an error: the batch may simply not hold that document."""
    verdicts = []
    dept = p.department.path
    for name, first in p.listed.items():
        doc = p.matches.get(name)
        if doc is not None and doc.project is not None:
            message = (
                f"部门报告所列“{name}”对应项目自评表 {doc.path}（项目名称“{doc.project.value}”）"
            )
            verdicts.append(
                UnitVerdict(
                    True, first, doc.project.value, message, (doc.project,), stated_text=name
                )
            )
        elif name in p.ambiguous:
            paths = "、".join(d.path for d in p.ambiguous[name])
            message = (
                f"部门报告所列“{name}”有多份项目自评表（{paths}），无法确定对应哪一份，请人工核对"
            )
            inputs = tuple(d.project for d in p.ambiguous[name] if d.project is not None)
            verdicts.append(
                UnitVerdict(
                    None, first, "", message, inputs, reason="needs-review", stated_text=name
                )
            )
        else:
            message = f"部门报告所列项目“{name}”未找到对应的项目自评表（本次核对的文件中没有）"
            verdicts.append(UnitVerdict(False, first, "", message, stated_text=name))
    for doc in p.unlisted:
        if doc.project is None:
            continue
        message = (
            f"项目自评表的项目“{doc.project.value}”未找到：部门报告（{dept}）的项目清单中没有列出"
        )
        anchor = p.department.of("project.count") or list(p.listed.values())[:1]
        verdicts.append(UnitVerdict(False, doc.project, "", message, tuple(anchor)))
    return verdicts


def check_restated(rule: Rule, p: Pairing) -> list[UnitVerdict]:
    """A figure the department report quotes for a listed project is the one the project's own
    table states (within rounding; 元 and 万元 compare)."""
    prm = rule.params
    verdicts = []
    for name, doc in p.matches.items():
        own = [f for f in doc.of(prm["table"], "") if f.quantity() is not None]
        if not own:
            continue
        for quoted in p.department.of(prm["listed"], name):
            verdict = restated(rule, quoted, own, doc, name)
            if verdict is not None:
                verdicts.append(verdict)
    return verdicts


def restated(
    rule: Rule, quoted: Figure, own: list[Figure], doc: UnitDocument, name: str
) -> UnitVerdict | None:
    stated = quoted.quantity()
    if stated is None:
        return None
    outcomes = [(f, judge(stated, interval(q))) for f in own if (q := f.quantity()) is not None]
    agreeing = [f for f, (holds, _, _) in outcomes if holds]
    if agreeing:
        message = f"“{name}”{quoted.label}{quoted.shown}，与项目自评表 {doc.path} 相符"
        return UnitVerdict(True, quoted, agreeing[0].shown, message, (agreeing[0],))
    first, (_, expected, reason) = outcomes[0]
    expected += stated.unit
    other = alternative(rule, stated, doc)
    if other is not None:
        message = (
            f"部门报告写“{name}”{quoted.label} {quoted.shown}，与项目自评表 {doc.path} 的"
            f"{first.label or '对应数'} {first.shown} 不符，而与其{other.label} {other.shown} 相符：口径不同"
        )
        return UnitVerdict(
            False, quoted, expected, message, (first, other), "warning", "convention"
        )
    message = (
        f"部门报告写“{name}”{quoted.label} {quoted.shown}，"
        f"其项目自评表 {doc.path} 为 {first.shown}（{first.label or '对应数'}）"
    )
    return UnitVerdict(False, quoted, expected, message, (first,), reason=reason)


def alternative(rule: Rule, stated: Quantity, doc: UnitDocument) -> Figure | None:
    """The table's figure of another basis (年初预算数 for 全年预算数) that the quote matches."""
    for f in doc.of(rule.params.get("alternatives") or [], ""):
        q = f.quantity()
        if q is not None and judge(stated, interval(q))[0]:
            return f
    return None


def check_unit_sum(rule: Rule, p: Pairing) -> list[UnitVerdict]:
    """The department's 项目支出 total = the sum over the unit's project tables, judged only when
    the list is complete (stated count = listed projects = tables); else it needs a person."""
    prm = rule.params
    totals = [f for f in p.department.of(prm["total"], "") if f.quantity() is not None]
    if not totals or not p.listed:
        return []
    documents = [p.matches[name] for name in p.listed if name in p.matches]  # in listed order
    parts = [next(iter(doc.of(prm["items"], "")), None) for doc in documents]
    counts = {f.value for f in p.department.of(prm["count"], "")} if prm.get("count") else set()
    counted = not prm.get("count") or {int(Decimal(c)) for c in counts} == {len(p.listed)}
    if not (p.complete and counted and all(parts)):
        return [incomplete(total, p, counts) for total in totals]
    return [unit_total(rule, total, [f for f in parts if f is not None], p) for total in totals]


def incomplete(total: Figure, p: Pairing, counts: set[str]) -> UnitVerdict:
    stated = "、".join(sorted(counts)) or "未写"
    message = (
        f"项目清单与项目自评表不能一一对应（写明项目个数：{stated}；列出 {len(p.listed)} 个，"
        f"自评表 {len(p.group.projects)} 份，对上 {len(p.matches)} 份），未核对{total.label}合计，请人工复核"
    )
    return UnitVerdict(None, total, "", message, severity="info", reason="needs-review")


def unit_total(rule: Rule, total: Figure, parts: list[Figure], p: Pairing) -> UnitVerdict:
    stated = total.quantity()
    quantities = [q for f in parts if (q := f.quantity()) is not None]
    assert stated is not None and len(quantities) == len(parts)
    whole = sum((interval(q) for q in quantities[1:]), interval(quantities[0]))
    holds, expected, reason = judge(stated, whole, decimals=parts_decimals(stated, quantities))
    how = " + ".join(f.shown for f in parts)
    message = (
        f"部门报告写{total.label} {total.shown}，本单位 {len(parts)} 份项目自评表合计 "
        f"{expected}{stated.unit}（{how}）"
    )
    if holds is False and explained_by_list(rule, stated, p):
        message += "（系前述所列项目金额与自评表不符所致）"
        return UnitVerdict(
            None, total, expected + stated.unit, message, tuple(parts), reason="consequence"
        )
    return UnitVerdict(holds, total, expected + stated.unit, message, tuple(parts), reason=reason)


def explained_by_list(rule: Rule, stated: Quantity, p: Pairing) -> bool:
    """The total adds up the department's own list, and a listed amount differs from its table:
    the restated rule has reported that slip, this gap is only its consequence."""
    listed = rule.params.get("listed")
    if not listed:
        return False
    own = [next(iter(p.department.of(listed, name)), None) for name in p.listed]
    quantities = [f.quantity() for f in own if f is not None]
    if len(quantities) != len(p.listed) or any(q is None for q in quantities):
        return False
    sums = [q for q in quantities if q is not None]
    listed_sum = sum((interval(q) for q in sums[1:]), interval(sums[0]))
    return bool(judge(stated, listed_sum)[0])


KINDS: dict[str, Callable[[Rule, Pairing], list[UnitVerdict]]] = {
    "project-listed": check_project_listed,
    "restated": check_restated,
    "unit-sum": check_unit_sum,
}


# ---------------------------------------------------------------------------- running the rules


def guarded(
    rule: Rule, run: Callable[[], list[UnitVerdict]], anchor: Callable[[], Figure], strict: bool
) -> list[UnitVerdict]:
    """A rule that crashes is reported for that rule, on `anchor`, and the others run (tests
    re-raise)."""
    try:
        return run()
    except Exception as exc:  # noqa: BLE001 — a rule bug must not cost the other findings
        if strict:
            raise
        log.exception("rule %s crashed", rule.id)
        message = f"规则 {rule.id} 执行出错：{type(exc).__name__}: {exc}"
        return [UnitVerdict(None, anchor(), "", message, reason="crash")]


def evaluate(rule: Rule, p: Pairing, strict: bool) -> list[UnitVerdict]:
    return guarded(
        rule,
        lambda: KINDS[rule.kind](rule, p),
        lambda: next(iter(p.listed.values()), None) or p.department.figures[0],
        strict,
    )


def english(rule: Rule, v: UnitVerdict) -> str:
    title = rule.title_en or rule.id
    if v.reason == "crash":
        return f"{title}: the rule failed to run"
    places = ", ".join(f"{f.path} “{f.shown}”" for f in v.inputs)
    state = {True: "holds", False: "does not hold", None: "cannot be decided"}[v.holds]
    head = f"{title}: {state}, {v.stated.path} states “{v.stated.shown}”"
    should = f", it should be {v.expected}" if v.holds is False and v.expected else ""
    return head + should + (f" (from {places})" if places else "")


def to_unit_finding(rule: Rule, v: UnitVerdict, group: UnitGroup, lang: str) -> UnitFinding:
    severity: Severity = v.severity or rule.severity  # type: ignore[assignment]  # validated on load
    if v.holds is not False:
        severity = "info"
    figures = (v.stated, *v.inputs)
    evidence = tuple(
        Evidence(f.start, f.end, "stated" if k == 0 else "input", f.path)
        for k, f in enumerate(figures)
    )
    detail = {"scope": "unit", "unit": group.unit, "year": str(group.year)}
    if v.reason:
        detail["reason"] = v.reason
    message = english(rule, v) if lang == "en" else v.message
    stated = v.stated_text or (
        v.stated.value if v.stated.concept == "project.name" else v.stated.shown
    )
    finding = Finding(rule.id, severity, message, stated, v.expected, evidence, v.holds, detail)
    return UnitFinding(v.stated.path, finding, figures)


def run_unit_rules(
    ruleset: RuleSet, groups: list[UnitGroup], strict: bool = False, lang: str = "zh"
) -> list[UnitFinding]:
    """Every unit rule over every group, each department report against the group's project
    documents; relations that hold are kept too (holds=True), as for one document."""
    found = []
    for group in groups:
        for department in group.departments:
            pairing = pair_projects(department, group, ruleset.settings)
            for rule in ruleset.rules:
                if rule.kind not in KINDS:
                    continue  # a target table's kinds take a pair of tables (checks/targets.py)
                for v in evaluate(rule, pairing, strict):
                    found.append(to_unit_finding(rule, v, group, lang))
    return found


def split_example(text: str) -> list[str]:
    """A rule example of several documents: their texts, separated by a line of ===."""
    return [part.strip("\n") for part in EXAMPLE_BREAK.split(text) if part.strip()]
