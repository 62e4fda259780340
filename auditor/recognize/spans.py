"""The character spans already claimed by an identifier or a figure, so that no two overlap."""

from __future__ import annotations


class Claims:
    """Claimed characters as a byte per character of the text: asking about a span costs its
    length, not the number of spans claimed so far (a list made a text of 40 000 figures take
    half a minute, quadratically)."""

    def __init__(self, length: int) -> None:
        self.covered = bytearray(length)

    def append(self, span: tuple[int, int]) -> None:
        start, end = span[0], min(span[1], len(self.covered))
        if start < end:
            self.covered[start:end] = b"\x01" * (end - start)

    def overlaps(self, start: int, end: int) -> bool:
        return 1 in self.covered[start:end]
