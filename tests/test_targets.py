"""A project's 绩效目标表 against its 自评表 (DOMAIN.md rule 28): reading the target table,
pairing the two without a department report, the planted pair in fixtures/targets, `check` and
`scan` end to end."""

from __future__ import annotations

import json
import shutil
import sqlite3
from functools import cache
from pathlib import Path

import pytest

from auditor.batch import scan
from auditor.checks.targets import pair_targets
from auditor.checks.units import from_audit, group_documents
from auditor.cli import main
from auditor.model import Audit, Finding
from auditor.pipeline import Options, audit_text, audit_units
from auditor.unitscan import stored_comparator

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PAIR = FIXTURES / "targets"
UNIT = FIXTURES / "unit-consistent"
STRICT = Options(strict=True)
TARGET_RULES = {"unit-target-match", "unit-target-listed"}


@cache
def audited(path: str, text: str) -> Audit:
    return audit_text(text, STRICT, path=path)


def fixture(name: str) -> str:
    return (PAIR / name).read_text(encoding="utf-8")


def together(files: dict[str, str]) -> list[Audit]:
    return audit_units([audited(p, t) for p, t in files.items()], STRICT)


def target_findings(audits: list[Audit]) -> list[tuple[str, Finding]]:
    return [(a.path, f) for a in audits for f in a.findings if f.rule in TARGET_RULES]


def broken(audits: list[Audit]) -> list[tuple[str, Finding]]:
    return [(p, f) for p, f in target_findings(audits) if f.holds is False]


PAIR_FILES = {"targets.txt": fixture("targets.txt"), "evaluation.txt": fixture("evaluation.txt")}


# ---------------------------------------------------------------------------- the target table


def test_a_target_table_is_marked_and_its_targets_read_with_their_comparators() -> None:
    audit = audited("targets.txt", fixture("targets.txt"))
    assert audit.facts is not None
    marker = [f for f in audit.facts.facts if f.concept == "report.target_table"]
    assert [f.value for f in marker] == ["2023年度项目支出绩效目标表"]
    targets = {
        f.subject: (f.quantity.comparator if f.quantity else None, f.value, f.unit)
        for f in audit.facts.facts
        if f.concept == "indicator.target"
    }
    assert len(targets) == 9
    assert targets["维修响应及时率"] == (">=", "95", "%")  # 大于等于95%
    assert targets["单个小区维护成本"] == ("<=", "140000", "元")
    assert targets["设施维护验收合格率"] == ("", "100", "%")
    assert not [
        f for f in audit.facts.facts if f.concept in ("indicator.actual", "indicator.score")
    ]
    assert not [f for f in audit.findings if f.holds is False]  # nothing to score in it alone


def test_a_self_evaluation_or_a_report_quoting_the_target_table_is_not_one() -> None:
    evaluation = audited("evaluation.txt", fixture("evaluation.txt"))
    quoting = audited(
        "report.txt",
        "老旧小区配套设施维护项目2023年度绩效自评报告\n项目支出绩效目标表\n项目名称:老旧小区配套设施维护项目\n",
    )
    for audit in (evaluation, quoting):
        assert audit.facts is not None
        assert not [f for f in audit.facts.facts if f.concept == "report.target_table"]


# ---------------------------------------------------------------------------- the planted pair


def test_the_changed_target_fires_once_and_cites_both_tables() -> None:
    found = broken(together(PAIR_FILES))
    assert [(p, f.rule, f.severity, f.stated, f.expected) for p, f in found] == [
        ("evaluation.txt", "unit-target-match", "warning", "≥300", "≥320")
    ]
    finding = found[0][1]
    assert [(ev.path, ev.role) for ev in finding.evidence] == [
        ("evaluation.txt", "stated"),
        ("targets.txt", "input"),
    ]
    assert "更换路灯数量" in finding.message and "targets.txt" in finding.message
    assert finding.detail["year"] == "2023"


def test_the_same_targets_written_another_way_hold() -> None:
    held = {
        f.message.split("“")[1].split("”")[0]
        for _, f in target_findings(together(PAIR_FILES))
        if f.rule == "unit-target-match" and f.holds is True
    }
    assert {"维修响应及时率", "单个小区维护成本", "居民满意度"} <= held
    assert len(held) == 8  # all but the planted 更换路灯数量


@pytest.mark.parametrize(
    "planned,restated,expected",
    [
        (("大于等于95%", "大于等于95%"), ("| ≥95% | 90.25%", "| 95% | 90.25%"), "≥95%"),
        (("大于等于95%", "大于等于95%"), ("| ≥95% | 90.25%", "| ≥96% | 90.25%"), "≥95%"),
        (("大于等于95%", "大于等于95%"), ("| ≥95% | 90.25%", "| ≥95.0% | 90.25%"), None),
        (("≤140000元", "≤140000元"), ("| ≤14万元 |", "| ≤14.5万元 |"), "≤140000元"),
        (("| 100%\n", "| =100%\n"), ("| 100% | 100%", "| 100% | 100%"), None),
        (("| 100%\n", "| ≥100%\n"), ("| 100% | 100%", "| 100% | 100%"), "≥100%"),
    ],
    ids=[
        "comparator-dropped",
        "value-changed",
        "same-number",
        "money",
        "equals-sign",
        "sign-added",
    ],
)
def test_targets_compare_exactly(
    planned: tuple[str, str], restated: tuple[str, str], expected: str | None
) -> None:
    files = {
        "targets.txt": fixture("targets.txt").replace(*planned),
        "evaluation.txt": fixture("evaluation.txt").replace(*restated),
    }
    assert files["targets.txt"].count(planned[1]) == 1
    assert files["evaluation.txt"].count(restated[1]) == 1
    fired = [f.expected for _, f in broken(together(files)) if f.rule == "unit-target-match"]
    assert sorted(fired) == sorted(["≥320", *([expected] if expected else [])])


