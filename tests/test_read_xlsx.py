"""The XLSX reader: the same findings as the text of the same form, figures as Excel shows them
(number formats, trailing zeros), places as sheet!cell, merged cells once, hidden sheets left out,
clear errors for damaged files."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import FIXTURES, broken

from auditor.cli import main
from auditor.model import Document
from auditor.pipeline import Options, audit_file
from auditor.readers import ReadError, read_document
from auditor.readers.xlsx import format_number

STRICT = Options(strict=True)
FORMS = FIXTURES / "corpus-forms"
FORM_CASES = sorted(p.name for p in FORMS.iterdir() if p.is_dir())
PERCENT, MONEY, WHOLE = "0.00%", "0.00", "0"

# (cells from column A, merged ranges); a number is written with the format beside it.
# Planted: 执行率 80.00% where 90/120 = 75.00%, and a 资金得分 of 8.00 where 10 × 75% = 7.50.
ROWS: list[list[object]] = [
    ["项目支出绩效自评表"],
    ["项目名称", None, "乡村道路养护"],
    [
        "项目资金\n(万元)",
        None,
        None,
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "得分",
    ],
    [
        None,
        "年度资金总额",
        None,
        (100, MONEY),
        (120, MONEY),
        (90, MONEY),
        (10, WHOLE),
        (0.8, PERCENT),
        (8, MONEY),
    ],
    [None, "其中:当年财政拨款", None, (100, MONEY), (120, MONEY), (90, MONEY), "—", "/", "-"],
    [None, "上年结转资金", None, "—", "-", "/", "—", "—", "—"],
    [
        "绩效指标",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因",
    ],
    [
        None,
        "产出指标(50分)",
        "数量指标",
        "养护里程",
        "=20公里",
        "20公里",
        (25, WHOLE),
        (25, WHOLE),
        "/",
    ],
    [None, None, "质量指标", "验收合格率", (1, "0%"), (1, "0%"), (25, WHOLE), (25, WHOLE), "—"],
    [
        None,
        "效益指标(30分)",
        "社会效益指标",
        "通行时间缩短",
        "≥10%",
        (0.12, "0%"),
        (30, WHOLE),
        (30, WHOLE),
        "-",
    ],
    [
        None,
        "满意度指标(10分)",
        "服务对象满意度",
        "群众满意度",
        "≥90%",
        (0.95, "0%"),
        (10, WHOLE),
        (10, WHOLE),
        "=H4*2",
    ],
    ["总分", None, None, None, None, None, (100, WHOLE), (98, WHOLE), "优"],
]
MERGES = [
    "A1:I1",
    "A2:B2",
    "C2:I2",
    "A3:A6",
    "B3:C3",
    "B4:C4",
    "B5:C5",
    "B6:C6",
    "A7:A11",
    "B8:B9",
    "A12:F12",
]
PLANTED = [("execution-rate", "80.00%"), ("execution-score", "8.00")]


def write_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "自评表"
    for r, row in enumerate(ROWS, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, tuple):
                cell = sheet.cell(r, c, value[0])
                cell.number_format = value[1]
            elif value is not None:
                sheet.cell(r, c, value)
    for merged in MERGES:
        sheet.merge_cells(merged)
    hidden = book.create_sheet("底稿")
    hidden["A1"] = "底稿执行率 99.99%"
    hidden.sheet_state = "hidden"
    notes = book.create_sheet("My Notes")
    notes["A1"] = "本项目预算执行率为75.00%，自评得分98分。"
    book.save(path)
    return path


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    return write_workbook(tmp_path_factory.mktemp("xlsx") / "form.xlsx")


@pytest.fixture(scope="module")
def workbook_document(workbook) -> Document:
    return read_document(workbook)


def findings(audit) -> list[tuple[str, str]]:
    return sorted((f.rule, f.stated) for f in broken(audit))


def origin_of(document: Document, needle: str):
    return document.origins[document.text.index(needle)]


@pytest.mark.parametrize("case", FORM_CASES)
def test_corpus_form_xlsx_finds_what_the_text_finds(case: str) -> None:
    as_text = audit_file(FORMS / case / "report.txt", STRICT)
    as_xlsx = audit_file(FORMS / case / "report.xlsx", STRICT)
    assert not as_xlsx.errors
    assert findings(as_xlsx) == findings(as_text) != []
    assert as_xlsx.facts.kind == as_text.facts.kind


def test_percent_and_decimals_as_excel_shows_them() -> None:
    document = read_document(FORMS / "table-hunan-2023-01-form" / "report.xlsx")
    assert "108.70%" in document.text  # 1.087 formatted 0.00%
    assert "874.20" in document.text and "27.00" in document.text  # 0.00 keeps its zeros


def test_text_written_as_a_formula_is_shown_as_written() -> None:
    # The anhui form's targets "=8个" were stored as formulas with no result.
    document = read_document(FORMS / "table-anhui-2022-01-form" / "report.xlsx")
    assert "=8个" in document.text and "=42个" in document.text


def test_planted_slips_found_and_placeholders_quiet(workbook) -> None:
    audit = audit_file(workbook, STRICT)
    assert set(PLANTED) <= set(findings(audit))
    assert not [f for f in broken(audit) if f.stated.strip() in {"—", "-", "/"}]


def test_cells_placed_by_sheet_and_cell(workbook_document) -> None:
    origin = origin_of(workbook_document, "80.00%")
    assert (origin.part, origin.page, origin.line, origin.column) == ("自评表!H4", 1, 4, 0)
    note = origin_of(workbook_document, "本项目预算执行率")
    assert (note.part, note.page, note.line) == ("'My Notes'!A1", 3, 1)


def test_rows_are_as_wide_as_the_used_columns(workbook_document) -> None:
    (table,) = workbook_document.tables
    assert {len(row) for row in table.rows} == {9}
    assert workbook_document.text.count("项目资金(万元)") == 1
    assert workbook_document.text.count("产出指标") == 1


def test_titles_are_lines_not_rows(workbook_document) -> None:
    assert workbook_document.text.startswith("项目支出绩效自评表\n")


def test_hidden_sheets_and_uncalculated_formulas_left_out(workbook_document) -> None:
    assert "99.99" not in workbook_document.text
    assert "H4*2" not in workbook_document.text


@pytest.mark.parametrize(
    "value,number_format,shown",
    [
        (874.2, "0.00", "874.20"),
        (27, "0.00", "27.00"),
        (1.087, "0.00%", "108.70%"),
        (1, "0%", "100%"),
        (0.98, "0%", "98%"),
        (1234.5, "#,##0.00", "1,234.50"),
        (12, '0.00"万元"', "12.00万元"),
        (-5, "0.00;[Red]\\(0.00\\)", "(5.00)"),
        (0, '#,##0.00;-#,##0.00;"-"', "-"),
        (0.30000000000000004, "General", "0.3"),
        (10.0, "General", "10"),
        (132.912, "0.000", "132.912"),
        (2.675, "0.00", "2.68"),  # half away from zero, as Excel rounds
        (387664.62, "0.00_ ", "387664.62"),
        (float("inf"), "0.00", ""),  # not a number Excel can hold
        (1.5, "0." + "0" * 40, "1.5"),  # more decimals than anyone prints
        (45000, "yyyy-mm-dd", "45000"),  # a date format openpyxl did not turn into a date
    ],
)
def test_number_formats(value: float, number_format: str, shown: str) -> None:
    assert format_number(value, number_format) == shown


def test_word_file_named_xlsx_is_read_as_word(tmp_path) -> None:
    case = FORMS / "table-yunnan-2022-01-form"
    renamed = tmp_path / "report.xlsx"
    renamed.write_bytes((case / "report.docx").read_bytes())
    assert findings(audit_file(renamed, STRICT)) == findings(audit_file(case / "report.txt"))


def test_empty_workbook(tmp_path) -> None:
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(ReadError, match="没有内容"):
        read_document(path)


@pytest.mark.parametrize(
    "content,reason",
    [
        ((FORMS / "table-yunnan-2022-01-form" / "report.xlsx").read_bytes()[:3000], "损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), ".xls"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "加密"),
    ],
    ids=["truncated", "old-xls", "encrypted"],
)
def test_unreadable_xlsx(content: bytes, reason: str, tmp_path, capsys) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=reason):
        read_document(path)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and reason in err and "Traceback" not in err
