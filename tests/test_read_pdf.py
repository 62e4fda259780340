"""The PDF reader: same findings as the text, pages and boxes in evidence, tables as tables, and a
clear error for every file it cannot read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from auditor.model import Audit, Document
from auditor.pipeline import Options, audit_file
from auditor.readers import ReadError, read_document
from auditor.readers.normalize import fold
from auditor.readers.pdf import DAMAGED, ENCRYPTED, NO_TEXT, SIDEWAYS
from auditor.readers.pdf_flow import TextLine, decide_wraps
from auditor.readers.pdf_layout import Glyph, Line
from auditor.readers.pdf_tables import cell_line
from auditor.render.json import render_json

PDFS = FIXTURES / "pdf"
SEED_PDF = FIXTURES / "seed" / "report.pdf"
FORMS = sorted((PDFS / "corpus").glob("*.pdf"))
STRICT = Options(strict=True)


def slips(audit: Audit) -> set[tuple[str, str]]:
    return {(f.rule, f.stated) for f in audit.findings if f.holds is False}


def cells(document: Document, table: int) -> list[list[str]]:
    return [[document.text[c.start : c.end] for c in row] for row in document.tables[table].rows]


@pytest.mark.parametrize(
    "pdf",
    [SEED_PDF, PDFS / "tables.pdf", *FORMS],
    ids=lambda p: p.stem if p != SEED_PDF else "seed",
)
def test_same_findings_as_text(pdf: Path) -> None:
    found = slips(audit_file(pdf, STRICT))
    assert found
    assert found == slips(audit_file(pdf.with_suffix(".txt"), STRICT))


def test_seed_evidence_points_at_the_page_and_box() -> None:
    """84.94% stands on page 4, line 27 (counting every printed line of that page)."""
    payload = json.loads(render_json([audit_file(SEED_PDF, STRICT)], "test"))
    document = payload["documents"][0]
    assert document["pages"] == 6
    finding = next(f for f in document["findings"] if f["stated"] == "84.94%")
    stated = finding["evidence"][0]
    assert "84.94%" in stated["text"]
    assert (stated["page"], stated["line"]) == (4, 27)
    x0, top, x1, bottom = stated["box"]
    assert 80 < x0 < x1 < 200 and 600 < top < bottom < 650


def test_wrapped_lines_and_page_breaks_are_joined() -> None:
    """Every paragraph is one line, wherever the line breaker cut "1906.42万元"; the running
    header and the "第 N 页" footers are gone."""
    document = read_document(PDFS / "paragraphs.pdf")
    lines = document.text.splitlines()
    assert lines[0] == "一、预算执行情况"
    assert len(lines) == 31
    assert all("年初预算数为1906.42万元,全年执行数1850.30万元。" in line for line in lines[1:])
    assert "自评报告" not in document.text and "页" not in document.text
    assert document.pages == 3
    cut = [ln.text for ln in document.lines if ln.text.endswith(("万", "1906.42", "1850.30"))]
    assert cut, "the fixture no longer cuts a figure from its unit"
    last = document.text.rindex("认,")
    assert document.origin(last).page == 3


def test_table_across_pages_is_one_table() -> None:
    """The form runs from page 1 onto page 2 (a row split by the page break is joined); the
    项目明细 table repeats its header row on page 3, read once."""
    document = read_document(PDFS / "tables.pdf")
    assert len(document.tables) == 2
    form, details = cells(document, 0), cells(document, 1)
    expected = (PDFS / "tables.txt").read_text(encoding="utf-8").splitlines()
    assert [" | ".join(row) for row in form] == [fold(line) for line in expected[3 : 3 + len(form)]]
    assert {len(row) for row in form} == {9}
    assert ["", "", "成本指标", "维护总成本", "≤2872.68万元", "2780.63万元", "10", "10", ""] in form
    pages = {document.origins[c.start].page for row in document.tables[0].rows for c in row}
    assert pages == {1, 2}
    assert len(details) == 41 and details[0][0] == "序号"
    assert sum(row[0] == "序号" for row in details) == 1


def test_planted_table_slips_are_found() -> None:
    assert slips(audit_file(PDFS / "tables.pdf", STRICT)) == {
        ("execution-rate", "94.00%"),
        ("indicator-score-cap", "12"),
    }


@pytest.mark.parametrize("pdf", FORMS, ids=lambda p: p.stem)
def test_forms_read_as_tables(pdf: Path) -> None:
    """Rows as wide as the grid; a merged cell's text once, in its first position."""
    document = read_document(pdf)
    assert document.tables
    for table in document.tables:
        assert len({len(row) for row in table.rows}) == 1
    rows = [row for t in range(len(document.tables)) for row in cells(document, t)]
    header = next(row for row in rows if "全年预算数" in row)
    assert {"全年执行数", "执行率"} <= set(header)
    merged = next(row for row in rows if row[0] in ("项目名称", "预算部门、单位名称"))
    assert merged[1:].count("") == len(merged) - 2