def test_an_indicator_missing_on_either_side_is_info() -> None:
    files = {
        "targets.txt": fixture("targets.txt").replace(" |  |  | 居民有效投诉件数 | ≤20件\n", ""),
        "evaluation.txt": fixture("evaluation.txt").replace("| 设施完好率 |", "| 设施使用完好率 |"),
    }
    found = [(p, f.rule, f.severity, f.stated) for p, f in broken(together(files))]
    assert ("targets.txt", "unit-target-listed", "info", "设施完好率") in found
    assert ("evaluation.txt", "unit-target-listed", "info", "设施使用完好率") in found
    assert ("evaluation.txt", "unit-target-listed", "info", "居民有效投诉件数") in found
    missing = next(f for p, f in broken(together(files)) if f.stated == "设施完好率")
    assert missing.message.startswith("年初目标表中的指标“设施完好率”")
    assert {ev.path for ev in missing.evidence} == {"targets.txt", "evaluation.txt"}


# ---------------------------------------------------------------------------- pairing


def documents(files: dict[str, str]) -> list:
    return [d for p, t in files.items() if (d := from_audit(audited(p, t))) is not None]


def test_pairs_need_the_same_project_year_and_one_candidate_each() -> None:
    assert len(pair_targets(documents(PAIR_FILES))) == 1
    other_year = {
        **PAIR_FILES,
        "targets.txt": fixture("targets.txt").replace("2023年度", "2024年度"),
    }
    other_project = {
        **PAIR_FILES,
        "targets.txt": fixture("targets.txt").replace(
            "老旧小区配套设施维护项目", "道路照明改造项目"
        ),
    }
    other_unit = {
        **PAIR_FILES,
        "targets.txt": fixture("targets.txt")
        .replace("克拉玛依市独山子区住房和城乡建设局", "青岭县文化局")
        .replace("独山子区市政设施维护中心", "青岭县文化馆"),
    }
    two = {**PAIR_FILES, "copy/evaluation-2.txt": fixture("evaluation.txt")}
    for files in (other_year, other_project, other_unit, two):
        assert pair_targets(documents(files)) == []
        assert not target_findings(together(files))


def test_a_target_table_beside_a_department_report_is_not_one_of_its_project_tables() -> None:
    unit = {p.name: p.read_text(encoding="utf-8") for p in sorted(UNIT.glob("*.txt"))}
    farmland = unit["project-farmland.txt"]
    head, _, rows = farmland.partition("绩效指标 | ")
    plan = (
        "2023年度项目支出绩效目标表\n"
        + head.split("\n", 3)[3].split("项目资金")[0]
        + "绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值\n"
        + " | 产出指标 | 数量指标 | 新建高标准农田面积 | ≥15000亩\n"
    )
    audits = together({**unit, "targets-farmland.txt": plan})
    assert len(group_documents(documents(unit))) == 1
    unit_rules = {
        (f.rule, f.holds) for a in audits for f in a.findings if f.rule.startswith("unit-project")
    }
    assert not {r for r, holds in unit_rules if holds is not True}  # no unlisted or ambiguous table
    assert [
        (p, f.rule, f.expected) for p, f in broken(audits) if f.rule == "unit-target-match"
    ] == [("project-farmland.txt", "unit-target-match", "≥15000亩")]


# ---------------------------------------------------------------------------- check and scan


def test_check_two_files_reports_the_changed_target(capsys) -> None:
    paths = [str(PAIR / "evaluation.txt"), str(PAIR / "targets.txt")]
    assert main(["check", *paths, "--format", "json"]) == 0  # a warning, not an error
    payload = json.loads(capsys.readouterr().out)
    found = [
        f for d in payload["documents"] for f in d["findings"] if f["rule"] == "unit-target-match"
    ]
    assert len(found) == 1
    assert [(ev["path"], ev["line"]) for ev in found[0]["evidence"]] == [
        (paths[0], 15),
        (paths[1], 12),
    ]


@pytest.mark.parametrize(
    "text,value,comparator",
    [
        ("时效指标 | 维修响应及时率 | 大于等于95%", "95", ">="),
        ("居民有效投诉件数 | ≤20件", "20", "<="),
        ("质量指标 | 设施维护验收合格率 | 100%", "100", ""),
        ("完成12个,不少于300盏", "300", ">="),
        ("", "12", ""),
    ],
)
def test_a_stored_target_gets_its_comparator_back(text: str, value: str, comparator: str) -> None:
    assert stored_comparator(text, value) == comparator


def test_scan_stores_the_changed_target_only(tmp_path: Path) -> None:
    shutil.copytree(PAIR, tmp_path / "targets")
    db = tmp_path / "results.sqlite"
    stats = scan([tmp_path], db, jobs=1)
    assert stats.units == 1 and stats.warnings == 1
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT d.path, f.rule, f.stated, f.expected, f.evidence FROM findings f JOIN documents d"
            " ON d.id = f.document_id WHERE f.rule LIKE 'unit-%'"
        ).fetchall()
    assert [(Path(p).name, rule, stated, expected) for p, rule, stated, expected, _ in rows] == [
        ("evaluation.txt", "unit-target-match", "≥300", "≥320")
    ]
    assert [Path(ev["path"]).name for ev in json.loads(rows[0][4])] == [
        "evaluation.txt",
        "targets.txt",
    ]
