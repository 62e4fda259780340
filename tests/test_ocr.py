"""Scanned reports: a PDF page without a text layer is read by offline OCR (the `ocr` extra).

The scanned seed report (fixtures/scanned/report.pdf, made by make_scanned.py from the seed's
PDF) must give the seed's slips, marked as read by OCR; without the extra, a scanned file is
an error that says how to install it. The OCR itself runs once per session (~30 s on two
cores): the reader keeps each page's result for the rest of the process."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
from pathlib import Path

import pdfplumber
import pytest
from conftest import FIXTURES

from auditor.cli import main
from auditor.pipeline import Options, audit_file
from auditor.readers import read_document
from auditor.readers.ocr import TextBox, box_glyphs, clean_text, page_glyphs
from auditor.render.excerpt import locate
from auditor.render.html import render_html
from auditor.render.text import render_text

SCANNED = FIXTURES / "scanned" / "report.pdf"
SEED_PDF = FIXTURES / "seed" / "report.pdf"
GOLDEN = Path(__file__).resolve().parent / "golden" / "seed.json"
CAVEAT = "（扫描页经 OCR 识别，数字可能误读，请核对原件）"
HAS_OCR = importlib.util.find_spec("rapidocr_onnxruntime") is not None
needs_ocr = pytest.mark.skipif(
    not HAS_OCR, reason="the OCR extra is not installed: pip install '.[ocr]'"
)


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------ what OCR misreads, undone


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("完成率为58。99%", "完成率为58.99%"),  # a decimal point read as 。
        ("执行率90·72%", "执行率90.72%"),
        ("1O0%", "100%"),  # the letter O for a zero
        ("2O23年", "2023年"),
        ("2l.5万元", "21.5万元"),  # the letter l for a one
        ("管理丶资产管理", "管理、资产管理"),  # a radical for the enumeration comma
        ("自评得分8分°", "自评得分8分。"),  # a degree sign for the full stop
    ],
)
def test_figure_misreads_are_undone(read: str, meant: str) -> None:
    assert clean_text(read) == meant


@pytest.mark.parametrize(
    "text",
    [
        "气温25°",  # a real degree sign
        "得分为8。2023年",  # a sentence ending in a figure, the next starting with a year
        "GDP增长O型",  # letters that are not between digits
        "买买提·艾力",  # a name's separator
    ],
)
def test_what_is_not_a_misread_stays(text: str) -> None:
    assert clean_text(text) == text


def test_characters_share_their_box_by_width() -> None:
    """A Chinese character is one em, a digit half: the figure's glyphs stand where it was."""
    box = TextBox("执行2780.63万元", 100.0, 50.0, 100.0 + 4 * 12 + 7 * 6, 62.0, 0.99)
    glyphs = box_glyphs(box, 12.0)
    assert "".join(g.text for g in glyphs) == box.text
    assert [round(g.x0, 1) for g in glyphs[:4]] == [100.0, 112.0, 124.0, 130.0]
    assert glyphs[-1].x1 == pytest.approx(box.x1)
    assert all(g.top == 50.0 and g.bottom == 62.0 for g in glyphs)


def test_body_lines_share_one_size_and_a_title_keeps_its_own() -> None:
    """OCR box heights vary from line to line; wraps are judged on font sizes, so the body's
    lines get the page's usual size, measured by their Chinese characters' width."""
    title = TextBox("绩效自评报告", 200, 60, 200 + 6 * 22, 82, 0.9)
    body = [
        TextBox("本单位年初预算数为二千万元整", 90, top, 90 + 14 * em, top + height, 0.9)
        for top, em, height in ((100, 12.1, 12.5), (116, 11.8, 14.0), (132, 12.0, 11.0))
    ]
    glyphs = page_glyphs((title, *body))
    assert [round(g.size, 6) for g in glyphs if g.top < 100] == [22.0] * 6
    (size,) = {g.size for g in glyphs if g.top >= 100}  # one size for the three lines
    assert size == pytest.approx(12.0, abs=0.2)


def test_a_huge_page_is_rendered_no_larger_than_the_recogniser_reads(tmp_path: Path) -> None:
    """A page 300 × 400 inches (a 1-dpi image): rendered at 150 dpi it would take 2.7 GB."""
    from PIL import Image

    from auditor.readers.ocr import MAX_SIDE, render_page

    huge = tmp_path / "huge.pdf"
    Image.new("L", (300, 400), 255).save(huge, resolution=1.0)
    image, zoom = render_page(huge, 0)
    assert abs(max(image.shape) - MAX_SIDE) <= 1 and zoom == pytest.approx(MAX_SIDE / (400 * 72))
    image, zoom = render_page(SCANNED, 0)  # a letter page: 150 dpi
    assert abs(image.shape[0] - 1650) <= 1 and abs(image.shape[1] - 1275) <= 1
    assert zoom == pytest.approx(150 / 72)


