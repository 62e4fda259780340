"""Per-kind YAML cases: report sentences in, the findings that must (and must not) come out.

tests/cases/<rule kind>.yaml holds `cases:`, each with
  name     unique in its file; the test id is "<kind>-<name>", so `pytest -k ratio` or
           `pytest -k truncation` picks cases
  text     the report text (all shipped rules run on it, strict, unless `select` narrows them)
  expect   findings that must appear: {rule, holds (default false), stated, expected, severity}
           (the last three optional, compared exactly when given)
  absent   rule ids that must not report a broken relation (holds false)
  select   optional: run only these rule ids
  xfail    optional: the reason this case shows a bug the tool still has (strict xfail)
  note     optional: why the case matters
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.checks.ruleset import KIND_PARAMS, load_rules
from auditor.model import Finding
from auditor.pipeline import Options, audit_text

CASES = Path(__file__).resolve().parent / "cases"
CASE_KEYS = {"name", "text", "expect", "absent", "select", "xfail", "note"}
EXPECT_KEYS = {"rule", "holds", "stated", "expected", "severity"}
RULES = {
    r.id: r
    for kind in ("department", "project", "table", "unknown")
    for r in load_rules(kind).rules
}


def load_cases() -> list:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(data) == {"cases"}, f"{path.name}: 顶层只能有 cases"
        for case in data["cases"]:
            marks = (
                [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
            )
            params.append(
                pytest.param(path.stem, case, marks=marks, id=f"{path.stem}-{case.get('name')}")
            )
    return params


PARAMS = load_cases()


def matches(finding: Finding, want: dict[str, Any]) -> bool:
    return (
        finding.rule == want["rule"]
        and finding.holds is want.get("holds", False)
        and all(
            getattr(finding, key) == want[key]
            for key in ("stated", "expected", "severity")
            if key in want
        )
    )


def describe(findings: list[Finding]) -> str:
    return (
        "\n".join(
            f"  {f.rule} holds={f.holds} {f.severity} stated={f.stated!r} expected={f.expected!r}: {f.message}"
            for f in findings
        )
        or "  (none)"
    )


def test_case_files_are_well_formed() -> None:
    """One spelling per key, known rule ids, names unique per file, each file named after a rule kind."""
    assert PARAMS, "no cases found"
    names: set[tuple[str, str]] = set()
    for param in PARAMS:
        kind, case = param.values
        assert kind in KIND_PARAMS, f"{kind}.yaml: 不是规则种类（可用：{', '.join(KIND_PARAMS)}）"
        where = f"{kind}.yaml: {case.get('name')}"
        assert set(case) <= CASE_KEYS and {"name", "text", "expect"} <= set(case), (
            f"{where}: keys {sorted(case)}"
        )
        assert (kind, case["name"]) not in names, f"{where}: 重复的 name"
        names.add((kind, case["name"]))
        assert case["expect"], f"{where}: a case without expectations cannot fail"
        for want in case["expect"]:
            assert set(want) <= EXPECT_KEYS and "rule" in want, (
                f"{where}: expect keys {sorted(want)}"
            )
            assert want.get("holds", False) in (True, False, None), (
                f"{where}: holds {want['holds']!r}"
            )
        for rule_id in (
            [w["rule"] for w in case["expect"]] + case.get("absent", []) + case.get("select", [])
        ):
            assert rule_id in RULES, f"{where}: 未知的规则 {rule_id}"
        assert any(RULES[w["rule"]].kind == kind for w in case["expect"]), (
            f"{where}: no expectation about a {kind} rule"
        )


def test_every_rule_kind_has_cases() -> None:
    covered = {param.values[0] for param in PARAMS}
    missing = sorted({r.kind for r in RULES.values()} - covered)
    assert not missing, f"rule kinds without tests/cases/<kind>.yaml: {', '.join(missing)}"


@pytest.mark.parametrize("kind,case", PARAMS)
def test_case(kind: str, case: dict[str, Any]) -> None:
    options = Options(select=frozenset(case.get("select", ())), strict=True)
    findings = list(audit_text(case["text"], options).findings)
    for want in case["expect"]:
        assert any(matches(f, want) for f in findings), (
            f"missing {want}; got:\n{describe(findings)}"
        )
    unwanted = [f for f in findings if f.rule in case.get("absent", []) and f.holds is False]
    assert not unwanted, f"unexpected broken relations:\n{describe(unwanted)}"
