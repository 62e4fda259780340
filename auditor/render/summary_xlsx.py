"""The scan summary as a workbook an auditor can sort and filter (openpyxl).

Sheets: 报告 (one row per document, colored by its worst finding), 问题 (one row per finding),
规则统计 (per rule: errors, warnings, reports; most frequent first).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from auditor.render.summary import SEVERITY_NAMES, Summary, load_summary

REPORT_HEADER = (
    "文件",
    "单位",
    "年度",
    "类型",
    "综合得分(报告写)",
    "综合得分(重算)",
    "等级",
    "错误",
    "警告",
    "状态/原因",
    "主要问题",
)
FINDING_HEADER = ("文件", "位置", "规则", "严重程度", "报告写", "应为", "说明")
RULE_HEADER = ("规则", "错误数", "警告数", "合计", "涉及报告数")

FILLS = {
    "error": PatternFill("solid", start_color="FFFFCDD2", end_color="FFFFCDD2"),  # light red
    "warning": PatternFill("solid", start_color="FFFFF2CC", end_color="FFFFF2CC"),  # light yellow
    "failed": PatternFill("solid", start_color="FFD9D9D9", end_color="FFD9D9D9"),  # grey
}
HEADER_FILL = PatternFill("solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
MAX_WIDTH = 60
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


def display_width(value: object) -> int:
    """Columns a value takes on screen: CJK characters count twice."""
    if value is None:
        return 0
    longest = 0
    for line in str(value).splitlines() or [""]:
        longest = max(
            longest, sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
        )
    return longest


def clean(value: object) -> object:
    """A cell value openpyxl accepts: strings without the control characters XML forbids."""
    if isinstance(value, str):
        return "".join(c for c in value if c in "\t\n\r" or ord(c) >= 32)
    return value


def fill_sheet(ws: Worksheet, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    ws.append(list(header))
    for row in rows:
        ws.append([clean(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    ws.freeze_panes = "A2"
    last = get_column_letter(len(header))
    ws.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 1)}"
    for i, name in enumerate(header, start=1):
        widest = max([display_width(name) + 4, *(display_width(r[i - 1]) for r in rows)])
        ws.column_dimensions[get_column_letter(i)].width = min(widest + 2, MAX_WIDTH)
    for row_cells in ws.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = WRAP if isinstance(cell.value, str) else TOP


def report_rows(summary: Summary) -> list[list[object]]:
    return [
        [
            d.path,
            d.unit,
            d.year,
            d.kind_name,
            d.score_stated,
            d.score_expected,
            d.grade,
            d.errors,
            d.warnings,
            d.state,
            "\n".join(f"{i}. {m}" for i, m in enumerate(d.top_findings, start=1)),
        ]
        for d in summary.documents
    ]


def finding_rows(summary: Summary) -> list[list[object]]:
    return [
        [
            f.path,
            f.place,
            f.rule,
            SEVERITY_NAMES.get(f.severity, f.severity),
            f.stated,
            f.expected,
            f.message,
        ]
        for f in summary.findings
    ]


def write_summary_xlsx(db_path: str | Path, out_path: str | Path) -> Path:
    """Write the summary workbook of a scan database; returns the path written."""
    summary = load_summary(db_path)
    wb = Workbook()
    reports = wb.active
    assert reports is not None
    reports.title = "报告"
    fill_sheet(reports, REPORT_HEADER, report_rows(summary))
    for row, doc in enumerate(summary.documents, start=2):
        color = FILLS.get(doc.severity)
        if color is not None:
            for cell in reports[row]:
                cell.fill = color

    findings = wb.create_sheet("问题")
    fill_sheet(findings, FINDING_HEADER, finding_rows(summary))
    for row, finding in enumerate(summary.findings, start=2):
        color = FILLS.get(finding.severity) if finding.is_problem else None
        if color is not None:
            findings.cell(row=row, column=4).fill = color

    rules = wb.create_sheet("规则统计")
    fill_sheet(
        rules,
        RULE_HEADER,
        [[c.rule, c.errors, c.warnings, c.total, c.documents] for c in summary.rule_counts()],
    )

    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
