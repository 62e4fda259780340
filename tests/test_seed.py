"""The user's own report: its key figures under the fixed concept names, its five slips found
(two errors, three warnings) and none of the relations that hold flagged."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from conftest import SEED, broken

from auditor.cli import main
from auditor.pipeline import Options, audit_file


@pytest.fixture(scope="module")
def seed():
    return audit_file(SEED, Options(strict=True))


def values(audit, concept: str, subject: str | None = None) -> set[Decimal]:
    return {
        Decimal(f.value)
        for f in audit.facts.facts
        if f.concept == concept and (subject is None or f.subject == subject)
    }


@pytest.mark.parametrize(
    "concept,value",
    [
        ("budget.initial", "2872.68"),
        ("budget.initial.basic", "1906.42"),
        ("budget.initial.project", "966.26"),
        ("budget.adjustment", "-92.05"),
        ("budget.adjusted", "2780.63"),
        ("budget.adjustment_rate", "3.20"),
        ("spending.total", "2522.66"),
        ("spending.basic", "2193.53"),
        ("spending.project", "329.13"),
        ("execution.rate", "90.72"),
        ("execution.score", "9.07"),
        ("score.total", "84.41"),
        ("project.count", "5"),
        ("budget.adjusted.basic", "2222.71"),
        ("budget.basic.personnel", "2130.53"),
        ("budget.basic.public", "92.18"),
        ("execution.rate.basic", "98.69"),
        ("execution.rate.project", "84.94"),
    ],
)
def test_key_figures(seed, concept: str, value: str) -> None:
    assert values(seed, concept) == {Decimal(value)}


def test_grade(seed) -> None:
    assert [f.value for f in seed.facts.facts if f.concept == "grade"] == ["良"]


def test_eight_indicators(seed) -> None:
    weights = [(i.name, i.weight.value, i.score.value) for i in seed.facts.indicators]
    assert weights == [
        ("公务用车经费下降率", 8, 8),
        ("预算经费", 12, 12),
        ("项目支出预算执行率", 12, Decimal("7.08")),
        ("政府采购执行率", 8, 8),
        ("12345热线事件办结率", 10, 10),
        ("受理信访案件", 15, 15),
        ("解决就业人数", 15, Decimal("5.26")),
        ("受益人员满意度", 10, 10),
    ]


def test_five_slips(seed) -> None:
    found = sorted((f.rule, f.severity, f.stated) for f in broken(seed))
    assert found == [
        ("indicator-label", "warning", "政府采购执行率99.94%"),
        ("indicator-score", "warning", "10分"),
        ("indicator-score-completion", "warning", "90.72%"),
        ("project-execution-rate", "error", "84.94%"),
        ("stated-count", "error", "5个项目"),
    ]


def test_project_rate_explained(seed) -> None:
    finding = next(f for f in broken(seed) if f.rule == "project-execution-rate")
    assert finding.expected == "58.99%"
    assert "329.13" in finding.message and "557.92" in finding.message


def test_relations_that_hold_are_checked(seed) -> None:
    holding = {(f.rule, f.stated) for f in seed.findings if f.holds is True}
    for expected in [
        ("execution-rate", "90.72%"),
        ("adjusted-budget", "2780.63万元"),
        ("initial-budget-parts", "2872.68万元"),
        ("spending-parts", "2522.66万元"),
        ("basic-budget-parts", "2222.71万元"),
        ("basic-execution-rate", "98.69%"),
        ("adjustment-rate", "3.20%"),
        ("execution-score", "9.07分"),
        ("total-score", "84.41分"),
        ("grade-band", "良"),
        ("indicator-score-completion", "7.08分"),
        ("indicator-score", "5.26分"),
        ("indicator-completion", "35.09%"),
        ("indicator-completion", "160%"),
        ("adjusted-budget-parts", "2780.63万元"),
    ]:
        assert expected in holding


def test_json_exit_status(capsys) -> None:
    assert main(["check", str(SEED), "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)["documents"][0]
    assert document["kind"] == "department" and document["pages"] == 9
    assert {f["severity"] for f in document["findings"]} == {"error", "warning"}
    rate = next(f for f in document["findings"] if f["rule"] == "project-execution-rate")
    assert rate["evidence"][0]["text"].endswith("84.94%") and rate["evidence"][0]["page"] == 7