# ------------------------------------------------------------------ without the extra


@pytest.fixture
def no_ocr_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if rapidocr_onnxruntime were not installed: importing it fails."""
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)


def test_without_the_extra_a_scan_needs_ocr(no_ocr_extra: None) -> None:
    code, out, err = run_cli("check", str(SCANNED), "--format", "json")
    assert code == 2
    assert "Traceback" not in err
    assert str(SCANNED) in err
    assert "没有文字层（可能是扫描件），需要 OCR" in err
    assert "pip install 'auditor[ocr]'" in err
    assert len(err.strip().splitlines()) == 1
    document = json.loads(out)["documents"][0]
    assert document["findings"] == [] and "需要 OCR" in document["errors"][0]


def test_without_the_extra_a_scanned_page_among_text_pages_is_listed(
    no_ocr_extra: None, tmp_path: Path
) -> None:
    from pypdf import PdfReader, PdfWriter

    mixed = tmp_path / "mixed.pdf"
    writer = PdfWriter()
    writer.append(PdfReader(SEED_PDF), pages=[0])
    writer.append(PdfReader(SCANNED), pages=[1])
    writer.write(mixed)
    document = read_document(mixed)
    assert "乌鲁木齐" in document.text and not document.ocr_pages
    assert document.errors == (
        "第 2 页没有文字层（可能是扫描件），未核对"
        "（需要 OCR：请安装 OCR 扩展（pip install 'auditor[ocr]'）后再核对）",
    )


@needs_ocr
def test_an_engine_that_cannot_load_is_a_read_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under `auditor scan --memory 1024` the engine (about 1.5 GB mapped) cannot load: the
    file is unreadable with the reason, never a traceback."""
    from auditor.readers import ocr

    def out_of_memory(factory):
        raise MemoryError

    monkeypatch.setattr(ocr, "make_engine", out_of_memory)
    code, _, err = run_cli("check", str(SCANNED))
    assert code == 2 and "Traceback" not in err
    assert "OCR 识别失败（MemoryError：可能是内存不足，OCR 约需 2 GB）" in err


# ------------------------------------------------------------------ with the extra


@pytest.fixture(scope="module")
def scanned_json(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, Path]:
    """`auditor check` on the scanned seed, once: exit status, JSON document, marked-up copy."""
    marked = tmp_path_factory.mktemp("ocr") / "marked.pdf"
    code, out, _ = run_cli("check", str(SCANNED), "--format", "json", "--annotate", str(marked))
    return code, json.loads(out)["documents"][0], marked


def broken_pairs(findings: list[dict]) -> set[tuple[str, str]]:
    return {
        (f["rule"], f["stated"])
        for f in findings
        if f["holds"] is False and f["severity"] in ("error", "warning")
    }


@needs_ocr
def test_scanned_seed_gives_the_seed_slips_and_no_other(scanned_json) -> None:
    """The five slips of the seed (tests/golden/seed.json, from its text); at least four
    must be found, and nothing else: a finding only the scan gives would be OCR's doing."""
    code, document, _ = scanned_json
    seed = broken_pairs(json.loads(GOLDEN.read_text(encoding="utf-8"))["findings"])
    found = broken_pairs(document["findings"])
    assert len(seed) == 5
    assert len(found & seed) >= 4, sorted(seed - found)
    assert found - seed == set()
    assert code == 1  # the two arithmetic errors keep their severity
    assert document["errors"] == []
    assert document["ocr_pages"] == [1, 2, 3, 4, 5, 6]


@needs_ocr
def test_scanned_key_figures_are_read_and_marked(scanned_json) -> None:
    _, document, _ = scanned_json
    facts = {(f["concept"], f["value"]) for f in document["facts"]}
    for pair in [
        ("budget.initial", "2872.68"),
        ("budget.adjusted", "2780.63"),
        ("spending.total", "2522.66"),
        ("execution.rate", "90.72"),
        ("execution.rate.project", "84.94"),
        ("score.total", "84.41"),
    ]:
        assert pair in facts
    assert all(f.get("ocr") is True for f in document["facts"])


