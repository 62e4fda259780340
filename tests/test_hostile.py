"""Damaged and hostile files (issue 7): every one is refused in one line, or read, never a
traceback or a hang; every limit trips and names itself; the XML parsers resolve no entities;
what a document says never escapes into the HTML or into the name of a file written."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sqlite3
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType

import lxml.html
import pytest
from conftest import FIXTURES, ROOT, SEED

from auditor.cli import main
from auditor.readers import Limits, ReadError, read_document
from auditor.readers.limits import MB, has_long_line

SEED_PDF = FIXTURES / "pdf" / "paragraphs.pdf"
SEED_DOCX = FIXTURES / "seed" / "report.docx"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_hostile", FIXTURES / "hostile" / "make_hostile.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOSTILE = load_generator()
# What each refusal must say (a part of its one line); the readable ones are read.
REASONS = {
    "empty.pdf": "文件为空",
    "empty.docx": "文件为空",
    "empty.txt": "文件为空",
    "random.pdf": "不是PDF格式",
    "random.docx": "不是DOCX格式",
    "truncated.pdf": "PDF 文件已损坏或不完整",
    "truncated.docx": "压缩包结构不完整",
    "garbled-xref.pdf": "PDF 文件已损坏或不完整",
    "encrypted.pdf": "需要密码",
    "flate-bomb.pdf": "超过限制：PDF 数据流解压后 > 100 MB",
    "many-pages.pdf": "超过限制：页数 2001 > 2000（--max-pages）",
    "zip-bomb.docx": "超过限制：压缩比",
    "zip-bomb-renamed.docx": "超过限制：压缩比",
    "zip-bomb-lying.docx": "Word 文档已损坏",  # zipfile inflates no more than declared: bad CRC
    "many-entries.docx": "超过限制：压缩包条目数 10002 > 10000",
    "billion-laughs.docx": "含 DTD/实体声明",
    "billion-laughs.xlsx": "含 DTD/实体声明",
    "deep-nesting.docx": "超过限制：元素嵌套深度 > 200 层",
    "deep-nesting.html": "超过限制：元素嵌套深度 > 200 层",
    "unknown-encoding.txt": "无法识别的文本编码",
    "long-line.txt": "超过限制：有一行（段落）超过 50000 个字符",
}
READABLE = ["broken-xref.pdf", "encrypted-empty-password.pdf", "encrypted-aes-empty-password.pdf"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    paths = HOSTILE.build(tmp_path_factory.mktemp("hostile"))
    return {path.name: path for path in paths}


def run_check(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor.cli", "check", str(path), "--color", "never", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def checked(hostile: dict[str, Path]) -> dict[str, subprocess.CompletedProcess[str]]:
    """`auditor check FILE` for every file, as a user runs it, two at a time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(hostile, pool.map(run_check, hostile.values()), strict=True))


def test_the_generator_writes_every_kind(hostile: dict[str, Path]) -> None:
    assert set(hostile) == set(HOSTILE.KINDS) == set(REASONS) | set(READABLE)
    assert all(path.stat().st_size < 2 * MB for path in hostile.values())  # the small set is small
    assert {n for n, kind in HOSTILE.KINDS.items() if kind == "readable"} == set(READABLE)


@pytest.mark.parametrize("name", sorted(REASONS))
def test_hostile_file_is_refused_in_one_line(
    name: str, hostile: dict[str, Path], checked: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    result = checked[name]
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"auditor: {hostile[name]}: ")
    assert REASONS[name] in lines[0]


