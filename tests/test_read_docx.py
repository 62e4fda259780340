"""The DOCX reader: the same findings as the text of the same report, places in Word's own terms
(paragraph, table cell), merged cells once, nested tables read, and clear errors for files that
are not what their name says."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import FIXTURES, broken

from auditor.cli import main
from auditor.model import Document
from auditor.pipeline import Options, audit_file
from auditor.readers import ReadError, read_document
from auditor.readers.docx import run_pieces

STRICT = Options(strict=True)
SEED = FIXTURES / "seed"
FORMS = FIXTURES / "corpus-forms"
FORM_CASES = sorted(p.name for p in FORMS.iterdir() if p.is_dir())

# A 自评表 on a 9-column grid: "<" is covered by the cell to its left, "^" by the one above.
# Planted: 执行率 80.00% where 90/120 = 75.00%, and a 资金得分 of 8.00 where 10 × 75% = 7.50.
# Empty cells are written —, - and / as provinces do; none of them may draw a finding.
FORM = [
    ["项目名称", "<", "乡村道路养护", "<", "<", "<", "<", "<", "<"],
    [
        "项目资金\n(万元)",
        "",
        "<",
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "得分",
    ],
    ["^", "年度资金总额", "<", "100.00", "120.00", "90.00", "10", "80.00%", "8.00"],
    ["^", "其中:当年财政拨款", "<", "100.00", "120.00", "90.00", "—", "/", "-"],
    ["^", "上年结转资金", "<", "—", "-", "/", "—", "—", "—"],
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
    ["^", "产出指标(50分)", "数量指标", "养护里程", "≥20公里", "20公里", "25", "25", "/"],
    ["^", "^", "质量指标", "验收合格率", "100%", "100%", "25", "25", "—"],
    ["^", "效益指标(30分)", "社会效益指标", "通行时间缩短", "≥10%", "12%", "30", "30", "-"],
    ["^", "满意度指标(10分)", "服务对象满意度", "群众满意度", "≥90%", "95%", "10", "10", ""],
    ["总分", "<", "<", "<", "<", "<", "100", "98", "优"],
]
PLANTED = [("execution-rate", "80.00%"), ("execution-score", "8.00")]


def findings(audit) -> list[tuple[str, str]]:
    return sorted((f.rule, f.stated) for f in broken(audit))


def form_text(rows: list[list[str]]) -> str:
    """The form as a text file: rows read across, cells joined by " | ", merged positions empty."""
    return "\n".join(
        " | ".join("" if c in "<^" else c.replace("\n", "") for c in row) for row in rows
    )


def extent(rows: list[list[str]], r: int, c: int) -> tuple[int, int]:
    r2, c2 = r, c
    while c2 + 1 < len(rows[r]) and rows[r][c2 + 1] == "<":
        c2 += 1
    while r2 + 1 < len(rows) and rows[r2 + 1][c] == "^":
        r2 += 1
    return r2, c2


def fill_table(table, rows: list[list[str]]) -> None:
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text in ("<", "^"):
                continue
            cell = table.cell(r, c)
            first, *more = text.split("\n")  # a line of its own: a second paragraph in the cell
            cell.paragraphs[0].text = first
            for line in more:
                cell.add_paragraph(line)
            r2, c2 = extent(rows, r, c)
            if (r2, c2) != (r, c):
                cell.merge(table.cell(r2, c2))


def write_form(path: Path, nested: bool = False) -> Path:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "页眉 第1页 99.99%"
    document.add_paragraph("项目支出绩效自评表")
    if nested:  # a one-cell layout table around the form
        frame = document.add_table(rows=1, cols=1).cell(0, 0)
        fill_table(frame.add_table(rows=len(FORM), cols=len(FORM[0])), FORM)
    else:
        fill_table(document.add_table(rows=len(FORM), cols=len(FORM[0])), FORM)
    closing = document.add_paragraph("本项目预算执行率为")
    closing.add_run("75.00").bold = True
    closing.add_run("%，自评得分98分。")
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def form(tmp_path_factory) -> Path:
    return write_form(tmp_path_factory.mktemp("docx") / "form.docx")


@pytest.fixture(scope="module")
def form_document(form) -> Document:
    return read_document(form)


def origin_of(document: Document, needle: str, nth: int = 0):
    start = -1
    for _ in range(nth + 1):
        start = document.text.index(needle, start + 1)
    return document.origins[start]


# The same findings as the text ---------------------------------------------------------------


def test_seed_docx_finds_what_the_text_finds() -> None:
    as_text = audit_file(SEED / "report.txt", STRICT)
    as_docx = audit_file(SEED / "report.docx", STRICT)
    assert not as_docx.errors
    assert findings(as_docx) == findings(as_text)
    assert len(findings(as_docx)) == 5


def test_seed_evidence_points_at_paragraphs(capsys) -> None:
    assert main(["check", str(SEED / "report.docx"), "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)["documents"][0]
    by_rule = {f["rule"]: f for f in document["findings"]}
    rate = by_rule["project-execution-rate"]["evidence"]
    # 84.94% opens paragraph 55 (the page break cut it from its label in paragraph 54).
    assert rate[0]["part"] == "p55" and rate[0]["line"] == 55 and rate[0]["column"] == 1
    assert rate[0]["text"].endswith("84.94%")
    assert {e["part"] for e in rate[1:]} == {"p42"}  # 329.13 and 557.92
    label = by_rule["indicator-label"]["evidence"][0]
    assert label["part"] == "p59" and "政府采购执行率" in label["text"]


def test_seed_paragraphs_are_source_lines() -> None:
    document = read_document(SEED / "report.docx")
    origin = origin_of(document, "84.94%")
    line = next(s for s in document.lines if s.line == origin.line)
    assert line.text[origin.column :].startswith("84.94%")


@pytest.mark.parametrize("case", FORM_CASES)
def test_corpus_form_docx_finds_what_the_text_finds(case: str) -> None:
    as_text = audit_file(FORMS / case / "report.txt", STRICT)
    as_docx = audit_file(FORMS / case / "report.docx", STRICT)
    assert not as_docx.errors
    assert findings(as_docx) == findings(as_text) != []
    assert as_docx.facts.kind == as_text.facts.kind


# Tables: merged cells, nested tables, empty cells --------------------------------------------


def test_rows_are_as_wide_as_the_grid(form_document) -> None:
    (table,) = form_document.tables
    assert [len(row) for row in table.rows] == [9] * len(FORM)


def test_merged_cell_text_stands_once_at_its_top_left(form_document) -> None:
    text = form_document.text
    assert text.count("项目资金(万元)") == 1 and text.count("绩效指标") == 1
    assert text.count("乡村道路养护") == 1 and text.count("产出指标") == 1
    # The 一级指标 cell merged over two rows leaves the second row's position empty.
    row = next(line for line in text.splitlines() if "验收合格率" in line)
    assert row.split(" | ")[:3] == ["", "", "质量指标"]


def test_cell_places(form_document) -> None:
    origin = origin_of(form_document, "80.00%")
    assert origin.part == "t1.r3.c8.p1" and origin.column == 0
    # Two paragraphs in one cell: one cell text, the second paragraph placed as such.
    assert origin_of(form_document, "(万元)").part == "t1.r2.c1.p2"
    assert origin_of(form_document, "75.00").part == "p2"


def test_merged_and_placeholder_form_gives_the_text_findings(form, tmp_path) -> None:
    text = tmp_path / "form.txt"
    text.write_text(
        "项目支出绩效自评表\n" + form_text(FORM) + "\n本项目预算执行率为75.00%，自评得分98分。\n"
    )
    as_docx = audit_file(form, STRICT)
    assert findings(as_docx) == findings(audit_file(text, STRICT))
    assert set(PLANTED) <= set(findings(as_docx))
    placeholders = {"—", "-", "/"}
    assert not [f for f in broken(as_docx) if f.stated.strip() in placeholders]


def test_nested_table_is_read_after_its_row(tmp_path) -> None:
    nested = write_form(tmp_path / "nested.docx", nested=True)
    document = read_document(nested)
    assert origin_of(document, "80.00%").part == "t1.r1.c1.t1.r3.c8.p1"
    assert [len(t.rows) for t in document.tables] == [1, len(FORM)]
    assert set(PLANTED) <= set(findings(audit_file(nested, STRICT)))


def test_headers_are_left_out(form_document) -> None:
    assert "页眉" not in form_document.text and "99.99" not in form_document.text


def test_run_offsets_follow_from_the_paragraph(form) -> None:
    paragraph = docx.Document(str(form)).paragraphs[-1]._p
    pieces = list(run_pieces(paragraph))
    assert "".join(text for _, text, _ in pieces) == "本项目预算执行率为75.00%，自评得分98分。"
    starts: dict[int, int] = {}
    offset = 0
    for run, text, _ in pieces:
        starts.setdefault(run, offset)
        offset += len(text)
    assert starts == {0: 0, 1: 9, 2: 14}


def test_line_break_inside_a_paragraph_is_a_space(tmp_path) -> None:
    document = docx.Document()
    run = document.add_paragraph().add_run("全年执行数")
    run.add_break()
    run.add_text("90.00万元，分值10")
    run.add_break()
    run.add_text("8.00")
    path = tmp_path / "break.docx"
    document.save(str(path))
    # One line; the space goes next to Chinese text but keeps two figures apart.
    assert read_document(path).text == "全年执行数90.00万元,分值10 8.00\n"


# Files that are not what they say -----------------------------------------------------------


def zip_with(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def damaged_document(path: Path) -> Path:
    source = zipfile.ZipFile(FORMS / FORM_CASES[0] / "report.docx")
    members = {name: source.read(name) for name in source.namelist()}
    members["word/document.xml"] = b"<w:document xmlns:w='urn:x'><w:body><w:p>"
    return zip_with(path, members)


ERROR_CASES = {
    "truncated": (
        lambda p: p.write_bytes((FORMS / FORM_CASES[0] / "report.docx").read_bytes()[:20000]),
        "损坏",
    ),
    "random-bytes": (lambda p: p.write_bytes(bytes(range(256)) * 20), "损坏"),
    "other-zip": (lambda p: zip_with(p, {"notes.txt": b"hello"}), "不是 Word 或 Excel"),
    "damaged-xml": (damaged_document, "损坏"),
    "empty": (lambda p: docx.Document().save(str(p)), "没有文字"),
    "encrypted": (
        lambda p: p.write_bytes(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + bytes(500)
            + "EncryptedPackage".encode("utf-16-le")
        ),
        "加密",
    ),
    "old-doc": (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)), ".docx"),
}


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_unreadable_docx_is_a_read_error(name: str, tmp_path) -> None:
    make, reason = ERROR_CASES[name]
    path = tmp_path / "report.docx"
    make(path)
    with pytest.raises(ReadError, match=reason):
        read_document(path)


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_cli_exit_2_with_one_line_reason(name: str, tmp_path, capsys) -> None:
    make, reason = ERROR_CASES[name]
    path = tmp_path / "report.docx"
    make(path)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and reason in err and "Traceback" not in err


def test_excel_file_named_docx_is_read_as_excel(tmp_path) -> None:
    case = FORMS / "table-yunnan-2022-01-form"
    renamed = tmp_path / "report.docx"
    renamed.write_bytes((case / "report.xlsx").read_bytes())
    audit = audit_file(renamed, STRICT)
    assert not audit.errors
    assert findings(audit) == findings(audit_file(case / "report.txt", STRICT))
    assert audit.document.origin(audit.findings[0].position).part.startswith("自评表!")


def test_word_file_under_another_name(tmp_path) -> None:
    renamed = tmp_path / "report.bin"
    renamed.write_bytes((SEED / "report.docx").read_bytes())
    assert findings(audit_file(renamed, STRICT)) == findings(audit_file(SEED / "report.docx"))


def test_pages_follow_page_breaks(tmp_path) -> None:
    document = docx.Document()
    document.add_paragraph("一、预算执行情况")
    document.add_page_break()
    document.add_paragraph("全年预算数为2780.63万元,预算执行率为90.72%。")
    path = tmp_path / "pages.docx"
    document.save(str(path))
    read = read_document(path)
    assert read.pages == 2
    assert origin_of(read, "90.72%").page == 2 and origin_of(read, "一、").page == 1
