"""The annotated PDF: one highlight per finding over the stated figure's characters, the
explanation in its note, and nothing else of the PDF changed."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, STRICT
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText
from pypdf.generic import DictionaryObject

from auditor.cli import main
from auditor.model import Audit, Finding
from auditor.pipeline import audit_file
from auditor.readers import convert
from auditor.render.annotate_pdf import annotate_pdf

SEED_PDF = FIXTURES / "seed" / "report.pdf"


def annotations(path: Path) -> list[tuple[int, DictionaryObject]]:
    reader = PdfReader(path)
    found = []
    for number, page in enumerate(reader.pages, 1):
        for ref in page.get("/Annots") or []:
            found.append((number, ref.get_object()))
    return found


def highlights(path: Path) -> list[tuple[int, DictionaryObject]]:
    return [(p, a) for p, a in annotations(path) if a["/Subtype"] == "/Highlight"]


def broken(audit: Audit) -> list[Finding]:
    return [f for f in audit.findings if f.holds is False]


def char_rects(audit: Audit, finding: Finding) -> tuple[int, list[tuple[float, ...]]]:
    """The page and the PDF-space rectangles of the stated figure's characters."""
    doc = audit.document
    assert doc is not None
    ev = finding.evidence[0]
    origins = [doc.origins[i] for i in range(ev.start, ev.end) if not doc.text[i].isspace()]
    boxes = [o for o in origins if o.box is not None]
    assert boxes, finding
    page = boxes[0].page
    height = float(PdfReader(audit.path).pages[page - 1].mediabox.height)
    return page, [(o.box[0], height - o.box[3], o.box[2], height - o.box[1]) for o in boxes]  # type: ignore[index]


def contains(rect: list[float], box: tuple[float, ...]) -> bool:
    x0, y0, x1, y1 = rect
    return x0 <= box[0] and y0 <= box[1] and box[2] <= x1 and box[3] <= y1


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> tuple[Audit, Path]:
    audit = audit_file(SEED_PDF, STRICT)
    out = tmp_path_factory.mktemp("pdf") / "seed.标注.pdf"
    annotate_pdf(audit, out)
    return audit, out


def test_one_highlight_per_finding_over_its_figure(seed) -> None:
    audit, out = seed
    findings = broken(audit)
    marks = highlights(out)
    assert findings and len(marks) == len(findings)  # each on one line of the seed
    unused = list(marks)
    for finding in findings:
        page, rects = char_rects(audit, finding)
        match = next(
            (
                (p, a)
                for p, a in unused
                if p == page
                and all(contains([float(v) for v in a["/Rect"]], r) for r in rects)
                and finding.rule in a["/Contents"]
            ),
            None,
        )
        assert match is not None, (finding.rule, finding.stated)
        unused.remove(match)
        contents = match[1]["/Contents"]
        assert finding.stated in contents and finding.expected in contents
        assert finding.message in contents
        quads = [float(v) for v in match[1]["/QuadPoints"]]
        assert len(quads) % 8 == 0 and quads
        # the highlight is tight: no wider than the figure and a little padding
        rect = [float(v) for v in match[1]["/Rect"]]
        assert rect[2] - rect[0] <= max(r[2] for r in rects) - min(r[0] for r in rects) + 3


def test_the_84_94_figure_is_on_page_4(seed) -> None:
    _audit, out = seed
    page, note = next((p, a) for p, a in highlights(out) if "84.94%" in a["/Contents"])
    assert page == 4
    assert "project-execution-rate" in note["/Contents"] and "58.99%" in note["/Contents"]
    popup = note["/Popup"].get_object()
    assert popup["/Subtype"] == "/Popup" and popup["/Parent"].get_object() == note


def test_pages_and_text_unchanged(seed) -> None:
    _audit, out = seed
    before, after = PdfReader(SEED_PDF), PdfReader(out)
    assert len(before.pages) == len(after.pages)
    for a, b in zip(before.pages, after.pages, strict=True):
        assert a.extract_text() == b.extract_text()
        assert a.mediabox == b.mediabox


def test_existing_annotations_are_kept(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=SEED_PDF)
    note = FreeText(text="审核人的原批注", rect=(50, 700, 250, 740))
    writer.add_annotation(0, note)
    noted = tmp_path / "noted.pdf"
    with noted.open("wb") as stream:
        writer.write(stream)
    audit = audit_file(noted, STRICT)
    out = tmp_path / "noted.标注.pdf"
    annotate_pdf(audit, out)
    kept = [(p, a) for p, a in annotations(out) if a["/Subtype"] == "/FreeText"]
    assert len(kept) == 1 and kept[0][0] == 1 and kept[0][1]["/Contents"] == "审核人的原批注"
    assert len(highlights(out)) == len(broken(audit))


def test_never_over_the_input(tmp_path: Path) -> None:
    source = tmp_path / "report.pdf"
    shutil.copy(SEED_PDF, source)
    audit = audit_file(source, STRICT)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    with pytest.raises(ValueError):
        annotate_pdf(audit, source)
    with pytest.raises(ValueError):
        annotate_pdf(audit, tmp_path / "." / "report.pdf")
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_cli_annotate_pdf(tmp_path: Path, capsys) -> None:
    source = tmp_path / "report.pdf"
    shutil.copy(SEED_PDF, source)
    out = tmp_path / "out.pdf"
    assert main(["check", str(source), "--annotate", str(out)]) == 1
    assert len(highlights(out)) == len(broken(audit_file(source, STRICT)))
    assert "out.pdf" in capsys.readouterr().err
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    assert main(["check", str(source), "--annotate", str(source)]) == 2
    assert "不能覆盖原文件" in capsys.readouterr().err
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest


def test_cli_annotate_several_pdfs_into_a_folder(tmp_path: Path, capsys) -> None:
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    shutil.copy(SEED_PDF, first)
    shutil.copy(SEED_PDF, second)
    folder = tmp_path / "marked"
    assert main(["check", str(first), str(second), "--annotate", str(folder)]) == 1
    assert sorted(p.name for p in folder.iterdir()) == ["a.标注.pdf", "b.标注.pdf"]
    expected = len(broken(audit_file(first, STRICT)))
    for path in folder.iterdir():
        assert expected and len(highlights(path)) == expected


def libreoffice_converts(pdf: Path, outdir: Path) -> bool:
    """Whether LibreOffice (headless) opens `pdf` and converts it to an ODG drawing."""
    office = convert.office()
    assert office is not None
    outdir.mkdir(exist_ok=True)
    done = subprocess.run(
        [
            office,
            f"-env:UserInstallation={(outdir / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "odg",
            "--outdir",
            str(outdir),
            str(pdf),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    made = outdir / f"{pdf.stem}.odg"
    return (
        done.returncode == 0
        and "Error" not in done.stderr
        and made.exists()
        and made.stat().st_size > 0
    )


@pytest.mark.skipif(convert.office() is None, reason="LibreOffice is not installed here")
def test_libreoffice_opens_the_annotated_pdf(seed, tmp_path: Path) -> None:
    _audit, out = seed
    if not libreoffice_converts(SEED_PDF, tmp_path / "original"):
        pytest.skip("this LibreOffice cannot import PDF (install libreoffice-draw)")
    copy = tmp_path / "annotated.pdf"
    shutil.copy(out, copy)
    assert libreoffice_converts(copy, tmp_path / "annotated")
