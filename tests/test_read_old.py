"""Old .doc/.wps/.xls files: converted with LibreOffice when it is installed, else a clear error."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, SEED, STRICT, broken

from auditor.pipeline import audit_file
from auditor.readers import ReadError, convert, read_document


def findings(path: Path) -> set[tuple[str, str]]:
    return {(f.rule, f.stated) for f in broken(audit_file(path, STRICT))}


def test_without_libreoffice_the_error_says_what_to_do(tmp_path: Path, monkeypatch) -> None:
    old = tmp_path / "report.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    monkeypatch.setattr(convert, "office", lambda: None)
    with pytest.raises(ReadError, match="另存为 .docx.*LibreOffice"):
        read_document(old)


@pytest.mark.skipif(convert.office() is None, reason="LibreOffice is not installed here")
def test_a_doc_is_converted_and_gives_the_same_findings(tmp_path: Path) -> None:
    source = tmp_path / "report.docx"
    shutil.copy(FIXTURES / "seed" / "report.docx", source)
    subprocess.run(
        [
            convert.office(),
            "--headless",
            "--convert-to",
            "doc",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    old = tmp_path / "report.doc"
    audit = audit_file(old, STRICT)
    assert audit.path == str(old) and not audit.errors
    assert findings(old) == findings(SEED)
