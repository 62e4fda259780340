"""docs/rules.md is what `auditor rules --format md` makes from the rule files: regenerate it with
`python3 -m auditor.cli rules --format md > docs/rules.md` after changing a rule."""

from __future__ import annotations

from conftest import ROOT

from auditor.checks.ruleset import load_rules, load_unit_rules
from auditor.cli import main
from auditor.rulesdoc import rules_markdown


def test_committed_rules_doc_is_current() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(load_rules("department"), load_unit_rules()), (
        "docs/rules.md is stale: regenerate it"
    )


def test_every_rule_is_documented_with_both_examples(capsys) -> None:
    assert main(["rules", "--format", "md"]) == 0
    doc = capsys.readouterr().out
    for rule in (*load_rules("department").rules, *load_unit_rules().rules):
        section = doc.split(f'<a id="{rule.id}"></a>', 1)[1].split("<a id=", 1)[0]
        assert rule.title in section and "成立的例子" in section and "不成立的例子" in section
