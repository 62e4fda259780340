"""Rule files: a broken file is an error naming file, line and rule id with the allowed values;
kind files extend common.yaml, replace a rule by id or switch it off; --rules takes a user's file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.checks.ruleset import (
    KIND_PARAMS,
    SEVERITIES,
    RuleFileError,
    load_file,
    load_rules,
    rules_dir,
)
from auditor.cli import main
from auditor.pipeline import Options, audit_text

KINDS = ("department", "project", "table", "unknown")
DEPARTMENT_HEAD = "某单位2023年度部门整体支出绩效自评报告\n"  # detected as kind "department"
GOOD_RULE = """\
  - id: score-range
    kind: total-range
    title: 0 ≤ 综合得分 ≤ 总分值
    severity: error
    total: score.total
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def copy_common(folder: Path) -> Path:
    return write(folder, "common.yaml", (rules_dir() / "common.yaml").read_text(encoding="utf-8"))


def where(name: str, line: int) -> str:
    return re.escape(f"{name}:{line}: ")


# Broken files: (file text, the parts the message must contain, in order) --------------------------

BROKEN = {
    "yaml-syntax": (
        "rules:\n" + GOOD_RULE + "    formula: 得分 = 分值: 完成率\n    source: x\n",
        [where("broken.yaml", 7), "YAML 格式错误"],
    ),
    "unknown-top-level-key": (
        "version: x\nsettings:\n  total_points: 100\nrulez:\n" + GOOD_RULE,
        [
            where("broken.yaml", 4),
            "未知的键 rulez",
            "可用：report_kind, extends, settings, rules, version",
        ],
    ),
    "unknown-rule-key": (
        "rules:\n"
        + GOOD_RULE
        + "  - id: grade-check\n    kind: grade\n    title: t\n    severty: error\n    total: score.total\n",
        [where("broken.yaml", 7), "规则 grade-check", "未知的键 severty", "可用：.*severity"],
    ),
    "unknown-kind": (
        "rules:\n"
        + GOOD_RULE
        + "  - id: rate-check\n    kind: ratoi\n    title: t\n    severity: error\n",
        [where("broken.yaml", 7), "规则 rate-check", "未知的 kind 'ratoi'", "可用：ratio, sum"],
    ),
    "unknown-severity": (
        "rules:\n  - id: range-check\n    kind: total-range\n    title: t\n    severity: fatal\n    total: score.total\n",
        [
            where("broken.yaml", 2),
            "规则 range-check",
            "未知的 severity 'fatal'",
            "可用：" + ", ".join(SEVERITIES),
        ],
    ),
    "missing-required-key": (
        "rules:\n"
        + GOOD_RULE
        + "\n  - id: rate-check\n    kind: ratio\n    title: t\n    severity: error\n"
        "    stated: execution.rate\n    numerator: spending.total\n",
        [where("broken.yaml", 8), "规则 rate-check", "缺少 denominator"],
    ),
    "duplicate-id": (
        "rules:\n" + GOOD_RULE + GOOD_RULE,
        [where("broken.yaml", 7), "规则 score-range", "重复"],
    ),
    "bad-settings-key": (
        "version: x\nsettings:\n  grade_band: [[90, 优]]\nrules:\n" + GOOD_RULE,
        [where("broken.yaml", 3), "settings: 未知的键 grade_band", "可用：.*grade_bands"],
    ),
    "bad-settings-value": (
        "settings:\n  grade_bands: [[90, 优], [eighty, 良]]\nrules:\n" + GOOD_RULE,
        [where("broken.yaml", 2), "settings: grade_bands"],
    ),
    "bad-examples-key": (
        "rules:\n"
        + GOOD_RULE
        + "    examples:\n      pass: 综合得分84.41分。\n      failing: 综合得分104.41分。\n",
        [where("broken.yaml", 2), "规则 score-range", "examples 只能有 pass 和 fail"],
    ),
    "enabled-not-a-bool": (
        "rules:\n" + GOOD_RULE + "    enabled: 'no'\n",
        [where("broken.yaml", 2), "规则 score-range", "enabled 应为 true 或 false"],
    ),
    "rules-not-a-list": (
        "version: x\nrules: score-range\n",
        [where("broken.yaml", 2), "rules 应为规则列表"],
    ),
    "disabling-a-rule-that-does-not-exist": (
        "extends: common.yaml\nrules:\n  - id: grade-bnad\n    enabled: false\n",
        [where("broken.yaml", 3), "规则 grade-bnad", "要停用的规则不存在", "可用：.*grade-band"],
    ),
    "extends-a-missing-file": (
        "report_kind: table\nextends: commn.yaml\n",
        [where("broken.yaml", 2), "extends 的文件不存在", "commn.yaml"],
    ),
}