@pytest.mark.parametrize("name", READABLE)
def test_recoverable_file_is_read(
    name: str, hostile: dict[str, Path], checked: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    """A broken xref is rebuilt; an empty user password opens the file (RC4 and AES-256)."""
    result = checked[name]
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    assert "1906.42万元" in read_document(hostile[name]).text


def test_scan_records_every_hostile_file(hostile: dict[str, Path], tmp_path: Path) -> None:
    folder = next(iter(hostile.values())).parent
    db = tmp_path / "results.sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "auditor.cli", "scan", str(folder), "--db", str(db), "--jobs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    with sqlite3.connect(db) as conn:
        rows = {
            Path(p).name: (s, e)
            for p, s, e in conn.execute("SELECT path, status, error FROM documents")
        }
    assert set(rows) == set(hostile)
    for name, reason in REASONS.items():
        assert rows[name][0] == "unreadable" and reason in rows[name][1], name
    assert all(rows[name][0] == "ok" for name in READABLE)


def test_scan_workers_use_the_limits_given(tmp_path: Path) -> None:
    """The limits travel to the worker processes with the options; a re-run under other limits
    reads the file again instead of skipping it as unchanged."""
    report = tmp_path / "report.txt"
    report.write_bytes(SEED.read_bytes())
    db = tmp_path / "results.sqlite"
    for size, status in (("0.01", "unreadable"), ("1", "ok")):
        assert (
            main(["scan", str(report), "--db", str(db), "--jobs", "1", "--max-file-size", size])
            == 0
        )
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT status, error FROM documents ORDER BY id DESC").fetchall()
        assert rows[0][0] == status, rows
    assert "超过限制：文件大小 13 KB > 10 KB（--max-file-size）" in rows[1][1]


# ---------------------------------------------------------------- each limit trips and names itself


def refusal(path: Path, limits: Limits) -> str:
    with pytest.raises(ReadError) as caught:
        read_document(path, limits)
    assert "\n" not in caught.value.reason
    return caught.value.reason


def test_file_size_limit_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SEED), "--max-file-size", "0.01", "--format", "json"]) == 2
    assert "超过限制：文件大小 13 KB > 10 KB（--max-file-size）" in capsys.readouterr().err
    assert main(["check", str(SEED), "--max-file-size", "0.02", "--format", "json"]) == 1


def test_page_limit_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SEED_PDF), "--max-pages", "2", "--format", "json"]) == 2
    assert "超过限制：页数 3 > 2（--max-pages）" in capsys.readouterr().err
    read_document(SEED_PDF, Limits(pages=3))


def test_stream_limit() -> None:
    reason = refusal(SEED_PDF, Limits(stream_size=2048))
    assert reason == "超过限制：PDF 数据流解压后 > 2 KB（疑似解压炸弹）"


def test_zip_limits() -> None:
    entries = len(zipfile.ZipFile(SEED_DOCX).infolist())
    reason = refusal(SEED_DOCX, Limits(zip_entries=entries - 1))
    assert reason == f"超过限制：压缩包条目数 {entries} > {entries - 1}（疑似压缩炸弹）"
    assert "超过限制：解压后总大小" in refusal(SEED_DOCX, Limits(zip_size=20_000))
    read_document(SEED_DOCX, Limits(zip_entries=entries, zip_ratio=1))  # small: no ratio counts


def test_zip_ratio_is_what_refuses_the_bomb(hostile: dict[str, Path]) -> None:
    assert "压缩比 1010:1 > 100:1" in refusal(hostile["zip-bomb.docx"], Limits())
    allowed = refusal(hostile["zip-bomb.docx"], Limits(zip_ratio=2000))
    assert "超过限制" not in allowed  # then its 24 MB of blanks are read, and are no Word body


def test_xml_depth_limit(tmp_path: Path) -> None:
    assert refusal(SEED_DOCX, Limits(xml_depth=4)) == "超过限制：元素嵌套深度 > 4 层（XML/HTML）"
    read_document(SEED_DOCX, Limits(xml_depth=5))  # document/body/p/r/t
    # deeper than our limit but within libxml2's 256: our own check is what refuses it
    deep = tmp_path / "deep.docx"
    deep.write_bytes(HOSTILE.deep_docx(110))  # 220 levels of w:sdt/w:sdtContent
    assert "元素嵌套深度 > 200 层" in refusal(deep, Limits())
    read_document(deep, Limits(xml_depth=230))
    page = tmp_path / "page.html"
    page.write_text("<html><body><div><p>预算执行率90%</p></div></body></html>", encoding="utf-8")
    assert "元素嵌套深度 > 3 层" in refusal(page, Limits(xml_depth=3))
    read_document(page, Limits(xml_depth=4))


def breaks(text: str | bytes) -> tuple[str, str] | tuple[bytes, bytes]:
    return ("\n", "\r") if isinstance(text, str) else (b"\n", b"\r")


