"""The annotated DOCX: one review comment per broken finding, anchored on exactly its stated
figure, and nothing else in the document changed."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from conftest import FIXTURES
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from auditor.cli import main
from auditor.model import Audit, Document, Evidence, Finding, Origin
from auditor.pipeline import audit_file
from auditor.readers.docx import read_docx, run_pieces
from auditor.render.annotate_docx import anchor_runs, anchored_texts, annotate_docx, shown

SEED_DOCX = FIXTURES / "seed" / "report.docx"
FORMS = sorted((FIXTURES / "forms").glob("*/report.docx"))


def squeeze(text: str) -> str:
    """The text without whitespace: the reader normalizes spaces away next to Chinese text."""
    return "".join(text.split())


def annotated(source: Path, tmp_path: Path) -> tuple[Audit, Path]:
    audit = audit_file(source)
    target = tmp_path / f"{source.parent.name}.annotated.docx"
    annotate_docx(audit, target)
    return audit, target


def cell_texts(table) -> list[str]:
    """Every cell's text, nested tables included, in document order."""
    texts = []
    for row in table.rows:
        for cell in row.cells:
            texts.append(cell.text)
            for inner in cell.tables:
                texts += cell_texts(inner)
    return texts


def snapshot(path: Path) -> dict[str, list[str]]:
    """What must not change: paragraph texts, cell texts, run texts, the reader's text."""
    word = docx.Document(str(path))
    body = word.element.body
    return {
        "paragraphs": [p.text for p in word.paragraphs],
        "cells": [text for table in word.tables for text in cell_texts(table)],
        "runs": ["".join(t for _, t, _ in run_pieces(p)) for p in body.iter(qn("w:p"))],
        "run_texts": ["".join(r.text for r in p.runs) for p in word.paragraphs],
        "reader": [read_docx(path).text],
    }


def assert_anchored(audit: Audit, target: Path, extra: int = 0) -> None:
    """One comment per shown finding, in document order, each on exactly its stated figure."""
    assert audit.document is not None
    word = docx.Document(str(target))
    comments = {str(c.comment_id): c for c in word.comments}
    ours = [c for c in comments.values() if c.author == "auditor"]
    findings = sorted(shown(audit.findings), key=lambda f: f.position)
    assert findings, f"{audit.path}: expected findings to annotate"
    assert len(ours) == len(findings)
    assert len(comments) == len(findings) + extra
    anchors = anchored_texts(word)
    for comment, finding in zip(sorted(ours, key=lambda c: c.comment_id), findings, strict=True):
        figure = audit.document.text[finding.evidence[0].start : finding.evidence[0].end]
        assert squeeze(anchors[str(comment.comment_id)]) == squeeze(figure)
        assert f"[{finding.rule}]" in comment.text
        assert finding.message in comment.text
        if finding.stated and finding.expected:
            assert f"报告写 {finding.stated}，应为 {finding.expected}。" in comment.text


def test_seed_comments_on_the_figures(tmp_path):
    audit, target = annotated(SEED_DOCX, tmp_path)
    assert_anchored(audit, target)
    word = docx.Document(str(target))
    texts = [c.text for c in word.comments]
    anchors = list(anchored_texts(word).values())
    assert "84.94%" in anchors and "5个项目" in anchors
    rate = texts[anchors.index("84.94%")]
    assert rate.startswith("错误 [project-execution-rate]：报告写 84.94%，应为 58.99%。")
    assert "329.13万元 ÷ 557.92万元" in rate
    assert any(t.startswith("警告 [") for t in texts)


def test_seed_nothing_else_changes(tmp_path):
    _, target = annotated(SEED_DOCX, tmp_path)
    before, after = snapshot(SEED_DOCX), snapshot(target)
    for key in before:
        assert len(before[key]) == len(after[key]), key
        for i, (old, new) in enumerate(zip(before[key], after[key], strict=True)):
            assert old == new, f"{key}[{i}]"


@pytest.mark.parametrize("source", FORMS, ids=lambda p: p.parent.name)
def test_table_forms(source, tmp_path):
    audit, target = annotated(source, tmp_path)
    assert_anchored(audit, target)
    assert snapshot(source) == snapshot(target)