@pytest.mark.parametrize("text,parts", BROKEN.values(), ids=BROKEN.keys())
def test_broken_rule_file(tmp_path, text, parts) -> None:
    copy_common(tmp_path)
    path = write(tmp_path, "broken.yaml", text)
    with pytest.raises(RuleFileError, match=".*".join(parts)):
        load_file(path)


def test_extends_cycle_names_file_line_and_chain(tmp_path) -> None:
    write(tmp_path, "a.yaml", "report_kind: table\nextends: b.yaml\n")
    write(tmp_path, "b.yaml", "# b\nreport_kind: table\nextends: sub/../a.yaml\n")
    (tmp_path / "sub").mkdir()
    with pytest.raises(
        RuleFileError, match=where("b.yaml", 3) + "extends 形成循环（a.yaml → b.yaml → a.yaml）"
    ):
        load_file(tmp_path / "a.yaml")


def test_unknown_concept(tmp_path) -> None:
    path = write(
        tmp_path,
        "broken.yaml",
        "rules:\n  - id: rate-check\n    kind: ratio\n    title: t\n    severity: error\n"
        "    stated: execution.rate\n    numerator: spending.totl\n    denominator: budget.adjusted\n",
    )
    with pytest.raises(
        RuleFileError,
        match=where("broken.yaml", 2) + ".*rate-check.*spending.totl.*可用：.*spending.total",
    ):
        load_file(path)


