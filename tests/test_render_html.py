"""The HTML report: every flagged figure marked with its note, everything from the document
escaped, self-contained, and (when Debian's chromium is here) loaded in a real browser."""

from __future__ import annotations

import shutil
import subprocess
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES, SEED, STRICT

from auditor.cli import main
from auditor.model import Audit, Document, Evidence, Finding, Origin
from auditor.pipeline import audit_file, audit_text
from auditor.render.html import render_html

SEED_PDF = FIXTURES / "seed" / "report.pdf"
SCRIPT = "<script>alert(1)</script>"
HOSTILE = (
    "项目支出绩效自评报告\n"
    f"备注：{SCRIPT}<img src=x onerror=alert(2)>\n"
    "全年预算数为100万元，全年实际支出80万元，预算执行率为90%。\n"
)


class Elements(HTMLParser):
    """The elements of a page, with their attributes, and its visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def of(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def broken(audit: Audit) -> list[Finding]:
    return [f for f in audit.findings if f.holds is False]


@pytest.mark.parametrize("path", [SEED, SEED_PDF], ids=["text", "pdf"])
def test_seed_marks_every_finding_with_its_message(path: Path) -> None:
    audit = audit_file(path, STRICT)
    findings = broken(audit)
    assert findings
    html = render_html([audit], "test")
    page = parse(html)
    marks = {m["id"]: m for m in page.of("mark") if "id" in m}
    anchors = {a["id"] for a in page.of("a") if "id" in a} | set(marks)
    notes = {n["id"]: n for n in page.of("aside")}
    for number, finding in enumerate(findings, 1):
        ev = finding.evidence[0]
        mark_id = f"d0-{ev.start}-{ev.end}"
        assert mark_id in anchors, finding
        covering = [m for m in marks.values() if finding.message in m.get("title", "")]
        assert covering, finding.rule
        assert any(finding.severity in m["class"].split() for m in covering)
        assert f"d0-f{number}" in notes
        assert escape(finding.message) in html
        assert escape(finding.stated) in html and escape(finding.expected) in html
        for other in finding.evidence[1:]:
            assert f'href="#d0-{other.start}-{other.end}"' in html
    assert "".join(page.text).count("84.94%") >= 2  # in the text and in its note
    # the summary: counts, the score stated vs recomputed, the kind and year
    assert "部门整体支出绩效自评报告" in html and "2023 年度" in html
    assert "84.41分 → 84.41分" in html
    assert "project-execution-rate" in html


def test_holding_relations_only_on_request() -> None:
    audit = audit_file(SEED, STRICT)
    holding = next(f for f in audit.findings if f.holds is True and f.rule == "total-score")
    assert escape(holding.message) not in render_html([audit], "test")
    everything = render_html([audit], "test", show_all=True)
    assert escape(holding.message) in everything
    assert 'class="holds' in everything


def test_document_text_and_messages_are_escaped() -> None:
    audit = audit_text(HOSTILE, STRICT, path=f"{SCRIPT}.txt")
    assert broken(audit), "the 90% rate should be flagged"
    html = render_html([audit], "<b>v</b>")
    assert SCRIPT not in html
    assert "<img" not in html and "<b>v</b>" not in html
    assert escape(SCRIPT) in html
    page = parse(html)
    assert not page.of("script") and not page.of("img")
    assert SCRIPT in "".join(page.text)  # shown as text


def test_hostile_message_and_rule_are_escaped() -> None:
    text = "甲 <b>12</b> 乙"
    doc = Document("x.txt", text, tuple(Origin(1, 1, i) for i in range(len(text))), pages=1)
    start = text.index("12")
    finding = Finding(
        "<i>rule</i>",
        "error",
        "<script>alert(3)</script>",
        "<u>12</u>",
        '"><script>',
        (Evidence(start, start + 2, "stated"),),
    )
    html = render_html([Audit("x.txt", doc, None, (finding,))], "test")
    page = parse(html)
    assert not page.of("script") and not page.of("i") and not page.of("u")
    assert "&lt;b&gt;" in html and "&lt;/b&gt;" in html and "<b>12" not in html
    assert page.of("mark")


def test_self_contained() -> None:
    html = render_html([audit_file(SEED, STRICT)], "test")
    page = parse(html)
    assert not page.of("script") and not page.of("link") and not page.of("img")
    assert "http://" not in html and "https://" not in html and "@import" not in html
    assert "url(" not in html


def test_several_documents_on_one_page() -> None:
    audits = [audit_file(SEED, STRICT), audit_text(HOSTILE, STRICT, path="b.txt")]
    page = parse(render_html(audits, "test"))
    sections = [s["id"] for s in page.of("section")]
    assert sections == ["d0", "d1"]
    ids = [attrs["id"] for _, attrs in page.tags if "id" in attrs]
    assert len(ids) == len(set(ids))


def test_unreadable_document_gets_its_section() -> None:
    html = render_html([Audit("gone.pdf", None, None, errors=("文件不存在",))], "test")
    assert "gone.pdf" in html and "文件不存在" in html


def test_cli_format_html(capsys) -> None:
    assert main(["check", str(SEED), "--format", "html"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>") and "<mark" in out


def test_cli_annotate_text_writes_html(tmp_path, capsys) -> None:
    out = tmp_path / "seed.html"
    assert main(["check", str(SEED), "--annotate", str(out)]) == 1
    assert "<mark" in out.read_text(encoding="utf-8")


# --- a real browser --------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)


def chromium(tmp_path: Path, page: Path, *args: str) -> str:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={profile}",
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@needs_chromium
def test_seed_in_chromium(tmp_path: Path) -> None:
    audit = audit_file(SEED_PDF, STRICT)
    page = tmp_path / "seed.html"
    page.write_text(render_html([audit], "test"), encoding="utf-8")
    dom = parse(chromium(tmp_path, page, "--dump-dom"))
    marks = {m["id"] for m in dom.of("mark") if "id" in m}
    anchors = marks | {a["id"] for a in dom.of("a") if "id" in a}
    for finding in broken(audit):
        ev = finding.evidence[0]
        assert f"d0-{ev.start}-{ev.end}" in anchors
    assert len(dom.of("aside")) == len(broken(audit))
    assert not dom.of("script")
    shot = tmp_path / "seed.png"
    chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=1280,2000")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


@needs_chromium
def test_script_in_chromium_is_text(tmp_path: Path) -> None:
    page = tmp_path / "hostile.html"
    page.write_text(render_html([audit_text(HOSTILE, STRICT)], "test"), encoding="utf-8")
    dump = chromium(tmp_path, page, "--dump-dom")
    dom = parse(dump)
    assert not dom.of("script") and not dom.of("img")
    assert SCRIPT in "".join(dom.text)
    assert dom.of("mark")
