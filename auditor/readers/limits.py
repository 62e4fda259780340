"""How much a reader takes in before it refuses a file: size, pages, unpacked size, XML depth,
line length. Files reach an auditor in bulk from hundreds of units, and a document parser is an
attack surface, so every format has a bound that keeps one file from hanging or exhausting a
machine; each bound that trips is a ReadError naming itself and its value.

The defaults, and why:
- file_size 200 MB: the largest real reports (scanned PDFs with images) are tens of MB.
- pages 2000: a self-evaluation report has 5–50 pages; a few thousand is a bound, not a guess.
- stream_size 100 MB: one PDF stream inflated; a page's content is kilobytes to a few MB, a
  whole CJK font 10–40 MB. A deflate bomb inflates 1000:1.
- zip_entries 10 000, zip_size 500 MB, zip_ratio 100: a DOCX or XLSX holds tens to hundreds of
  parts, a few MB unpacked; OOXML compresses 5–30:1. The ratio (all entries' declared sizes over
  the file's size) only counts above RATIO_FLOOR, so a small file of very regular XML passes.
  Python's zipfile never inflates an entry beyond its declared size (it stops and fails the
  CRC), so the declared sizes bound what is actually unpacked.
- xml_depth 200: Word nests a few levels per table; libxml2 itself stops at 256 (XML) or
  silently cuts a page there (HTML), and our readers walk nested tables and controls recursively.
- line_length 50 000 characters: the longest paragraph of the corpus is about 1 000; a line of
  50 000 characters dense with figures takes about 5 s to interpret (pairing every figure with
  the others grows faster than the line), so a longer one is not a report's paragraph.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import AnyStr

from lxml import etree

from auditor.readers.errors import ReadError

MB = 1 << 20
# What a damaged DOCX/XLSX package raises while it is opened (zipfile, zlib, lxml), besides the
# errors of python-docx and openpyxl themselves.
PACKAGE_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    ValueError,
    etree.LxmlError,
    RuntimeError,  # zipfile: an entry flagged encrypted; an unknown zip version or method
)
RATIO_FLOOR = 10 * MB  # below this much unpacked data, no ratio is suspicious
PROLOG = 4096  # bytes of each XML part read to look for a DTD before the parsers run
DTD = "XML 部件“{name}”含 DTD/实体声明（Word、Excel 不会写出，可能是恶意构造的文件），出于安全不予读取"


@dataclass(frozen=True, slots=True)
class Limits:
    file_size: int = 200 * MB  # bytes (--max-file-size, in MB)
    pages: int = 2000  # PDF pages (--max-pages)
    stream_size: int = 100 * MB  # one PDF stream, decompressed
    zip_entries: int = 10_000  # entries of a DOCX/XLSX package
    zip_size: int = 500 * MB  # all entries together, uncompressed
    zip_ratio: int = 100  # uncompressed : file size, above RATIO_FLOOR
    xml_depth: int = 200  # elements nested in a DOCX body or an HTML page
    line_length: int = 50_000  # characters in one line or paragraph


def size_text(size: int) -> str:
    """312 MB, 1.5 MB, 24 KB: enough digits to see which side of a limit it is."""
    if size >= 10 * MB:
        return f"{size / MB:.0f} MB"
    if size >= MB:
        return f"{size / MB:.1f} MB"
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} 字节"


def exceeded(path: str | Path, what: str, flag: str = "") -> ReadError:
    """超过限制：文件大小 312 MB > 200 MB（--max-file-size）"""
    return ReadError(str(path), f"超过限制：{what}" + (f"（{flag}）" if flag else ""))


def check_file_size(path: Path, limits: Limits) -> int:
    """The file's size, once it is known not to be over the limit."""
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise ReadError(str(path), f"无法打开文件：{exc.strerror or exc}") from None
    if size > limits.file_size:
        what = f"文件大小 {size_text(size)} > {size_text(limits.file_size)}"
        raise exceeded(path, what, "--max-file-size")
    return size


def check_zip(path: Path, archive: zipfile.ZipFile, limits: Limits) -> None:
    """Entry count, unpacked size and ratio of a DOCX/XLSX, before any of it is inflated; then
    the prolog of each XML part, where a DTD (an entity bomb's declarations) would stand."""
    entries = archive.infolist()
    if len(entries) > limits.zip_entries:
        raise exceeded(path, f"压缩包条目数 {len(entries)} > {limits.zip_entries}（疑似压缩炸弹）")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limits.zip_size:
        what = f"解压后总大小 {size_text(unpacked)} > {size_text(limits.zip_size)}（疑似压缩炸弹）"
        raise exceeded(path, what)
    packed = max(1, os.stat(path).st_size)
    if unpacked > RATIO_FLOOR and unpacked > limits.zip_ratio * packed:
        what = f"压缩比 {unpacked // packed}:1 > {limits.zip_ratio}:1（疑似压缩炸弹）"
        raise exceeded(path, what)
    for entry in entries:
        if entry.filename.endswith((".xml", ".rels")) and has_dtd(archive, entry):
            raise ReadError(str(path), DTD.format(name=entry.filename))


def has_dtd(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    """Only the start is read: a DTD comes before the root element. The parsers stay safe
    without this (python-docx resolves no entities, openpyxl parses with defusedxml); it only
    gives the refusal its reason."""
    try:
        with archive.open(entry) as part:
            head = part.read(PROLOG)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return False  # a damaged part: the reader says so when it gets there
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


@lru_cache(maxsize=8)
def deeper_than(depth: int) -> etree.XPath:
    """An element nested more than `depth` levels below the root, found by libxml2 in one pass."""
    return etree.XPath("boolean(" + "/".join(["*"] * depth) + ")")


def check_depth(path: Path, root: etree._Element, limits: Limits) -> None:
    if deeper_than(limits.xml_depth)(root):
        raise too_deep(path, limits)


def too_deep(path: Path, limits: Limits) -> ReadError:
    return exceeded(path, f"元素嵌套深度 > {limits.xml_depth} 层（XML/HTML）")


def is_depth_error(exc: BaseException) -> bool:
    """libxml2's own bound (256 levels without XML_PARSE_HUGE), reached before ours is checked."""
    return "Excessive depth" in str(exc)


def has_long_line(data: AnyStr, length: int, lf: AnyStr, cr: AnyStr) -> bool:
    """A stretch of more than `length` between line breaks. Found with find (memchr speed, no
    copies): a regular expression takes seconds over a 100 MB line, splitting copies it."""
    if len(data) <= length:
        return False
    start = 0
    while start <= len(data):
        end = data.find(lf, start)
        end = len(data) if end < 0 else end
        if end - start > length:
            if data.find(cr, start, end) < 0:
                return True
            if any(len(piece) > length for piece in data[start:end].split(cr)):  # \r only
                return True
        start = end + 1
    return False


def check_lines(path: str | Path, text: str, limits: Limits) -> None:
    """No line (a normalized paragraph) longer than the limit."""
    if has_long_line(text, limits.line_length, "\n", "\r"):
        raise exceeded(path, f"有一行（段落）超过 {limits.line_length} 个字符")


def check_line_bytes(path: str | Path, data: bytes, limits: Limits) -> None:
    """Before decoding: a run of more than 4 bytes per allowed character without a line break is
    over the limit in any encoding (UTF-8, GB18030 and UTF-16 take at most 4 bytes a character),
    and is refused without building a string of it."""
    if has_long_line(data, 4 * limits.line_length, b"\n", b"\r"):
        raise exceeded(path, f"有一行（段落）超过 {limits.line_length} 个字符")


DEFAULT_LIMITS = Limits()
