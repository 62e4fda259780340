"""Concept names are one vocabulary: what the interpreter binds, what rules name, what JSON shows."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import FIXTURES

from auditor.checks.ruleset import CONCEPT_PARAMS, load_rules
from auditor.model import CONCEPTS
from auditor.pipeline import Options, audit_file

LEXICON = Path(__file__).resolve().parent.parent / "auditor" / "interpret" / "data" / "lexicon.yaml"


def test_every_dictionary_concept_is_known() -> None:
    bases = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))["bases"]
    signed = {
        "budget.adjustment.decrease",
        "budget.adjustment.increase",
    }  # folded into budget.adjustment
    assert set(bases) - signed <= CONCEPTS


def test_every_concept_a_rule_names_is_known() -> None:
    for kind in ("department", "project", "table", "unknown"):
        for rule in load_rules(kind).rules:
            for key in CONCEPT_PARAMS & set(rule.params):
                names = (
                    rule.params[key] if isinstance(rule.params[key], list) else [rule.params[key]]
                )
                assert set(names) <= CONCEPTS, (rule.id, key)


def test_every_concept_bound_in_the_fixtures_is_known() -> None:
    for report in sorted(FIXTURES.glob("*/report.txt")):
        audit = audit_file(report, Options(strict=True))
        assert {f.concept for f in audit.facts.facts} <= CONCEPTS, report
