"""Mutation tests: change one figure of a consistent report; exactly the rules involving it fire.

fixtures/<name>/report.txt is a report we wrote to be consistent (every relation holds);
fixtures/<name>/mutations.yaml lists cases, each changing one figure:
  id            unique in its file; the test id is "<fixture>/<id>"
  find          an exact substring that occurs once in report.txt
  replace       the same text with one figure changed
  fires         the rule ids that must report a broken relation (holds false, error or warning)
  consequences  optional: the rule ids whose relation breaks only through the changed figure,
                which the engine keeps as undecided (holds null, reason "consequence") once an
                earlier rule has blamed that figure
  xfail         optional: the bug the tool still has (strict xfail of the fires test)
  xfail_consequences  optional: the same for the consequences test; defaults to `xfail` (a
                wrongly blamed figure is usually why both differ); "" means none
  note          why these rules and no others

A fixture whose unmutated report still draws a false alarm (BASELINE_XFAIL) keeps its mutation
tests meaningful: a mutation is judged by the findings that the unmutated report does not have.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.checks.ruleset import load_rules
from auditor.model import Audit
from auditor.pipeline import Options, audit_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NAMES = ("dept-consistent", "project-consistent", "table-consistent")
KEYS = {"id", "find", "replace", "fires", "consequences", "note", "xfail", "xfail_consequences"}
RULE_IDS = {
    r.id for kind in ("department", "project", "table", "unknown") for r in load_rules(kind).rules
}
BASELINE_XFAIL: dict[str, str] = {}


@cache
def report(name: str) -> str:
    return (FIXTURES / name / "report.txt").read_text(encoding="utf-8")


def mutations(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((FIXTURES / name / "mutations.yaml").read_text(encoding="utf-8"))


def audit(text: str) -> Audit:
    return audit_text(text, Options(strict=True))


def broken(a: Audit) -> set[tuple[str, str]]:
    """(rule, message) of every finding about a relation that does not hold."""
    return {
        (f.rule, f.message)
        for f in a.findings
        if f.holds is False and f.severity in ("error", "warning")
    }


def consequences(a: Audit) -> set[tuple[str, str]]:
    return {
        (f.rule, f.message)
        for f in a.findings
        if f.holds is None and f.detail.get("reason") == "consequence"
    }


@cache
def baseline(name: str) -> tuple[frozenset, frozenset]:
    a = audit(report(name))
    return frozenset(broken(a)), frozenset(consequences(a))


def mutated(name: str, case: dict[str, Any]) -> Audit:
    return audit(report(name).replace(case["find"], case["replace"]))


def params(consequence_test: bool = False) -> list:
    found = []
    for name in NAMES:
        for case in mutations(name):
            if consequence_test and "consequences" not in case:
                continue
            reason = (
                case.get("xfail_consequences", case.get("xfail"))
                if consequence_test
                else case.get("xfail")
            )
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            found.append(pytest.param(name, case, marks=marks, id=f"{name}/{case['id']}"))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_mutation_file_is_well_formed(name: str) -> None:
    text = report(name)
    cases = mutations(name)
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), f"{name}: duplicate ids"
    for case in cases:
        assert set(case) <= KEYS, f"{name}/{case['id']}: unknown keys {set(case) - KEYS}"
        assert {"id", "find", "replace", "fires", "note"} <= set(case), (
            f"{name}/{case['id']}: missing keys"
        )
        assert text.count(case["find"]) == 1, f"{name}/{case['id']}: find must occur exactly once"
        assert case["replace"] != case["find"], f"{name}/{case['id']}: replace changes nothing"
        named = set(case["fires"]) | set(case.get("consequences", []))
        assert named <= RULE_IDS, f"{name}/{case['id']}: unknown rule ids {named - RULE_IDS}"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            n,
            marks=[pytest.mark.xfail(strict=True, reason=BASELINE_XFAIL[n])]
            if n in BASELINE_XFAIL
            else [],
        )
        for n in NAMES
    ],
)
def test_consistent_report_has_no_broken_relation(name: str) -> None:
    assert sorted(broken(audit(report(name)))) == []


@pytest.mark.parametrize("name, case", params())
def test_mutation_fires_exactly_its_rules(name: str, case: dict[str, Any]) -> None:
    known, _ = baseline(name)
    fired = {rule for rule, _ in broken(mutated(name, case)) - known}
    assert sorted(fired) == sorted(case["fires"]), case["note"]


@pytest.mark.parametrize("name, case", params(consequence_test=True))
def test_mutation_consequences(name: str, case: dict[str, Any]) -> None:
    _, known = baseline(name)
    found = {rule for rule, _ in consequences(mutated(name, case)) - known}
    assert sorted(found) == sorted(case["consequences"]), case["note"]