def test_line_limit(tmp_path: Path) -> None:
    assert refusal(SEED, Limits(line_length=40)) == "超过限制：有一行（段落）超过 40 个字符"
    read_document(SEED, Limits(line_length=1000))
    # line breaks of every kind count, in text and in bytes
    for text in ("ab\ncd\r\nef\rgh", "abcd\r\nefg", b"ab\rcd\r" * 1000):
        assert not has_long_line(text, 4, *breaks(text))
    for text in ("ab\nabcde", "abcde\rab\nab", b"ab\r" * 1000 + b"abcde"):
        assert has_long_line(text, 4, *breaks(text))
    # hard-wrapped lines join into one paragraph, and the paragraph is what costs the time
    wrapped = tmp_path / "wrapped.txt"
    wrapped.write_text("预算执行率为百分之九十\n" * 5000, encoding="utf-8")
    assert "超过 50000 个字符" in refusal(wrapped, Limits())


# ---------------------------------------------------------------- XML parsed without entities


ENTITY_DOC = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "EXPANDED">'
    '<!ENTITY x SYSTEM "{secret}">]>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>预算执行率90%&e;&x;</w:t></w:r></w:p></w:body></w:document>"
)


@pytest.fixture
def secret(tmp_path: Path) -> str:
    """A local file an external entity points at: its content must never be read in."""
    path = tmp_path / "secret.txt"
    path.write_text("SECRET", encoding="utf-8")
    return path.as_uri()


def entity_doc(secret: str) -> str:
    """A document with an internal and an external (file:) entity."""
    return ENTITY_DOC.replace("{secret}", secret)


def test_python_docx_parser_resolves_no_entities(secret: str) -> None:
    """What the DOCX reader and the annotator parse with: entities stay unexpanded, local and
    external, so a prolog check that missed a DTD still leaves nothing to expand."""
    from docx.oxml import parse_xml

    root = parse_xml(entity_doc(secret).encode())
    text = "".join(root.itertext())
    assert "预算执行率" in text and "EXPANDED" not in text and "SECRET" not in text


def test_dtd_after_the_prolog_window_is_still_harmless(tmp_path: Path, secret: str) -> None:
    """A DTD pushed beyond what the prolog check reads: python-docx's parser resolves nothing."""
    padded = entity_doc(secret).replace("<!DOCTYPE", "<!--" + "x" * 8000 + "--><!DOCTYPE")
    docx = tmp_path / "padded.docx"
    docx.write_bytes(HOSTILE.replaced_entry(SEED_DOCX, "word/document.xml", padded.encode()))
    try:
        text = read_document(docx).text
    except ReadError as error:
        assert "\n" not in error.reason
    else:
        assert "EXPANDED" not in text and "SECRET" not in text


def test_openpyxl_parses_with_defusedxml() -> None:
    import openpyxl
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML
    assert functions.iterparse.__module__.startswith("defusedxml")


def test_html_reader_resolves_no_entities(tmp_path: Path, secret: str) -> None:
    page = tmp_path / "entity.html"
    page.write_text(entity_doc(secret).replace("w:", ""), encoding="utf-8")
    text = read_document(page).text
    assert "预算执行率" in text and "EXPANDED" not in text
    assert "SECRET" not in text


# ---------------------------------------------------------------- output safety


EVIL = '"&</textarea><img src=x onerror=alert(1)><script>alert(2)</script>'


@pytest.fixture
def evil_report(tmp_path: Path) -> Path:
    """The seed report with markup in its title, a flagged line and a counted list, saved under
    a file name that is markup too."""
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("高新区部门单位整体支出", "高新区部门单位整体支出" + EVIL, 1)
    text = text.replace("84.94%，该指标完成率", "84.94%" + EVIL + "，该指标完成率", 1)
    text = text.replace("共计 5个项目", f"共计{EVIL} 5个项目", 1)
    path = tmp_path / 'a"<img src=x onerror=alert(3)>.txt'
    path.write_text(text, encoding="utf-8")
    return path


def assert_inert(page: str, scripts: int = 0) -> None:
    """The page runs nothing from the document: its markup is text, not elements."""
    root = lxml.html.document_fromstring(page)
    assert len(root.findall(".//script")) == scripts
    assert not root.findall(".//img") and not root.findall(".//textarea")
    assert not [
        a for e in root.iter() if isinstance(e.tag, str) for a in e.attrib if a.startswith("on")
    ]
    assert EVIL in root.text_content()  # shown as the document has it


def test_html_report_escapes_the_document(
    evil_report: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(evil_report), "--format", "html", "--all"]) == 1
    assert_inert(capsys.readouterr().out)


