"""Checks across a unit's documents: grouping by unit and year, the planted unit (fixtures/unit)
against its expected findings, mutations of the consistent unit, `check` and `scan` end to end."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.batch import scan
from auditor.checks.ruleset import RuleFileError, load_file, load_unit_rules
from auditor.checks.units import (
    UnitDocument,
    from_audit,
    group_documents,
    normalize_name,
    same_unit,
)
from auditor.cli import main
from auditor.model import Audit, Finding
from auditor.pipeline import Options, audit_file, audit_text, audit_units
from auditor.render.summary import load_summary

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PLANTED = FIXTURES / "unit"
CONSISTENT = FIXTURES / "unit-consistent"
NAMES = ("department.txt", "project-farmland.txt", "project-village.txt", "project-epidemic.txt")
UNIT_RULES = {r.id for r in load_unit_rules().rules}
STRICT = Options(strict=True)


@cache
def audited(path: str, text: str) -> Audit:
    return audit_text(text, STRICT, path=path)


def texts(folder: Path) -> dict[str, str]:
    return {name: (folder / name).read_text(encoding="utf-8") for name in NAMES}


def audit_unit(files: dict[str, str]) -> list[Audit]:
    return audit_units([audited(path, text) for path, text in files.items()], STRICT)


def broken(audits: list[Audit]) -> list[tuple[str, Finding]]:
    return [(a.path, f) for a in audits for f in a.findings if f.holds is False]


def rules_of(audits: list[Audit], test) -> set[str]:
    return {f.rule for a in audits for f in a.findings if test(f)}


# ---------------------------------------------------------------------------- who a document is


def test_a_table_names_its_project_and_units_a_report_its_unit() -> None:
    table = from_audit(audited("t.txt", texts(CONSISTENT)["project-village.txt"]))
    report = from_audit(audited("d.txt", texts(CONSISTENT)["department.txt"]))
    assert table is not None and report is not None
    assert table.project is not None and table.project.value == "青岭县农村人居环境整治项目"
    assert table.units == ["青岭县农业农村局", "青岭县乡村建设服务中心"]  # 主管部门, 实施单位
    assert (table.kind, table.year, report.kind, report.year) == ("table", 2023, "department", 2023)
    assert report.units == ["青岭县农业农村局"]


@pytest.mark.parametrize(
    "a,b,same",
    [
        ("东河街道 (办事处)", "东河街道办事处", True),  # spaces, punctuation, full-width
        ("哈密市伊州区东河街道办事处", "东河街道办事处", True),  # without city and district
        ("东河街道办事处", "西河街道办事处", False),
        ("青岭县财政局", "白石县财政局", False),
        ("县财政局", "青岭县财政局", False),  # too short to stand for a unit
    ],
)
def test_unit_names(a: str, b: str, same: bool) -> None:
    assert same_unit(a, b) is same


def test_normalize_name_folds_full_width_and_punctuation() -> None:
    assert (
        normalize_name("青岭县（农业农村局）")
        == normalize_name("青岭县 农业农村局")
        == "青岭县农业农村局"
    )


def unit_documents(folder: Path, replace: tuple[str, str] | None = None) -> list[UnitDocument]:
    docs = []
    for name, text in texts(folder).items():
        if replace and name != "department.txt":
            text = text.replace(*replace)
        doc = from_audit(audited(f"{folder.name}/{replace}/{name}", text))
        assert doc is not None
        docs.append(doc)
    return docs


def test_two_units_in_one_batch_are_not_mixed() -> None:
    groups = group_documents(unit_documents(PLANTED) + unit_documents(CONSISTENT))
    assert sorted(g.unit for g in groups) == ["白石县农业农村局", "青岭县农业农村局"]
    for g in groups:
        folder = {Path(d.path).parent for d in (*g.departments, *g.projects)}
        assert len(folder) == 1 and len(g.departments) == 1 and len(g.projects) == 3


def test_another_years_tables_are_not_grouped() -> None:
    docs = unit_documents(CONSISTENT, ("(2023年度)", "(2022年度)"))
    assert [d.year for d in docs] == [2023, 2022, 2022, 2022]
    assert group_documents(docs) == []  # a department report with no project table of its year


def test_a_document_naming_no_unit_is_left_out() -> None:
    unnamed = (
        "主管部门 | 青岭县农业农村局 | 实施单位 | 青岭县农田建设服务中心",
        "备注 | — | 联系人 | —",
    )
    docs = unit_documents(CONSISTENT, unnamed)  # only the farmland table has these cells
    [group] = group_documents(docs)
    assert sorted(Path(d.path).name for d in group.projects) == [
        "project-epidemic.txt",
        "project-village.txt",
    ]


def test_one_report_in_two_formats_counts_once() -> None:
    docs = unit_documents(CONSISTENT)
    copy = UnitDocument(
        docs[1].path.replace(".txt", ".docx"), docs[1].kind, docs[1].year, docs[1].figures
    )
    [group] = group_documents([*docs, copy])
    assert len(group.projects) == 3


def test_two_tables_for_one_listed_project_are_matched_to_none() -> None:
    files = texts(CONSISTENT)
    files["project-epidemic-2.txt"] = files["project-epidemic.txt"]
    audits = audit_unit(files)
    listed = [f for a in audits for f in a.findings if f.rule == "unit-project-listed"]
    unsure = [f for f in listed if f.detail.get("reason") == "needs-review"]
    assert [f.stated for f in unsure] == ["动物疫病防控经费项目"]
    assert not any(f.holds is False for f in listed)  # neither table is "unlisted"
    assert not rules_of(audits, lambda f: f.holds is False)


# ---------------------------------------------------------------------------- the fixture units


def expected_findings() -> list[dict[str, Any]]:
    return yaml.safe_load((PLANTED / "expected.yaml").read_text(encoding="utf-8"))


def test_the_planted_unit_draws_exactly_its_expected_findings() -> None:
    audits = audit_unit({str(PLANTED / n): t for n, t in texts(PLANTED).items()})
    found = sorted((Path(path).name, f.rule, f.stated) for path, f in broken(audits))
    expected = sorted((e["file"], e["rule"], e["stated"]) for e in expected_findings())
    assert found == expected


def test_each_cross_document_finding_cites_both_documents() -> None:
    audits = audit_unit({str(PLANTED / n): t for n, t in texts(PLANTED).items()})
    cited = {
        (f.rule, f.stated): [Path(ev.path).name for ev in f.evidence]
        for _, f in broken(audits)
        if f.rule in UNIT_RULES
    }
    for e in expected_findings():
        if e["rule"] in UNIT_RULES:
            assert cited[(e["rule"], e["stated"])] == [e["file"], *e["cites"]]


def test_a_total_off_only_through_a_listed_slip_is_a_consequence() -> None:
    audits = audit_unit({str(PLANTED / n): t for n, t in texts(PLANTED).items()})
    spending = [f for a in audits for f in a.findings if f.rule == "unit-project-spending-total"]
    assert spending and all(f.holds is None for f in spending)
    assert {f.detail["reason"] for f in spending} == {"consequence"}


def test_the_consistent_unit_draws_nothing_and_every_relation_holds() -> None:
    audits = audit_unit(texts(CONSISTENT))
    assert broken(audits) == []
    held = [f.rule for a in audits for f in a.findings if f.rule in UNIT_RULES and f.holds]
    # 3 listed, 3 budgets, 3 执行数, 2 quoted rates, the budget total and the 项目支出 stated twice
    assert sorted(held) == sorted(
        ["unit-project-listed"] * 3
        + ["unit-project-budget"] * 3
        + ["unit-project-spent"] * 3
        + ["unit-project-rate"] * 2
        + ["unit-project-budget-total"]
        + ["unit-project-spending-total"] * 2
    )


def test_the_planted_unit_is_the_consistent_one_with_its_slips() -> None:
    """fixtures/unit is regenerated by make_unit.py, never edited by hand."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_unit", PLANTED / "make_unit.py")
    assert spec is not None and spec.loader is not None
    make_unit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_unit)
    for name in NAMES:
        assert (PLANTED / name).read_text(encoding="utf-8") == make_unit.planted(name), name


