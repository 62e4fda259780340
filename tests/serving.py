"""A real `auditor serve` for the tests: started as a subprocess on a free port of 127.0.0.1,
with its temporary folder (--temp-dir and TMPDIR) given by the test, and stopped afterwards."""

from __future__ import annotations

import io
import json
import os
import re
import select
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask", reason="auditor serve needs the serve extra: pip install '.[serve]'")
pytest.importorskip("waitress", reason="auditor serve needs the serve extra")

from werkzeug.datastructures import FileStorage, MultiDict  # noqa: E402
from werkzeug.test import encode_multipart  # noqa: E402

STARTUP = 60.0  # seconds for the server to say where it listens


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Server:
    def __init__(self, temp: Path, *options: str, env: dict[str, str] | None = None) -> None:
        temp.mkdir(parents=True, exist_ok=True)
        self.temp = temp
        self.log = temp.parent / f"{temp.name}.log"
        command = [sys.executable, "-m", "auditor.cli", "serve", "--port", "0"]
        command += ["--temp-dir", str(temp), *options]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=self.log.open("w"),
            env={**os.environ, "TMPDIR": str(temp), **(env or {})},
            text=True,
        )
        self.url = self.announced_url()

    def announced_url(self) -> str:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], STARTUP)
        line = self.process.stdout.readline() if ready else ""
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if not found:
            self.stop()
            raise AssertionError(f"the server did not start: {line!r} {self.log.read_text()}")
        return found.group(0)

    def alive(self) -> bool:
        return self.process.poll() is None and self.get("").status == 200

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.send(urllib.request.Request(self.url + path, headers=headers or {}))

    def post(
        self,
        path: str,
        files: list[tuple[str, bytes]],
        timeout: float = 120,
        **fields: str,
    ) -> Answer:
        """A multipart POST, as a browser sends it: each file as a `file` part, then the fields."""
        values = MultiDict(
            [("file", FileStorage(io.BytesIO(data), filename=name)) for name, data in files]
        )
        for key, value in fields.items():
            values.add(key, value)
        boundary, body = encode_multipart(values)
        request = urllib.request.Request(
            self.url + path,
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        return self.send(request, timeout)

    @staticmethod
    def send(request: urllib.request.Request, timeout: float = 120) -> Answer:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())


def leftovers(folder: Path) -> list[str]:
    """Whatever is left in a temporary folder (uploads, copies, databases, anything)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