def test_broken_rule_file_on_the_command_line(tmp_path, capsys) -> None:
    report = write(tmp_path, "report.txt", "综合得分84.41分。\n")
    rules = write(
        tmp_path, "mine.yaml", "rules:\n" + GOOD_RULE.replace("severity: error", "severity: fatal")
    )
    assert main(["check", str(report), "--rules", str(rules)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{rules}:2: 规则 score-range: 未知的 severity 'fatal'" in err
    assert main(["rules", "--rules", str(rules)]) == 2


# The shipped files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_shipped_kind_files_extend_common(kind) -> None:
    ruleset = load_rules(kind)
    common = load_rules(kind, rules_dir() / "common.yaml")
    ids = [r.id for r in ruleset.rules]
    assert ruleset.report_kind == kind
    assert len(ids) == len(set(ids)) and set(ids) >= {r.id for r in common.rules}
    assert all(r.kind in KIND_PARAMS and r.severity in SEVERITIES for r in ruleset.rules)
    assert all(re.fullmatch(r".+\.yaml:\d+", r.origin) for r in ruleset.rules)


# Kind files: replace, disable, settings --------------------------------------------------------------


def test_kind_file_replaces_a_common_rule_by_id(tmp_path) -> None:
    copy_common(tmp_path)
    write(
        tmp_path,
        "department.yaml",
        "report_kind: department\nextends: common.yaml\nrules:\n"
        "  - id: total-range\n    kind: total-range\n    title: 综合得分不超过总分值（本地）\n    severity: warning\n"
        "    total: score.total\n",
    )
    common = [r.id for r in load_rules("department", tmp_path / "common.yaml").rules]
    department = load_rules("department", tmp_path)
    assert [r.id for r in department.rules] == common  # same rules, the replaced one in its place
    replaced = next(r for r in department.rules if r.id == "total-range")
    assert replaced.severity == "warning" and replaced.origin.endswith("department.yaml:4")
    audit = audit_text(
        DEPARTMENT_HEAD + "综合得分104.41分。\n", Options(rules=tmp_path, strict=True)
    )
    assert audit.facts.kind == "department"
    assert [(f.rule, f.severity) for f in audit.findings if f.holds is False] == [
        ("total-range", "warning")
    ]


def test_enabled_false_switches_a_rule_off(tmp_path) -> None:
    copy_common(tmp_path)
    write(
        tmp_path,
        "department.yaml",
        "report_kind: department\nextends: common.yaml\nrules:\n  - id: grade-band\n    enabled: false\n",
    )
    ids = [r.id for r in load_rules("department", tmp_path).rules]
    assert "grade-band" not in ids and "total-range" in ids
    text = DEPARTMENT_HEAD + "综合得分84.41分,评价结果为“差”。\n"
    default = audit_text(text, Options(strict=True)).findings
    local = audit_text(text, Options(rules=tmp_path, strict=True)).findings
    assert [f.rule for f in default if f.holds is False] == ["grade-band"]
    assert "grade-band" not in {f.rule for f in local}
    assert ("total-range", True) in {(f.rule, f.holds) for f in local}  # the other rules still run


def test_a_whole_rule_with_enabled_false_is_off(tmp_path) -> None:
    path = write(
        tmp_path,
        "mine.yaml",
        "rules:\n"
        + GOOD_RULE
        + "    enabled: false\n"
        + GOOD_RULE.replace("score-range", "score-range-2"),
    )
    assert [r.id for r in load_file(path).rules] == ["score-range-2"]


def test_kind_file_settings_override_common(tmp_path) -> None:
    copy_common(tmp_path)
    write(
        tmp_path,
        "department.yaml",
        "report_kind: department\nextends: common.yaml\n"
        "settings:\n  grade_bands: [[85, 优], [75, 良], [60, 中], [0, 差]]\n",
    )
    text = DEPARTMENT_HEAD + "综合得分86.00分,评价结果为“优”。\n"
    default = [
        f.holds for f in audit_text(text, Options(strict=True)).findings if f.rule == "grade-band"
    ]
    local = [
        f.holds
        for f in audit_text(text, Options(rules=tmp_path, strict=True)).findings
        if f.rule == "grade-band"
    ]
    assert default == [False] and local == [True]


# --rules with a user's own file ------------------------------------------------------------------------


def test_custom_rule_file_on_the_command_line(tmp_path, capsys) -> None:
    report = write(
        tmp_path,
        "report.txt",
        DEPARTMENT_HEAD + "全年预算数为2780.63万元,全年实际支出资金2522.66万元,"
        "预算执行率为92.72%。\n综合得分104.41分。\n",
    )
    mine = write(
        tmp_path,
        "mine.yaml",
        "version: local-1\nsettings:\n  total_points: 120\nrules:\n" + GOOD_RULE,
    )
    assert main(["check", str(report)]) == 1  # shipped rules: the rate and the range are wrong
    capsys.readouterr()
    assert main(["check", str(report), "--rules", str(mine), "--format", "json", "--all"]) == 0
    out = capsys.readouterr().out
    assert '"rule": "score-range"' in out and '"rule": "execution-rate"' not in out
    assert '"rules": "local-1"' in out
    assert main(["rules", "--rules", str(mine)]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ["score-range"]


def test_custom_rule_folder_falls_back_to_common(tmp_path, capsys) -> None:
    write(tmp_path, "common.yaml", "rules:\n" + GOOD_RULE)
    report = write(tmp_path, "report.txt", "综合得分104.41分。\n")
    assert main(["check", str(report), "--rules", str(tmp_path)]) == 1
    assert "错误[score-range]" in capsys.readouterr().out


def test_custom_rule_ids_are_known_to_select(tmp_path, capsys) -> None:
    mine = write(tmp_path, "mine.yaml", "rules:\n" + GOOD_RULE)
    report = write(tmp_path, "report.txt", "综合得分104.41分。\n")
    assert main(["check", str(report), "--rules", str(mine), "--select", "score-range"]) == 1
    capsys.readouterr()
    assert main(["check", str(report), "--rules", str(mine), "--select", "total-range"]) == 2
    assert "可用：score-range" in capsys.readouterr().err


def test_select_knows_rules_of_every_kind_file(tmp_path, capsys) -> None:
    """A rule only the unknown-kind file has is still a known id for --select."""
    write(tmp_path, "common.yaml", "rules:\n" + GOOD_RULE)
    write(
        tmp_path,
        "unknown.yaml",
        "extends: common.yaml\nrules:\n" + GOOD_RULE.replace("score-range", "loose-range"),
    )
    report = write(tmp_path, "report.txt", "综合得分104.41分。\n")
    assert main(["check", str(report), "--rules", str(tmp_path), "--select", "loose-range"]) == 1
    assert "错误[loose-range]" in capsys.readouterr().out