def test_yunnan_wrapped_cells_are_joined() -> None:
    rows = cells(read_document(PDFS / "corpus" / "table-yunnan-2022-01-form.pdf"), 0)
    assert ["", "其中:当年财政拨款", "", "387664.62", "", "387664.62", "", "—", "", "—"] in rows
    assert any(row[2] == "营养改善计划覆盖率" for row in rows)


# ---------------------------------------------------------------- files that cannot be read


def write_encrypted(path: Path, user_password: str) -> Path:
    writer = PdfWriter()
    writer.append(PdfReader(PDFS / "paragraphs.pdf"))
    writer.encrypt(user_password=user_password, owner_password="owner")  # RC4: no crypto library
    writer.write(path)
    return path


def write_image_only(path: Path) -> Path:
    from PIL import Image  # a dependency of pdfplumber

    Image.new("RGB", (300, 400), "white").save(path)
    return path


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    data = (PDFS / "paragraphs.pdf").read_bytes()
    files = {
        "encrypted": write_encrypted(tmp_path / "encrypted.pdf", "secret"),
        "scanned": write_image_only(tmp_path / "scanned.pdf"),
        "truncated": tmp_path / "truncated.pdf",
        "garbage": tmp_path / "garbage.pdf",
        "random": tmp_path / "random.pdf",
    }
    files["truncated"].write_bytes(data[: len(data) // 2])
    files["garbage"].write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    files["random"].write_bytes(bytes((k * 37) % 256 for k in range(2048)))
    return files


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("encrypted", ENCRYPTED),
        ("scanned", NO_TEXT),
        ("truncated", DAMAGED),
        ("garbage", DAMAGED),
        ("random", "不是PDF格式"),
    ],
)
def test_unreadable_pdf_is_a_read_error(bad_files: dict[str, Path], name: str, reason: str) -> None:
    with pytest.raises(ReadError) as caught:
        read_document(bad_files[name])
    assert reason in caught.value.reason
    assert "\n" not in caught.value.reason