def test_existing_comments_are_kept(tmp_path):
    source = tmp_path / "commented.docx"
    word = docx.Document(str(SEED_DOCX))
    first = next(p for p in word.paragraphs if p.runs)
    word.add_comment(first.runs, text="原有批注", author="审核人", initials="SH")
    word.save(str(source))
    audit, target = annotated(source, tmp_path)
    assert_anchored(audit, target, extra=1)
    result = docx.Document(str(target))
    kept = [c for c in result.comments if c.author == "审核人"]
    assert [c.text for c in kept] == ["原有批注"]
    assert squeeze(anchored_texts(result)[str(kept[0].comment_id)]) == squeeze(first.text)
    assert snapshot(source) == snapshot(target)


def formatted(tmp_path: Path) -> Path:
    """One paragraph whose figure starts and ends inside bold red runs, a second plain one."""
    word = docx.Document()
    paragraph = word.add_paragraph()
    paragraph.add_run("预算执行率为")
    run = paragraph.add_run("合计84.")
    run.bold = True
    run.font.color.rgb = docx.shared.RGBColor(0xC0, 0, 0)
    run = paragraph.add_run("94%，较上年")
    run.italic = True
    word.add_paragraph("下降 3 个百分点。")
    path = tmp_path / "formatted.docx"
    word.save(str(path))
    return path


def handmade(path: Path, evidence: Evidence) -> Audit:
    """An audit of `path` built by hand: its text with a source map in the reader's terms."""
    document = read_docx(path)
    finding = Finding(
        "execution-rate", "error", "执行率写作 84.94%，应为 80.00%", "84.94%", "80.00%", (evidence,)
    )
    return Audit(str(path), document, None, (finding,))


def test_split_runs_keep_their_formatting(tmp_path):
    source = formatted(tmp_path)
    paragraph = docx.Document(str(source)).element.body[0]
    first, last = anchor_runs(paragraph, 8, 14)
    texts = ["".join(t.text or "" for t in r.iter(qn("w:t"))) for r in paragraph.iter(qn("w:r"))]
    assert texts == ["预算执行率为", "合计", "84.", "94%", "，较上年"]
    runs = [docx.text.run.Run(r, None) for r in paragraph.iter(qn("w:r"))]
    assert [r.bold for r in runs] == [None, True, True, None, None]
    assert [r.italic for r in runs] == [None, None, None, True, True]
    assert runs[1].font.color.rgb == runs[2].font.color.rgb == docx.shared.RGBColor(0xC0, 0, 0)
    assert (first, last) == (runs[2]._r, runs[3]._r)


def test_handmade_audit_on_a_split_figure(tmp_path):
    source = formatted(tmp_path)
    document = read_docx(source)
    start = document.text.index("84.94%")
    audit = handmade(source, Evidence(start, start + 6, "stated"))
    target = tmp_path / "out.docx"
    annotate_docx(audit, target)
    assert list(anchored_texts(docx.Document(str(target))).values()) == ["84.94%"]
    assert snapshot(source) == snapshot(target)


def test_figure_split_across_a_hyperlink_and_a_tab(tmp_path):
    """The figure starts after a tab inside a hyperlink's run and ends before a line break
    in a run outside it: only whole pieces move, the marks land around exactly the figure."""
    word = docx.Document()
    word.element.body.insert(
        0,
        parse_xml(
            f"<w:p {nsdecls('w', 'r')}><w:r><w:t>项目支出预算执行</w:t></w:r>"
            '<w:hyperlink r:id="rIdX"><w:r><w:rPr><w:u w:val="single"/></w:rPr>'
            "<w:t>率为</w:t><w:tab/><w:t>84.9</w:t></w:r></w:hyperlink>"
            "<w:r><w:rPr><w:b/></w:rPr><w:t>4%，</w:t><w:br/><w:t>较上年</w:t></w:r></w:p>"
        ),
    )
    source = tmp_path / "linked.docx"
    word.save(str(source))
    document = read_docx(source)
    start = document.text.index("84.9")
    audit = handmade(source, Evidence(start, start + 6, "stated"))
    target = tmp_path / "out.docx"
    annotate_docx(audit, target)
    result = docx.Document(str(target))
    assert list(anchored_texts(result).values()) == ["84.94%"]
    paragraph = result.element.body[0]
    runs = [r for r in paragraph.iter(qn("w:r")) if r.find(qn("w:commentReference")) is None]
    assert ["".join(t.text for t in r.iter(qn("w:t"))) for r in runs] == [
        "项目支出预算执行",
        "率为",
        "84.9",
        "4%",
        "，较上年",
    ]
    assert runs[1].find(qn("w:tab")) is not None and runs[2].find(qn("w:tab")) is None
    assert runs[4].find(qn("w:br")) is not None
    assert [r.getparent().tag == qn("w:hyperlink") for r in runs] == [
        False,
        True,
        True,
        False,
        False,
    ]
    assert [r.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None for r in runs] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert snapshot(source) == snapshot(target)


