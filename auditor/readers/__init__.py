"""Readers: one per format, each yielding a Document (normalized text plus source map)."""

from __future__ import annotations

import importlib
from pathlib import Path

from auditor.model import Document
from auditor.readers.errors import ReadError
from auditor.readers.limits import DEFAULT_LIMITS, Limits, check_file_size, check_lines
from auditor.readers.text import document_from_text, read_text

# suffix → (module, function); a reader is imported only when a file of its kind comes along.
READERS = {
    ".pdf": ("auditor.readers.pdf", "read_pdf"),
    ".docx": ("auditor.readers.docx", "read_docx"),
    ".xlsx": ("auditor.readers.xlsx", "read_xlsx"),
    ".xlsm": ("auditor.readers.xlsx", "read_xlsx"),
    ".html": ("auditor.readers.html", "read_html"),
    ".htm": ("auditor.readers.html", "read_html"),
}
OLD_FORMATS = {
    ".doc": "旧版 Word 文档（.doc）请先另存为 .docx 再核对",
    ".wps": "WPS 文档（.wps）请先另存为 .docx 再核对",
    ".xls": "旧版 Excel 表格（.xls）请先另存为 .xlsx 再核对",
    ".et": "WPS 表格（.et）请先另存为 .xlsx 再核对",
}
# What a file really is, whatever its name says: the first bytes decide.
MAGIC = [(b"%PDF", ".pdf"), (b"PK\x03\x04", ".zip"), (b"\xd0\xcf\x11\xe0", ".ole")]


# A password-protected .docx/.xlsx is an OLE file holding this stream (its name in UTF-16).
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
ENCRYPTED = "文件已加密（设有打开密码）：请在 Word/Excel 中取消密码后另存，再核对"


def is_encrypted(path: Path) -> bool:
    try:
        return ENCRYPTED_STREAM in path.read_bytes()
    except OSError:
        return False


def sniff(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ReadError(str(path), f"无法打开文件：{exc.strerror or exc}") from None
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), "")


def reader_for(path: Path) -> str:
    """The suffix whose reader fits the file: by its name, unless its first bytes say otherwise."""
    suffix = path.suffix.lower()
    kind = sniff(path)
    if kind == ".pdf":
        return ".pdf"
    if kind == ".zip" and suffix not in (".docx", ".xlsx", ".xlsm"):
        return ".docx"  # a Word or Excel file under another name; the docx reader says which
    if kind == ".ole" and is_encrypted(path):
        raise ReadError(str(path), ENCRYPTED)
    if kind == ".ole" and suffix not in OLD_FORMATS:
        return ".xls" if suffix in (".xlsx", ".xlsm") else ".doc"
    if kind == "" and suffix in (".pdf", ".docx", ".xlsx", ".xlsm"):
        raise ReadError(str(path), f"文件已损坏或不是{suffix[1:].upper()}格式（文件头不符）")
    return suffix


def read_document(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read any supported file; raises ReadError with a reason a person can act on, also when
    the file is over one of the `limits`."""
    path = Path(path)
    if check_file_size(path, limits) == 0:
        raise ReadError(str(path), "文件为空")
    suffix = reader_for(path)
    if suffix in OLD_FORMATS:
        from auditor.readers.convert import TARGET, read_converted

        return read_converted(
            path,
            suffix,
            OLD_FORMATS[suffix],
            lambda p: read_document_as(p, "." + TARGET[suffix], limits),
        )
    return read_document_as(path, suffix, limits)


def read_document_as(path: Path, suffix: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    if suffix in READERS:
        module, function = READERS[suffix]
        document: Document = getattr(importlib.import_module(module), function)(path, limits)
    else:
        document = read_text(path, limits)
    # Reading a paragraph costs time that grows with the square of its length, whatever the format.
    check_lines(path, document.text, limits)
    return document


__all__ = ["Limits", "ReadError", "document_from_text", "read_document", "reader_for"]
