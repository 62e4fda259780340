"""Readers: one per format, each yielding a Document (normalized text plus source map)."""

from __future__ import annotations

from pathlib import Path

from auditor.model import Document
from auditor.readers.errors import ReadError
from auditor.readers.text import document_from_text, read_text

TEXT_SUFFIXES = {".txt", ".text", ".md", ".csv", ""}


def read_document(path: str | Path) -> Document:
    """Read any supported file; raises ReadError with a reason a person can act on."""
    suffix = Path(path).suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return read_text(path)
    if suffix in {".pdf", ".docx", ".doc", ".wps", ".xlsx", ".xls", ".html", ".htm"}:
        raise ReadError(str(path), f"暂不支持 {suffix} 格式，请先另存为 UTF-8 文本（.txt）")
    return read_text(path)


__all__ = ["ReadError", "document_from_text", "read_document"]
