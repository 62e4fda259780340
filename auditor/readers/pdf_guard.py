"""A bound on what pdfminer inflates: one stream may not decompress beyond Limits.stream_size.

pdfminer decodes a stream whole (zlib.decompress, its LZW and RunLength decoders) when a page or
an object stream is read, so a few kilobytes of deflated blanks become gigabytes in memory. It
has no setting for that; its decoders are looked up as names of pdfminer.pdftypes, so they are
replaced there, once, by bounded ones that raise StreamTooLarge past the limit. The limit is
per reading (a context variable), so one process can read files under different limits.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from io import BytesIO
from typing import Any

from pdfminer import pdftypes
from pdfminer.lzw import LZWDecoder
from pdfminer.runlength import rldecode

from auditor.readers.limits import DEFAULT_LIMITS, size_text

PIECE = 1 << 20
LIMIT: ContextVar[int] = ContextVar("pdf_stream_limit", default=DEFAULT_LIMITS.stream_size)


class StreamTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"PDF 数据流解压后 > {size_text(limit)}（疑似解压炸弹）")
        self.what = self.args[0]


class BoundedInflater:
    """zlib.decompressobj that refuses to give more than the limit in all."""

    def __init__(self, *args: Any) -> None:
        self.inner = zlib.decompressobj(*args)
        self.left = LIMIT.get()

    def decompress(self, data: bytes) -> bytes:
        """In pieces, so that a bomb costs the limit in memory and no more."""
        pieces = []
        while True:
            out = self.inner.decompress(data, PIECE)
            self.left -= len(out)
            if self.left < 0:
                raise StreamTooLarge(LIMIT.get())
            pieces.append(out)
            data = self.inner.unconsumed_tail
            if not data and len(out) < PIECE:
                return b"".join(pieces)

    def flush(self) -> bytes:
        return self.inner.flush()


class BoundedZlib:
    """Stands in for the zlib module inside pdfminer.pdftypes."""

    error = zlib.error

    @staticmethod
    def decompress(data: bytes) -> bytes:
        """Like zlib.decompress, up to the limit; a stream cut short gives what it holds (as
        pdfminer's own fallback for a damaged stream does) rather than an error."""
        inflater = BoundedInflater()
        return inflater.decompress(data) + inflater.flush()

    @staticmethod
    def decompressobj(*args: Any) -> BoundedInflater:
        return BoundedInflater(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


def bounded_lzw(data: bytes) -> bytes:
    limit = LIMIT.get()
    out = bytearray()
    for piece in LZWDecoder(BytesIO(data)).run():
        out += piece
        if len(out) > limit:
            raise StreamTooLarge(limit)
    return bytes(out)


def runlength_size(data: bytes) -> int:
    """What RunLengthDecode will give, from the length bytes alone."""
    size = position = 0
    while position < len(data) and data[position] != 128:
        length = data[position]
        if length < 128:
            size, position = size + length + 1, position + length + 2
        else:
            size, position = size + 257 - length, position + 2
    return size


def bounded_runlength(data: bytes) -> bytes:
    if runlength_size(data) > LIMIT.get():
        raise StreamTooLarge(LIMIT.get())
    return rldecode(data)


@contextmanager
def stream_limit(limit: int) -> Iterator[None]:
    token = LIMIT.set(limit)
    try:
        yield
    finally:
        LIMIT.reset(token)


setattr(pdftypes, "zlib", BoundedZlib())  # noqa: B010 — a module attribute mypy would refuse
setattr(pdftypes, "lzwdecode", bounded_lzw)  # noqa: B010
setattr(pdftypes, "rldecode", bounded_runlength)  # noqa: B010
