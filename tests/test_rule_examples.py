"""Every shipped rule carries a pass and a fail example, and each one does what it says.

The examples are run against the rule file of the kind that ships the rule (so a kind file that
replaces a common rule has its own examples checked), with only that rule selected. An example of
a cross-document rule (rules/unit.yaml) holds several documents, separated by a line of ===,
audited together."""

from __future__ import annotations

import pytest
import yaml

from auditor.checks.ruleset import Rule, load_rules, load_unit_rules, rules_dir
from auditor.pipeline import Options, audit_text, audit_unit_example

KINDS = ("department", "project", "table", "unknown")

# Rules whose examples show a known bug: (rule id, "pass" | "fail") → why. Strict xfails, so a
# fix turns them into failures that ask for the entry to be removed.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def shipped_rules() -> list[tuple[str, Rule]]:
    """(kind file, rule) for every distinct rule any kind ships; a common rule once."""
    seen: dict[tuple[str, str], tuple[str, Rule]] = {}
    for kind in KINDS:
        for rule in load_rules(kind).rules:
            seen.setdefault((rule.id, rule.origin), (kind, rule))
    for rule in load_unit_rules().rules:
        seen.setdefault((rule.id, rule.origin), ("unit", rule))
    return list(seen.values())


SHIPPED = shipped_rules()


def rule_param_id(kind: str, rule: Rule) -> str:
    duplicated = sum(1 for _, r in SHIPPED if r.id == rule.id) > 1
    return f"{kind}:{rule.id}" if duplicated else rule.id


def example_params() -> list:
    params = []
    for kind, rule in SHIPPED:
        for which in ("pass", "fail"):
            for k, text in enumerate(rule.examples.get(which, [])):
                suffix = f"-{k + 1}" if len(rule.examples[which]) > 1 else ""
                marks = (
                    [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[(rule.id, which)])]
                    if (rule.id, which) in KNOWN_BUGS
                    else []
                )
                params.append(
                    pytest.param(
                        kind,
                        rule,
                        which,
                        text,
                        marks=marks,
                        id=f"{rule_param_id(kind, rule)}-{which}{suffix}",
                    )
                )
    return params


def findings_of(kind: str, rule: Rule, text: str) -> list:
    if kind == "unit":
        options = Options(rules=rules_dir(), select=frozenset({rule.id}), strict=True)
        audits = audit_unit_example(text, options)
        return [f for a in audits for f in a.findings if f.rule == rule.id]
    options = Options(rules=rules_dir() / f"{kind}.yaml", select=frozenset({rule.id}), strict=True)
    audit = audit_text(text, options)
    return [f for f in audit.findings if f.rule == rule.id]


def test_every_common_rule_is_collected() -> None:
    """Guard against an empty parametrization: every rule written in common.yaml is shipped."""
    data = yaml.safe_load((rules_dir() / "common.yaml").read_text(encoding="utf-8"))
    written = {r["id"] for r in data["rules"] if r.get("enabled", True)}
    assert written and written <= {r.id for _, r in SHIPPED}


@pytest.mark.parametrize(
    "kind,rule", [pytest.param(k, r, id=rule_param_id(k, r)) for k, r in SHIPPED]
)
def test_rule_has_pass_and_fail_examples(kind: str, rule: Rule) -> None:
    for which in ("pass", "fail"):
        texts = rule.examples.get(which, [])
        assert texts, f"{rule.origin}: 规则 {rule.id} 缺少 {which} 示例"
        assert all(isinstance(t, str) and t.strip() for t in texts), f"{rule.id}: 空的 {which} 示例"


@pytest.mark.parametrize("kind,rule,which,text", example_params())
def test_rule_example(kind: str, rule: Rule, which: str, text: str) -> None:
    found = findings_of(kind, rule, text)
    verdicts = [(f.holds, f.severity, f.stated, f.expected) for f in found]
    if which == "pass":
        assert any(f.holds is True for f in found), (
            f"{rule.id}: pass 示例没有得到成立的关系: {verdicts}"
        )
        assert not any(f.holds is False for f in found), (
            f"{rule.id}: pass 示例报告了不成立: {verdicts}"
        )
    else:
        assert any(f.holds is False for f in found), (
            f"{rule.id}: fail 示例没有报告不成立: {verdicts}"
        )