def test_annotated_html_escapes_the_document(evil_report: Path, tmp_path: Path) -> None:
    out = tmp_path / "marked.html"
    assert main(["check", str(evil_report), "--annotate", str(out)]) == 1
    assert_inert(out.read_text(encoding="utf-8"))


def test_summary_html_escapes_the_document(evil_report: Path, tmp_path: Path) -> None:
    from auditor.batch import scan
    from auditor.render.summary_html import write_summary_html

    db, page = tmp_path / "results.sqlite", tmp_path / "summary.html"
    scan([evil_report], db, jobs=1)
    write_summary_html(db, page)
    text = page.read_text(encoding="utf-8")
    root = lxml.html.document_fromstring(text)
    assert len(root.findall(".//script")) == 1  # the table sorter, nothing else
    assert not root.findall(".//img") and not root.findall(".//textarea")
    assert str(evil_report) in root.text_content()


def test_terminal_escapes_in_a_document_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = SEED.read_text(encoding="utf-8")
    escape = "\x1b\x07\x9b\x08\x7f"  # ESC, BEL, CSI, backspace, DEL
    report = tmp_path / "report.txt"
    flagged = "偏差原因：社区工作经费"  # on the line of 84.94%, which is flagged
    report.write_text(text.replace(flagged, flagged + escape, 1), encoding="utf-8")
    assert main(["check", str(report), "--color", "never"]) == 1
    out = capsys.readouterr().out
    assert "社区工作经费" in out  # the line is shown, its control characters are not
    assert not any(c in out for c in escape)


def test_annotated_names_come_from_the_input_path(evil_report: Path, tmp_path: Path) -> None:
    """A title that reads like a path changes nothing: the copies are named after the inputs."""
    docx = tmp_path / "report.docx"
    docx.write_bytes(SEED_DOCX.read_bytes())
    out = tmp_path / "out"
    assert main(["check", str(evil_report), str(docx), "--annotate", str(out)]) == 1
    expected = {f"{evil_report.stem}.标注.html", "report.标注.docx"}
    assert {p.name for p in out.iterdir()} == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [evil_report.name, "report.docx", "out"]
    )


def test_same_stem_in_two_folders_gets_two_copies(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_bytes(SEED.read_bytes())
    out = tmp_path / "out"
    files = [str(tmp_path / f / "report.txt") for f in ("a", "b")]
    assert main(["check", *files, "--annotate", str(out)]) == 1
    assert {p.name for p in out.iterdir()} == {"report.标注.html", "report.标注-2.html"}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("spelling", ["same", "dotted", "absolute", "symlink", "hardlink"])
def test_annotate_never_writes_onto_its_input(
    spelling: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "report.docx"
    source.write_bytes(SEED_DOCX.read_bytes())
    (tmp_path / "sub").mkdir()
    out = {
        "same": "report.docx",
        "dotted": "./sub/../report.docx",
        "absolute": str(source),
        "symlink": "link.docx",
        "hardlink": "hard.docx",
    }[spelling]
    if spelling == "symlink":
        os.symlink("report.docx", "link.docx")
    if spelling == "hardlink":
        os.link("report.docx", "hard.docx")
    before = digest(source)
    assert main(["check", "report.docx", "--annotate", out]) == 2
    captured = capsys.readouterr()
    assert "标注副本不能覆盖原文件" in captured.err and captured.out == ""  # refused up front
    assert digest(source) == before


def test_annotate_several_files_onto_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "b.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "out").write_text("mine", encoding="utf-8")
    files = [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    assert main(["check", *files, "--annotate", str(tmp_path / "out")]) == 2
    assert "OUT 应为目录" in capsys.readouterr().err
    assert (tmp_path / "out").read_text(encoding="utf-8") == "mine"


def test_annotate_into_a_folder_never_writes_onto_another_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """x.txt's copy would be out/x.标注.html — which is the second input here."""
    out = tmp_path / "out"
    out.mkdir()
    first, second = tmp_path / "x.txt", out / "x.标注.html"
    first.write_bytes(SEED.read_bytes())
    second.write_text("<p>预算执行率90%</p>", encoding="utf-8")
    before = digest(second)
    assert main(["check", str(first), str(second), "--annotate", str(out)]) == 2
    assert "标注副本不能覆盖原文件" in capsys.readouterr().err
    assert digest(second) == before
