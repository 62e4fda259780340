"""The scan summaries (XLSX and HTML) read from a scan database built here from real audits."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from auditor.pipeline import audit_file
from auditor.render.json import document_json
from auditor.render.summary import load_summary
from auditor.render.summary_html import write_summary_html
from auditor.render.summary_xlsx import write_summary_xlsx

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEED = FIXTURES / "seed" / "report.txt"
FORM = FIXTURES / "forms" / "proj-water-2023" / "report.docx"
EVIL = "评价/<script>alert(1)</script>&报告.txt"  # a path that must come out escaped

SCHEMA = """
CREATE TABLE documents(id INTEGER PRIMARY KEY, path TEXT, sha256 TEXT, rules_version TEXT,
  tool_version TEXT, status TEXT, error TEXT, kind TEXT, year INTEGER, pages INTEGER, unit TEXT,
  score_stated TEXT, score_expected TEXT, grade TEXT, errors INTEGER, warnings INTEGER,
  seconds REAL, finished_at TEXT, UNIQUE(path, rules_version));
CREATE TABLE findings(document_id INTEGER, rule TEXT, severity TEXT, holds INTEGER, message TEXT,
  stated TEXT, expected TEXT, page INTEGER, line INTEGER, part TEXT, evidence TEXT);
CREATE TABLE facts(document_id INTEGER, concept TEXT, subject TEXT, label TEXT, value TEXT,
  unit TEXT, page INTEGER, line INTEGER, text TEXT);
