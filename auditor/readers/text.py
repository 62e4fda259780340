"""Plain-text reports: encoding detection, pages, lines."""

from __future__ import annotations

import codecs
from pathlib import Path

import regex

from auditor.model import Document
from auditor.readers.errors import ReadError
from auditor.readers.limits import DEFAULT_LIMITS, Limits, check_line_bytes, check_lines
from auditor.readers.normalize import RawLine, normalize

# Three or more blank lines (or a form feed) separate pages in text extracted from a PDF.
PAGE_GAP = 3
LINE_BREAK = regex.compile(r"\r\n|\r|\n")


def looks_like_text(text: str) -> bool:
    """Mostly CJK, ASCII and common punctuation: what a report decoded right looks like."""
    sample = text[:2000]
    readable = sum(
        1
        for ch in sample
        if ch.isascii() or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"
    )
    return readable >= 0.8 * len(sample)


def decode(data: bytes, path: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError(path, f"UTF-16 文本无法解码（第 {exc.start} 字节）") from None
        if not looks_like_text(text):  # bytes that merely start like a UTF-16 mark
            raise ReadError(path, "不是文本文件（以 UTF-16 标记开头，但内容无法识别）")
        return text
    if b"\x00" in data[:4096]:
        raise ReadError(path, "不是文本文件（含二进制内容）")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    guess = guess_encoding(data)
    likely = f"，看起来是 {guess}" if guess else ""
    raise ReadError(
        path, f"无法识别的文本编码（既不是 UTF-8，也不是 GBK/GB18030{likely}）：请另存为 UTF-8"
    )


def guess_encoding(data: bytes) -> str | None:
    """The encoding charset-normalizer finds most likely, to name in the refusal."""
    from charset_normalizer import from_bytes

    match = from_bytes(data[:65536]).best()
    return match.encoding if match else None


def physical_lines(text: str) -> list[str]:
    """Lines as an editor numbers them: str.splitlines also splits at a form feed (so a page
    break never registered and every later line number was one off) and at other separators."""
    lines = LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def split_lines(text: str) -> list[RawLine]:
    lines: list[RawLine] = []
    page, blanks = 1, 0
    for number, line in enumerate(physical_lines(text), start=1):
        if "\f" in line:  # kept in the line (folded to a space) so that columns stay true
            page += line.count("\f")
            blanks = 0
        if not line.strip():
            blanks += 1
            lines.append(RawLine(line, page, number))
            continue
        if blanks >= PAGE_GAP and any(ln.text.strip() for ln in lines):
            page += 1
        blanks = 0
        lines.append(RawLine(line, page, number))
    return lines


def read_text(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    path = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ReadError(path, f"无法打开文件：{exc.strerror or exc}") from None
    check_line_bytes(path, data, limits)  # a 100 MB line is refused before it is decoded
    text = decode(data, path)
    if not text.strip():
        raise ReadError(path, "文件为空")
    check_lines(path, text, limits)
    return document_from_text(text, path)


def document_from_text(text: str, path: str = "<text>") -> Document:
    return normalize(path, split_lines(text))
