"""Old Word/Excel/WPS files (.doc, .wps, .xls, .et), converted with LibreOffice when it is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from auditor.model import Document
from auditor.readers.errors import ReadError

TARGET = {".doc": "docx", ".wps": "docx", ".xls": "xlsx", ".et": "xlsx"}
TIMEOUT = (
    120  # seconds; a document LibreOffice cannot convert in that time is reported, not waited for
)


def office() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_converted(
    path: Path, suffix: str, advice: str, read: Callable[[Path], Document]
) -> Document:
    """Convert to .docx/.xlsx in a temporary folder, read that, and forget the copy."""
    program = office()
    if program is None:
        raise ReadError(str(path), f"{advice}（或安装 LibreOffice 后由本工具自动转换）")
    target = TARGET[suffix]
    with tempfile.TemporaryDirectory(prefix="auditor-") as folder:
        command = [
            program,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{folder}/profile",
            "--convert-to",
            target,
            "--outdir",
            folder,
            str(path),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired):
            raise ReadError(str(path), f"LibreOffice 转换失败或超时：{advice}") from None
        converted = Path(folder) / f"{path.stem}.{target}"
        if not converted.exists():
            raise ReadError(str(path), f"LibreOffice 无法转换此文件：{advice}")
        document = read(converted)
    return document.__class__(
        **{**{f: getattr(document, f) for f in document.__dataclass_fields__}, "path": str(path)}
    )