MUTATIONS = yaml.safe_load((CONSISTENT / "mutations.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", MUTATIONS, ids=[m["id"] for m in MUTATIONS])
def test_mutation(case: dict[str, Any]) -> None:
    files = texts(CONSISTENT)
    assert files[case["file"]].count(case["find"]) == 1, case["find"]
    files[case["file"]] = files[case["file"]].replace(case["find"], case["replace"])
    audits = audit_unit(files)
    fires = rules_of(audits, lambda f: f.holds is False and f.severity in ("error", "warning"))
    info = rules_of(audits, lambda f: f.holds is False and f.severity == "info")
    review = rules_of(audits, lambda f: f.detail.get("reason") == "needs-review")
    assert (fires, info, review) == (set(case["fires"]), set(case["info"]), set(case["review"]))


# ---------------------------------------------------------------------------- rule files


def test_a_cross_document_kind_in_a_report_kind_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "department.yaml"
    path.write_text(
        "report_kind: department\nrules:\n  - {id: x, kind: unit-sum, title: t, severity: error,"
        " total: spending.project, items: spending.total}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError, match=r"department.yaml:3: 规则 x: kind unit-sum 不能用于"):
        load_file(path)


def test_a_report_kind_in_the_unit_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "unit.yaml"
    path.write_text(
        "report_kind: unit\nrules:\n  - {id: y, kind: grade, title: t, severity: error, total: score.total}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError, match=r"规则 y: kind grade 不能用于 report_kind unit"):
        load_file(path)


# ---------------------------------------------------------------------------- check and scan


def test_check_several_files_cites_the_other_file(capsys) -> None:
    paths = [str(PLANTED / n) for n in NAMES]
    assert main(["check", *paths, "--format", "json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    spent = next(
        f for d in payload["documents"] for f in d["findings"] if f["rule"] == "unit-project-spent"
    )
    assert [ev["path"] for ev in spent["evidence"]] == [paths[0], paths[1]]
    assert "289.76" in spent["evidence"][1]["text"] and spent["evidence"][1]["line"] == 7
    assert main(["check", *paths, "--color", "never"]) == 1
    text = capsys.readouterr().out
    assert f"依据：{paths[1]} 第 7 行" in text


def test_check_without_cross_or_with_one_file_is_per_document(capsys) -> None:
    paths = [str(PLANTED / n) for n in NAMES]
    main(["check", *paths, "--format", "json", "--no-cross"])
    rules = {
        f["rule"] for d in json.loads(capsys.readouterr().out)["documents"] for f in d["findings"]
    }
    assert rules == {"project-budget-sum", "listed-project-rate"}
    main(["check", paths[0], "--format", "json", "--all"])
    rules = {
        f["rule"] for d in json.loads(capsys.readouterr().out)["documents"] for f in d["findings"]
    }
    assert not rules & UNIT_RULES


def stored_unit_rows(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT d.path, f.rule, f.stated, f.evidence FROM findings f JOIN documents d"
            " ON d.id = f.document_id WHERE f.rule LIKE 'unit-%' ORDER BY f.rule"
        ).fetchall()


def test_scan_stores_the_cross_document_findings(tmp_path: Path) -> None:
    for folder in (PLANTED, CONSISTENT):
        shutil.copytree(folder, tmp_path / folder.name)
    db = tmp_path / "results.sqlite"
    stats = scan([tmp_path], db, jobs=1)
    assert stats.units == 2 and stats.errors == 3
    rows = stored_unit_rows(db)
    # 607.10 and 94.40% contradict the report's own figures too: stored once, by its own rules
    assert [(Path(p).name, rule, stated) for p, rule, stated, _ in rows] == [
        ("department.txt", "unit-project-spent", "298.76万元"),
    ]
    assert all(Path(p).parent.name == "unit" for p, *_ in rows)
    spent = json.loads(rows[0][3])
    assert [Path(ev["path"]).name for ev in spent] == ["department.txt", "project-farmland.txt"]
    summary = load_summary(db)
    report = next(d for d in summary.documents if d.path.endswith("unit/department.txt"))
    assert report.errors == 3 and report.unit  # two per-file errors and one across files
    assert {c.rule for c in summary.rule_counts()} >= {"unit-project-spent", "listed-project-rate"}
    again = scan([tmp_path], db, jobs=1)  # resumed: nothing re-audited, the same rows
    assert (again.skipped, again.errors) == (8, 3)
    assert stored_unit_rows(db) == rows


def test_scan_without_cross_stores_none(tmp_path: Path) -> None:
    shutil.copytree(PLANTED, tmp_path / "unit")
    db = tmp_path / "results.sqlite"
    stats = scan([tmp_path], db, jobs=1, units=False)
    assert stats.units == 0 and stored_unit_rows(db) == []


def test_a_figure_cited_from_a_scanned_table_carries_the_ocr_caveat() -> None:
    """A cross-document finding resting on a figure of a document read by OCR says so, like a
    finding inside a scanned document does."""
    audits = [audit_file(str(PLANTED / n)) for n in NAMES]
    scanned = []
    for a in audits:
        if a.path.endswith("project-farmland.txt") and a.document is not None:
            origins = tuple(dataclasses.replace(o, ocr=True) for o in a.document.origins)
            a = dataclasses.replace(a, document=dataclasses.replace(a.document, origins=origins))
        scanned.append(a)
    report = next(a for a in audit_units(scanned) if a.path.endswith("department.txt"))
    by_rule = {f.rule: f for f in report.findings if f.holds is False}
    spent = by_rule["unit-project-spent"]  # cites the scanned table
    assert spent.detail.get("ocr") == "true" and spent.message.endswith("请核对原件）")
    rate = by_rule["listed-project-rate"]  # cites the epidemic table, typed
    assert "ocr" not in rate.detail and "OCR" not in rate.message
