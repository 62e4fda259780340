"""The one error a reader raises: a file that cannot be read, with the reason in words."""

from __future__ import annotations


class ReadError(Exception):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