@pytest.mark.parametrize("name", ["encrypted", "scanned", "truncated", "random"])
def test_cli_exits_2_without_traceback(bad_files: dict[str, Path], name: str) -> None:
    path = bad_files[name]
    result = subprocess.run(
        [sys.executable, "-m", "auditor.cli", "check", str(path), "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr
    assert json.loads(result.stdout)["documents"][0]["errors"]


def test_empty_user_password_opens(tmp_path: Path) -> None:
    """Encrypted only against editing: opens without asking."""
    document = read_document(write_encrypted(tmp_path / "owner.pdf", ""))
    assert "1906.42万元" in document.text


def test_scanned_page_among_text_pages_is_reported(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.append(PdfReader(PDFS / "paragraphs.pdf"), pages=[0])
    writer.append(PdfReader(write_image_only(tmp_path / "scan.pdf")))
    writer.write(tmp_path / "mixed.pdf")
    document = read_document(tmp_path / "mixed.pdf")
    assert "1906.42万元" in document.text
    (note,) = document.errors  # with the OCR extra: found no text; without: how to install it
    assert note.startswith("第 2 页没有文字层（可能是扫描件）") and "未核对" in note


def test_pdf_under_another_name_is_read_as_pdf(tmp_path: Path) -> None:
    path = tmp_path / "report.bin"
    path.write_bytes((PDFS / "paragraphs.pdf").read_bytes())
    assert "1906.42万元" in read_document(path).text


# ---------------------------------------------------------------- pages turned, wraps decided


def turn(source: Path, path: Path, upright: bool) -> Path:
    """The pages turned by 90°: shown upright (content turned back, as a landscape page made by
    a PDF tool) or shown sideways."""
    writer = PdfWriter(clone_from=source)
    for page in writer.pages:
        if upright:
            page.rotate(270)
            page.transfer_rotation_to_content()
        page.rotate(90)
    writer.write(path)
    return path


def test_turned_page_shown_upright_reads_its_table(tmp_path: Path) -> None:
    """pdfplumber's own table finder finds nothing on this page; ours gets the rules right."""
    form = PDFS / "corpus" / "table-yunnan-2022-01-form.pdf"
    turned = read_document(turn(form, tmp_path / "turned.pdf", upright=True))
    assert cells(turned, 0) == cells(read_document(form), 0)


def test_sideways_page_is_named_not_taken_for_a_scan(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as caught:
        read_document(turn(PDFS / "paragraphs.pdf", tmp_path / "sideways.pdf", upright=False))
    assert caught.value.reason == SIDEWAYS


def glyph_line(text: str, x0: float, top: float, page: int = 1) -> TextLine:
    """A line of 12pt text: Chinese characters a full em wide, the rest half."""
    glyphs = []
    for ch in text:
        width = 12.0 if ord(ch) > 0x2000 else 6.0
        glyphs.append(Glyph(ch, x0, top, x0 + width, top + 12, 12.0))
        x0 += width
    return TextLine(page, Line(glyphs, 1), 842.0)


BODY = "部门预算资金使用符合国家法规和财务管理制度预算资金拨付有完整的审批程序"  # 36 em


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (BODY, "和手续。", True),  # a full line
        (BODY[:-2] + "为", "1906.42万元", True),  # "1906.42" would not have fitted
        (BODY[:-5] + "为", "元，其中", False),  # "元，" would have fitted: ended by hand …
        ("本次评价项目支出预算执行率", "84.94%，该指标", True),  # … unless a figure follows
        ("预算安排情况如下：", "我单位年初预算数", True),  # a colon ends no sentence
        ("（一）基本支出", "2023年本单位基本支出", False),  # a heading ends its line
        (BODY, "  我单位年初预算数", False),  # the next paragraph is indented
        (BODY[:-12] + "。", "我单位年初预算数", False),  # a paragraph's last line
    ],
    ids=["full", "figure-too-wide", "short", "figure-follows", "colon", "heading", "indent", "end"],
)
def test_wrap_decisions(first: str, second: str, expected: bool) -> None:
    upper = glyph_line(first, 90.0, 100.0)
    indent = len(second) - len(second.lstrip())
    lower = glyph_line(second.lstrip(), 90.0 + 12 * indent, 116.0)
    filler = [glyph_line(BODY, 90.0, 132.0 + 16 * k) for k in range(3)]  # the margins and pitch
    assert decide_wraps([upper, lower, *filler])[0] is expected


# ---------------------------------------------------------------- damaged files, found by fuzzing


def test_cell_whose_first_line_is_blank() -> None:
    """A cell whose first line held only a space glyph crashed the cell joiner (a damaged form)."""
    blank = Glyph(" ", 60.0, 100.0, 63.0, 110.0, 10.0, line=1)
    digit = Glyph("8", 60.0, 112.0, 65.0, 122.0, 10.0, line=2)
    cell, _ = cell_line([blank, digit], (55.0, 98.0, 120.0, 124.0), 1, 1, 5.0)
    assert cell.text == "8"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_damaged_pdf_reads_or_fails_cleanly(tmp_path: Path, data: st.DataObject) -> None:
    """Bytes changed anywhere after the header, or the file cut short: a Document or a ReadError,
    never another exception."""
    original = (PDFS / "tables.pdf").read_bytes()
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 40))):
        damaged[data.draw(st.integers(16, len(original) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(original) // 4, len(original)))
    path = tmp_path / "damaged.pdf"
    path.write_bytes(bytes(damaged[:cut]))
    try:
        read_document(path)
    except ReadError as error:
        assert error.reason and "\n" not in error.reason