"""


def insert(conn: sqlite3.Connection, path: str, doc: dict[str, Any]) -> None:
    """One audited document as the scan writes it (the JSON contract, flattened)."""
    facts = {f["concept"]: f["value"] for f in doc["facts"] if not f.get("subject")}
    total = next((f for f in doc["findings"] if f["rule"] == "total-score"), None)
    severities = Counter(f["severity"] for f in doc["findings"])
    cur = conn.execute(
        "INSERT INTO documents(path, sha256, rules_version, tool_version, status, error, kind,"
        " year, pages, unit, score_stated, score_expected, grade, errors, warnings, seconds,"
        " finished_at) VALUES (?, '', 'r1', '0.1.0', 'ok', NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0.1,"
        " '2024-01-01T00:00:00')",
        (
            path,
            doc["kind"],
            doc["year"],
            doc["pages"],
            "某某单位",
            facts.get("score.total"),
            total["expected"] if total else facts.get("score.total"),
            facts.get("grade"),
            severities["error"],
            severities["warning"],
        ),
    )
    for f in doc["findings"]:
        place = f["evidence"][0] if f["evidence"] else {}
        conn.execute(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cur.lastrowid,
                f["rule"],
                f["severity"],
                None if f["holds"] is None else int(f["holds"]),
                f["message"],
                f["stated"],
                f["expected"],
                place.get("page"),
                place.get("line"),
                place.get("part"),
                json.dumps(f["evidence"], ensure_ascii=False),
            ),
        )
    for f in doc["facts"]:
        conn.execute(
            "INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cur.lastrowid,
                f["concept"],
                f.get("subject"),
                f["label"],
                f["value"],
                f["unit"],
                f.get("page"),
                f.get("line"),
                f["text"],
            ),
        )


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("summary") / "scan.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    insert(conn, EVIL, document_json(audit_file(SEED), show_all=False))
    insert(conn, "forms/proj-water-2023.docx", document_json(audit_file(FORM), show_all=False))
    conn.execute(
        "INSERT INTO documents(path, rules_version, status, error, kind, errors, warnings)"
        " VALUES ('坏文件/broken.pdf', 'r1', 'unreadable', '文件已损坏或不是PDF格式', 'unknown',"
        " 0, 0)"
    )
    conn.commit()
    conn.close()
    return path


@pytest.fixture(scope="module")
def rows(db: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    out = {
        "documents": conn.execute("SELECT path, errors, warnings FROM documents").fetchall(),
        "findings": conn.execute("SELECT rule, severity FROM findings").fetchall(),
    }
    conn.close()
    return out


@pytest.fixture(scope="module")
def workbook(db: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = write_summary_xlsx(db, tmp_path_factory.mktemp("xlsx") / "summary.xlsx")
    return load_workbook(out)


@pytest.fixture(scope="module")
def page(db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = write_summary_html(db, tmp_path_factory.mktemp("html") / "summary.html")
    return out.read_text(encoding="utf-8")


def test_the_db_has_an_error_document(rows: dict[str, Any]) -> None:
    assert any(errors for _, errors, _ in rows["documents"])
    assert len(rows["findings"]) >= 3


def test_xlsx_sheets(workbook: Any) -> None:
    assert workbook.sheetnames == ["报告", "问题", "规则统计"]


def test_xlsx_one_row_per_document(workbook: Any, rows: dict[str, Any]) -> None:
    ws = workbook["报告"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["文件", "单位", "年度", "类型"]
    assert "主要问题" in header and "状态/原因" in header
    paths = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(paths) == sorted(p for p, _, _ in rows["documents"])


@pytest.mark.parametrize("sheet", ["报告", "问题", "规则统计"])
def test_xlsx_frozen_header_and_filter(workbook: Any, sheet: str) -> None:
    ws = workbook[sheet]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    assert ws.column_dimensions["A"].width > 8


def test_xlsx_row_colors(workbook: Any) -> None:
    ws = workbook["报告"]
    header = [c.value for c in ws[1]]
    by_path = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    seed = by_path[EVIL]
    assert seed[header.index("错误")].value > 0
    assert seed[0].fill.fgColor.rgb == "FFFFCDD2"  # light red
    broken = by_path["坏文件/broken.pdf"]
    assert broken[0].fill.fgColor.rgb == "FFD9D9D9"  # grey
    assert "无法读取" in broken[header.index("状态/原因")].value
    top = seed[header.index("主要问题")].value
    assert top.count("\n") == 2  # the first three problems


def test_xlsx_findings_sheet(workbook: Any, rows: dict[str, Any]) -> None:
    ws = workbook["问题"]
    header = ("文件", "位置", "规则", "严重程度", "报告写", "应为", "说明")
    assert tuple(c.value for c in ws[1]) == header
    found = [r for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(found) == len(rows["findings"])
    assert Counter(r[2] for r in found) == Counter(rule for rule, _ in rows["findings"])
    assert all(r[1] and r[1].startswith("第") for r in found)


def test_xlsx_rule_counts(workbook: Any, rows: dict[str, Any]) -> None:
    ws = workbook["规则统计"]
    header = [c.value for c in ws[1]]
    got = {
        r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)
    }
    errors = Counter(rule for rule, sev in rows["findings"] if sev == "error")
    warnings = Counter(rule for rule, sev in rows["findings"] if sev == "warning")
    assert set(got) == set(errors) | set(warnings)
    for rule, row in got.items():
        assert row["错误数"] == errors[rule] and row["警告数"] == warnings[rule], rule
        assert 1 <= row["涉及报告数"] <= 2
    totals = [row["错误数"] + row["警告数"] for row in got.values()]
    assert totals == sorted(totals, reverse=True)


def test_html_table_one_row_per_document(page: str, rows: dict[str, Any]) -> None:
    body = page.split('<table class="reports"', 1)[1].split("<tbody>", 1)[1].split("</tbody>")[0]
    assert body.count("<tr") == len(rows["documents"])
    assert 'class="error"' in body and 'class="failed"' in body
    assert page.count("<th ") == 11 and "点击排序" in page


def test_html_charts(page: str) -> None:
    assert page.count("<svg") == 2
    assert 'class="chart-rules"' in page and 'class="chart-scores"' in page
    assert "<rect" in page


def test_html_self_contained(page: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and "@import" not in page


def test_html_escapes_document_text(page: str) -> None:
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;报告.txt" in page
    assert page.count("<script>") == 1  # only the sorting script


def test_summary_score_histogram_uses_recomputed_score(db: Path) -> None:
    summary = load_summary(db)
    scores = [d.score for d in summary.documents]
    assert scores.count(None) == 1  # the unreadable file