def test_figure_over_two_paragraphs_is_marked_in_the_first(tmp_path):
    source = formatted(tmp_path)
    document = read_docx(source)
    start = document.text.index("较上年")
    end = document.text.index("3") + 1
    audit = handmade(source, Evidence(start, end, "stated"))
    target = tmp_path / "out.docx"
    annotate_docx(audit, target)
    word = docx.Document(str(target))
    assert list(anchored_texts(word).values()) == ["较上年"]
    assert "跨越多个段落" in next(iter(word.comments)).text
    assert snapshot(source) == snapshot(target)


def test_unplaced_figure_does_not_crash(tmp_path):
    source = formatted(tmp_path)
    document = read_docx(source)
    lost = Document(
        document.path, document.text, tuple(Origin(1, 1, 0, "p99") for _ in document.text)
    )
    finding = Finding(
        "execution-rate", "error", "执行率有误", "84.94%", "80.00%", (Evidence(3, 9),)
    )
    no_evidence = Finding("stated-count", "warning", "个数有误")
    audit = Audit(str(source), lost, None, (finding, no_evidence))
    target = tmp_path / "out.docx"
    annotate_docx(audit, target)
    word = docx.Document(str(target))
    texts = [c.text for c in word.comments]
    assert len(texts) == 2 and all("未能在文档中定位" in t for t in texts)
    assert snapshot(source) == snapshot(target)


def soffice_convert(path: Path, form: str, tmp_path: Path) -> Path:
    """`path` converted by headless LibreOffice to `form` (skip when LibreOffice is absent)."""
    binary = shutil.which("soffice")
    if binary is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = tmp_path / "lo-profile"  # our own profile: parallel runs do not lock each other out
    done = subprocess.run(
        [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            form,
            "--outdir",
            str(tmp_path / form),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    result = tmp_path / form / f"{path.stem}.{form}"
    assert done.returncode == 0, done.stderr
    assert result.exists() and result.stat().st_size > 1000, done.stdout + done.stderr
    return result


def libreoffice_anchors(fodt: Path) -> list[str]:
    """The text each annotation of a flat ODF text covers, as LibreOffice understood the DOCX."""
    xml = fodt.read_text(encoding="utf-8")
    names: list[str] = []

    def marker(match: re.Match[str]) -> str:
        names.append(match.group(1))
        return f"\x00{match.group(1)}\x00"

    xml = re.sub(
        r'<office:annotation [^>]*office:name="([^"]+)"[^>]*>.*?</office:annotation>',
        marker,
        xml,
        flags=re.S,
    )
    anchors = []
    for name in names:
        covered = xml.split(f"\x00{name}\x00", 1)[1]
        covered = covered.split(f'<office:annotation-end office:name="{name}"/>', 1)[0]
        anchors.append(html.unescape(re.sub(r"<[^>]*>|\x00[^\x00]*\x00", "", covered)))
    return anchors


@pytest.mark.parametrize("source", [SEED_DOCX, FORMS[1]], ids=lambda p: p.parent.name)
def test_opens_in_libreoffice(source, tmp_path):
    audit, target = annotated(source, tmp_path)
    pdf = soffice_convert(target, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    # LibreOffice reads every comment back on the same figure.
    assert audit.document is not None
    figures = [
        squeeze(audit.document.text[f.evidence[0].start : f.evidence[0].end])
        for f in sorted(shown(audit.findings), key=lambda f: f.position)
    ]
    anchors = libreoffice_anchors(soffice_convert(target, "fodt", tmp_path))
    assert [squeeze(a) for a in anchors] == figures


def test_cli_annotate(tmp_path, capsys):
    out = tmp_path / "out.docx"
    assert main(["check", str(SEED_DOCX), "--annotate", str(out)]) == 1
    assert out.exists()
    assert len(list(docx.Document(str(out)).comments)) == len(shown(audit_file(SEED_DOCX).findings))


def test_cli_refuses_to_overwrite_its_input(tmp_path, capsys):
    source = tmp_path / "report.docx"
    shutil.copyfile(SEED_DOCX, source)
    before = source.read_bytes()
    assert main(["check", str(source), "--annotate", str(source)]) == 2
    assert "不能覆盖原文件" in capsys.readouterr().err
    assert source.read_bytes() == before
