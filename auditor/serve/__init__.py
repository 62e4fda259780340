"""auditor serve: a local web page where a preparer drops a report and gets its findings and a
marked-up copy back, plus POST /api/check for other systems. Needs the `serve` extra
(Flask and waitress): pip install 'auditor[serve]'.

- work.py: what a limited worker process does with one uploaded file (no Flask there);
- app.py: the Flask app (the page, /check for the page, /api/check), limits and messages;
- server.py: runs the app under waitress with a pool of limited workers (workers.LimitedPool).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

ACCEPTED = (".pdf", ".docx", ".xlsx", ".xlsm", ".txt", ".html", ".htm")
MB = 1 << 20


@dataclass(frozen=True, slots=True)
class Settings:
    """What `auditor serve` is started with: the workers' limits (as scan's) and the uploads'."""

    jobs: int = max(1, os.cpu_count() or 1)  # files checked at once; more requests wait
    timeout: float = 60.0  # seconds one file may take before its worker is killed
    memory_mb: int = 2048  # address space of a worker (RLIMIT_AS); OCR maps about 1.5 GB
    max_file_mb: int = 20  # one uploaded file
    max_files: int = 10  # files in one request
    max_total_mb: int = 50  # one request, all its files together
    temp_root: str | None = None  # where uploads are processed; None: the system's temp folder
    wait_limit: float = 300.0  # seconds a request may wait for a free worker before "busy"
    rules: str | None = None  # --rules, as for check

    @property
    def max_request_bytes(self) -> int:
        return self.max_total_mb * MB + MB  # the multipart wrapping and the form fields
