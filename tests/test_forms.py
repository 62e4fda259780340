"""Table-form fixtures (fixtures/forms, written by make_forms.py): in every format, every planted
slip is found and nothing else, the formats agree, and each finding points into the table.

Each form folder holds report.{txt,docx,xlsx,pdf} and expected.yaml: the planted slips as
{rule, stated} (a finding about a relation that does not hold, error or warning). An entry with
`xfail` (the reason) is a slip the tool still misses: its test is a strict xfail. An entry under
`false_alarms` (with `xfail`) is a finding the tool makes though the relation holds."""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, STRICT

from auditor.model import Audit, Finding
from auditor.pipeline import audit_file
from auditor.render.excerpt import locate

FORMS_DIR = FIXTURES / "forms"
FORMS = sorted(p.name for p in FORMS_DIR.iterdir() if (p / "expected.yaml").is_file())
FORMATS = ("txt", "docx", "xlsx", "pdf")
READERS = {
    "docx": "auditor.readers.docx",
    "xlsx": "auditor.readers.xlsx",
    "pdf": "auditor.readers.pdf",
}


def reader_missing(fmt: str) -> str:
    """Why a format cannot be tested yet ("" when it can)."""
    module = READERS.get(fmt)
    if module and importlib.util.find_spec(module) is None:
        return f"{module} is not written yet"
    return ""


def source(form: str, fmt: str) -> Path:
    return FORMS_DIR / form / f"report.{fmt}"


@cache
def expected(form: str) -> dict[str, Any]:
    data = yaml.safe_load((FORMS_DIR / form / "expected.yaml").read_text(encoding="utf-8"))
    return {"slips": data.get("slips") or [], "false_alarms": data.get("false_alarms") or []}


@cache
def audit(form: str, fmt: str) -> Audit:
    if why := reader_missing(fmt):
        pytest.skip(why)
    path = source(form, fmt)
    if not path.is_file():
        pytest.skip(f"{path.name} not generated (make_forms.py --pdf needs LibreOffice)")
    result = audit_file(path, STRICT)
    assert not result.errors, result.errors
    return result


def broken(a: Audit) -> list[Finding]:
    return [f for f in a.findings if f.holds is False and f.severity in ("error", "warning")]


def found(form: str, fmt: str) -> set[tuple[str, str]]:
    return {(f.rule, f.stated) for f in broken(audit(form, fmt))}


def key(entry: dict[str, Any]) -> tuple[str, str]:
    return entry["rule"], str(entry["stated"])


def cases(kind: str) -> list:
    """One param per (form, format, entry), a strict xfail when the entry says so."""
    params = []
    for form in FORMS:
        for entry in expected(form)[kind]:
            for fmt in FORMATS:
                marks = (
                    [pytest.mark.xfail(strict=True, reason=entry["xfail"])]
                    if "xfail" in entry
                    else []
                )
                rule, stated = key(entry)
                params.append(
                    pytest.param(form, fmt, entry, id=f"{form}-{fmt}-{rule}-{stated}", marks=marks)
                )
    return params


def per_form_format() -> list:
    return [pytest.param(form, fmt, id=f"{form}-{fmt}") for form in FORMS for fmt in FORMATS]


@pytest.mark.parametrize(("form", "fmt", "entry"), cases("slips"))
def test_planted_slip_found(form: str, fmt: str, entry: dict[str, Any]) -> None:
    assert key(entry) in found(form, fmt), entry["why"]


@pytest.mark.parametrize(("form", "fmt", "entry"), cases("false_alarms"))
def test_known_false_alarm_gone(form: str, fmt: str, entry: dict[str, Any]) -> None:
    assert key(entry) not in found(form, fmt), entry.get("why", "")


@pytest.mark.parametrize(("form", "fmt"), per_form_format())
def test_nothing_else(form: str, fmt: str) -> None:
    known = {key(e) for kind in ("slips", "false_alarms") for e in expected(form)[kind]}
    extra = [
        f"{f.rule} {f.stated}: {f.message}"
        for f in broken(audit(form, fmt))
        if (f.rule, f.stated) not in known
    ]
    assert extra == []


@pytest.mark.parametrize("form", FORMS)
def test_same_findings_in_every_format(form: str) -> None:
    """The same report as .txt, .docx, .xlsx and .pdf gives the same (rule, stated) set."""
    ready = [fmt for fmt in FORMATS if not reader_missing(fmt) and source(form, fmt).is_file()]
    if len(ready) < 2:
        pytest.skip("only the txt reader is there yet")
    sets = {fmt: found(form, fmt) for fmt in ready}
    differ = {fmt: sorted(s ^ sets["txt"]) for fmt, s in sets.items() if s != sets["txt"]}
    assert differ == {}


# ---------------------------------------------------------------- where findings point


def figure(text: str) -> Decimal | None:
    try:
        return Decimal(re.sub(r"[%分元万]", "", text))
    except InvalidOperation:
        return None


