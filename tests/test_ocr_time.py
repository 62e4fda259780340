"""A worker reading scanned pages gets more time: each page it starts to recognise by OCR
extends its file's deadline (workers.OCR_PAGE_SECONDS), up to a ceiling, in scan and serve alike."""

from __future__ import annotations

import time
from typing import Any

from auditor import workers
from auditor.pipeline import Options
from auditor.readers import ocr

PAGES = 3
PAGE_SECONDS = 0.7  # three "pages" take 2.1 s, past the 1 s limit


def slow_pages(job: Any, options: Options, memory_mb: int) -> dict[str, Any]:
    """Stands for a scanned file: tells of each page, as the OCR reader does, then works on it."""
    for index in range(PAGES):
        if job == "scanned" and ocr.page_hook is not None:
            ocr.page_hook(index)
        time.sleep(PAGE_SECONDS)
    return {"status": "ok", "error": None, "document": None, "seconds": PAGES * PAGE_SECONDS}


def test_pages_read_by_ocr_extend_the_time_limit_and_others_do_not() -> None:
    pool = workers.LimitedPool(1, slow_pages, memory_mb=0)
    try:
        assert pool.run("scanned", timeout=1.0)["status"] == "ok"
        assert pool.run("text", timeout=1.0)["status"] == "timeout"
    finally:
        pool.close()


def test_the_extension_has_a_ceiling(monkeypatch) -> None:
    worker = workers.Worker.__new__(workers.Worker)
    worker.started, worker.timeout = time.monotonic(), 10.0
    worker.deadline = worker.started + 10.0
    worker.extend()
    assert worker.deadline >= time.monotonic() + workers.OCR_PAGE_SECONDS - 1
    monkeypatch.setattr(workers, "OCR_SECONDS", 5.0)
    worker.extend()
    assert worker.deadline == worker.started + 10.0 + 5.0