@needs_ocr
def test_findings_on_ocr_figures_say_so(scanned_json) -> None:
    _, document, _ = scanned_json
    shown = [f for f in document["findings"] if f["holds"] is False]
    assert shown
    for finding in shown:
        assert finding["message"].endswith(CAVEAT)
        assert finding["detail"]["ocr"] == "true"
        assert all(ev["ocr"] is True for ev in finding["evidence"])


@needs_ocr
def test_text_and_html_output_say_the_pages_were_read_by_ocr(scanned_json) -> None:
    audit = audit_file(SCANNED)  # the pages' OCR is kept from the fixture's run
    text = render_text([audit])
    assert CAVEAT in text
    assert "第 1、2、3、4、5、6 页为扫描件，由 OCR 识别" in text.splitlines()[-1]
    page = render_html([audit], "test")
    assert CAVEAT in page and "由 OCR 识别（数字请核对原件）" in page
    english = render_text([audit_file(SCANNED, Options(lang="en"))], lang="en")
    assert "read by OCR from a scanned page" in english
    assert "pages 1, 2, 3, 4, 5, 6 are scanned" in english


@needs_ocr
def test_an_ocr_figure_points_near_its_place_on_the_page(scanned_json) -> None:
    """Each character's box is its share of the OCR line's box: the stated figure of every
    finding lies within a character of where the seed's text layer has it."""
    scanned, seed = audit_file(SCANNED), audit_file(SEED_PDF)

    def places(audit) -> dict[str, dict]:
        return {
            f.rule: locate(audit.document, f.evidence[0].start)
            for f in audit.findings
            if f.holds is False
        }

    ocr, text = places(scanned), places(seed)
    assert ocr.keys() == text.keys()
    for rule, place in ocr.items():
        assert place["page"] == text[rule]["page"]
        assert abs(place["box"][0] - text[rule]["box"][0]) < 12, rule
        assert abs(place["box"][1] - text[rule]["box"][1]) < 6, rule


@needs_ocr
def test_the_scanned_pdf_gets_its_highlights(scanned_json) -> None:
    from pypdf import PdfReader

    _, document, marked = scanned_json
    pages = [
        number
        for number, page in enumerate(PdfReader(marked).pages, 1)
        for ref in page.get("/Annots") or []
        if ref.get_object()["/Subtype"] == "/Highlight"
    ]
    assert sorted(pages) == sorted(
        f["evidence"][0]["page"] for f in document["findings"] if f["holds"] is False
    )


def load_maker():
    spec = importlib.util.spec_from_file_location(
        "make_scanned", FIXTURES / "scanned" / "make_scanned.py"
    )
    assert spec and spec.loader
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    return maker


@needs_ocr
def test_a_scanned_form_is_read_as_tables(tmp_path: Path) -> None:
    """The ruled 自评表 of fixtures/pdf/tables.pdf (pages 1–2: one table across the page
    break, its two planted slips), scanned: the ruling lines found in the image make the same
    grid as the text layer's, and the same slips are found."""
    from pypdf import PdfReader, PdfWriter

    typed = tmp_path / "form.pdf"
    writer = PdfWriter()
    writer.append(PdfReader(FIXTURES / "pdf" / "tables.pdf"), pages=[0, 1])
    writer.write(typed)
    scanned = load_maker().write_scanned(typed, tmp_path / "form-scanned.pdf")
    expected, got = audit_file(typed), audit_file(scanned)
    assert got.document and expected.document and got.document.ocr_pages == (1, 2)

    def shape(audit) -> list[list[int]]:
        return [[len(row) for row in table.rows] for table in audit.document.tables]

    assert shape(got) == shape(expected)
    slips = broken_pairs([vars_of(f) for f in expected.findings])
    assert len(slips) == 2
    assert broken_pairs([vars_of(f) for f in got.findings]) == slips


def vars_of(finding) -> dict:
    return {
        "rule": finding.rule,
        "stated": finding.stated,
        "holds": finding.holds,
        "severity": finding.severity,
    }


# ------------------------------------------------------------------ the fixture's maker


def test_make_scanned_writes_an_image_only_pdf(tmp_path: Path) -> None:
    out = load_maker().write_scanned(SEED_PDF, tmp_path / "scan.pdf")
    with pdfplumber.open(out) as pdf, pdfplumber.open(SEED_PDF) as seed:
        assert len(pdf.pages) == len(seed.pages)
        assert all(not page.chars and len(page.images) == 1 for page in pdf.pages)
        assert pdf.pages[0].width == pytest.approx(seed.pages[0].width)