def holds_figure(cell_text: str, stated: str) -> bool:
    """A cell shows the stated figure: as text, or as the same number (Excel keeps 0.9861 for
    98.61%, 150 for 150.00)."""
    if stated in cell_text:
        return True
    want = figure(stated)
    for token in re.findall(r"-?\d+(?:\.\d+)?", cell_text):
        value = Decimal(token) * (100 if stated.endswith("%") and "%" not in cell_text else 1)
        if want is not None and value == want:
            return True
    return False


def check_txt(form: str, f: Finding, place: dict, char: str) -> None:
    lines = source(form, "txt").read_text(encoding="utf-8").splitlines()
    assert place["page"] == 1
    assert f.stated in lines[place["line"] - 1]


def check_docx(form: str, f: Finding, place: dict, char: str) -> None:
    from docx import Document as WordDocument

    m = re.match(r"^t(\d+)\.r(\d+)\.c(\d+)", str(place.get("part", "")))
    assert m, f"DOCX place should be a table cell (t…r…c…), got {place}"
    table = WordDocument(str(source(form, "docx"))).tables[int(m.group(1)) - 1]
    row, col = int(m.group(2)), int(m.group(3))
    assert 1 <= row <= len(table.rows) and 1 <= col <= len(table.columns), place
    assert holds_figure(table.cell(row - 1, col - 1).text, f.stated), (place, f.stated)


def check_xlsx(form: str, f: Finding, place: dict, char: str) -> None:
    from openpyxl import load_workbook

    m = re.match(r"^(.+)!\$?([A-Z]+)\$?(\d+)$", str(place.get("part", "")))
    assert m, f"XLSX place should be sheet!cell, got {place}"
    sheet = load_workbook(source(form, "xlsx"))[m.group(1)]
    value = sheet[f"{m.group(2)}{m.group(3)}"].value
    assert value is not None and holds_figure(str(value), f.stated), (place, value, f.stated)


def check_pdf(form: str, f: Finding, place: dict, char: str) -> None:
    import pdfplumber

    assert place["page"] == 1, place  # every form fits on one page
    box = place.get("box")
    assert box and len(box) == 4, f"PDF place should have a box, got {place}"
    x0, top, x1, bottom = box
    with pdfplumber.open(source(form, "pdf")) as pdf:
        page = pdf.pages[place["page"] - 1]
        assert 0 <= x0 < x1 <= page.width and 0 <= top < bottom <= page.height, box
        text = page.within_bbox((x0 - 1, top - 1, x1 + 1, bottom + 1)).extract_text() or ""
    assert text.strip() == char, (box, text, char)


CHECKS = {"txt": check_txt, "docx": check_docx, "xlsx": check_xlsx, "pdf": check_pdf}


@pytest.mark.parametrize(("form", "fmt"), per_form_format())
def test_findings_point_into_the_table(form: str, fmt: str) -> None:
    """Each finding's first evidence entry is the stated figure, located in the format's terms:
    a txt line, a DOCX table cell, an XLSX sheet!cell, a box on PDF page 1."""
    a = audit(form, fmt)
    findings = broken(a)
    assert findings
    doc = a.document
    assert doc is not None
    for f in findings:
        assert f.evidence and f.evidence[0].role == "stated"
        start = f.evidence[0].start
        line_start, line_end = doc.line_bounds(start)
        assert f.stated in doc.text[line_start:line_end].replace(" ", "")
        CHECKS[fmt](form, f, locate(doc, start), doc.text[start])


# ---------------------------------------------------------------- the fixtures themselves


def generator():
    """fixtures/forms/make_forms.py and its data, imported as the script imports them."""
    if str(FORMS_DIR) not in sys.path:
        sys.path.insert(0, str(FORMS_DIR))
    import make_forms

    return make_forms


@pytest.mark.parametrize("form", FORMS)
def test_form_without_its_slips_draws_nothing(form: str, tmp_path: Path) -> None:
    """The same form with no slip planted: every relation holds, so nothing is reported (the
    findings of the real form come from the slips and nothing else in it)."""
    make = generator()
    (data,) = [f for f in make.FORMS if f.id == form]
    clean = replace(data, slips=())
    make.write_txt(clean, make.build_grid(clean, make.fill(clean)), tmp_path / "report.txt")
    extra = [
        f"{f.rule} {f.stated}: {f.message}"
        for f in broken(audit_file(tmp_path / "report.txt", STRICT))
    ]
    assert extra == []


@pytest.mark.parametrize("form", FORMS)
def test_committed_files_are_generated(form: str, tmp_path: Path) -> None:
    """report.txt and expected.yaml are what make_forms.py writes from forms.py (not hand edits)."""
    make = generator()
    (data,) = [f for f in make.FORMS if f.id == form]
    make.write_form(data, tmp_path)
    for name in ("report.txt", "expected.yaml"):
        assert (tmp_path / form / name).read_text(encoding="utf-8") == (
            FORMS_DIR / form / name
        ).read_text(encoding="utf-8"), f"{name} is stale: run make_forms.py"
