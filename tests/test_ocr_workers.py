"""Scanned reports in the worker processes (scan and serve): each page a worker starts to
recognise by OCR extends its file's deadline (workers.OCR_PAGE_SECONDS), up to a ceiling; the
scan row says which pages were read by OCR."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from auditor import workers
from auditor.pipeline import Options, audit_text
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


def test_a_scanned_report_is_said_so_in_its_scan_row() -> None:
    """The auditor screening a batch sees in the summary which reports were read by OCR."""
    audit = audit_text("全年预算数为2780.63万元，实际支出2522.66万元，预算执行率为90.72%。")
    assert audit.document is not None
    assert workers.audit_result(audit, 0.1)["error"] is None
    origins = tuple(dataclasses.replace(o, ocr=True) for o in audit.document.origins)
    scanned = dataclasses.replace(
        audit, document=dataclasses.replace(audit.document, origins=origins)
    )
    assert (
        workers.audit_result(scanned, 0.1)["error"]
        == "第 1 页为扫描件，由 OCR 识别（数字请核对原件）"
    )
