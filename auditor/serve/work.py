"""What a limited worker process does with one uploaded file: audit it and make everything the
page or the API may send back — the JSON contract, the findings as HTML, the marked-up copy and
the findings workbook — as bytes in memory. The files it writes stay in the request's temporary
folder, which the server deletes after the answer."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.batch import connect, file_sha256, store
from auditor.model import Audit
from auditor.pipeline import Options, audit_file
from auditor.readers import ReadError, reader_for
from auditor.render.json import render_json
from auditor.workers import TEST_HOOK, Task, audit_result, test_hook

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {".docx": DOCX, ".pdf": "application/pdf", ".html": "text/html; charset=utf-8"}


@dataclass(frozen=True, slots=True)
class Job:
    """One uploaded file: where it was saved, the name its owner gave it, and what to make."""

    path: str  # in the request's temporary folder
    name: str  # as uploaded: shown and used for the downloads, never as a path here
    profile: str | None = None  # None: the region the report names
    page: bool = False  # the HTML fragment and every download (the page); else the contract only
    annotated: bool = False  # the marked-up copy
    index: int = 0  # makes the fragment's element ids unique on the page


def check_upload(job: Job, options: Options, memory_mb: int) -> dict[str, Any]:
    """The worker's answer for one file: status, error, counts and what was asked for."""
    started = time.perf_counter()
    try:
        if TEST_HOOK in os.environ:  # the scan tests' bad files: hang, hog, exit
            test_hook(job.name, memory_mb)
        audit = audit_file(job.path, replace(options, profile=job.profile))
        answer = describe(audit, job)
        answer["files"] = outputs(audit, job, answer["contract"]) if audit.document else []
    except MemoryError:
        answer = failed(f"超出内存限制（{memory_mb} MB）")
    except Exception as exc:  # noqa: BLE001 — one file's bug must not cost the server
        answer = failed(f"核对时出错：{type(exc).__name__}: {exc}")
    answer["seconds"] = round(time.perf_counter() - started, 3)
    return answer


def failed(error: str) -> dict[str, Any]:
    return {"status": "crashed", "error": error, "files": []}


def describe(audit: Audit, job: Job) -> dict[str, Any]:
    """Status, counts and the contract, with the file called by its uploaded name."""
    shown = replace(audit, path=job.name)
    broken = [f for f in audit.findings if f.holds is False]
    answer: dict[str, Any] = {
        "status": "ok" if audit.document is not None else "unreadable",
        "error": "；".join(audit.errors) or None,
        "counts": {
            "error": sum(f.severity == "error" for f in broken),
            "warning": sum(f.severity == "warning" for f in broken),
            "checked": sum(f.holds is not None for f in audit.findings),
        },
        "kind": audit.facts.kind if audit.facts else "unknown",
        "profile": audit.profile,
        "contract": render_json([shown], __version__),
    }
    if job.page:
        from auditor.render.html import render_fragment

        answer["html"] = render_fragment(shown, job.index)
    return answer


def outputs(audit: Audit, job: Job, contract: str) -> list[dict[str, Any]]:
    """The downloads asked for: name, media type, bytes (or why it could not be made)."""
    stem = Path(job.name).stem or "report"
    made = []
    if job.page or job.annotated:
        made.append(attempt("annotated", lambda: annotated_copy(audit, job, stem)))
    if job.page:
        name = f"{stem}.核对结果.json"
        made.append(
            {"kind": "json", "name": name, "media": "application/json", "data": contract.encode()}
        )
        made.append(attempt("xlsx", lambda: findings_workbook(audit, job, stem)))
    return made


def attempt(kind: str, make: Callable[[], tuple[str, str, bytes]]) -> dict[str, Any]:
    """One download; a copy that cannot be made is said, and the findings still shown."""
    try:
        name, media, data = make()
    except Exception as exc:  # noqa: BLE001 — the findings are worth more than the copy
        return {"kind": kind, "error": f"{type(exc).__name__}: {exc}"}
    return {"kind": kind, "name": name, "media": media, "data": data}


def annotated_copy(audit: Audit, job: Job, stem: str) -> tuple[str, str, bytes]:
    """As check --annotate: a DOCX with comments, a PDF with highlights, else the HTML page."""
    from auditor.render.annotate import annotate

    source = Path(job.path)
    try:
        kind = reader_for(source)
    except ReadError:
        kind = source.suffix.lower()
    suffix = kind if kind in (".docx", ".pdf") else ".html"
    target = source.with_name(f"annotated{suffix}")
    if suffix == ".html":  # a page of its own, which names the file as its owner knows it
        audit = replace(audit, path=job.name)
    annotate(audit, target, __version__, False, kind)
    return f"{stem}.标注{suffix}", MEDIA[suffix], target.read_bytes()


def findings_workbook(audit: Audit, job: Job, stem: str) -> tuple[str, str, bytes]:
    """The scan summary workbook (报告, 问题, 规则统计) for this one file, made the way scan
    makes it: the result stored in a database (in the temporary folder), then written out."""
    from auditor.render.summary_xlsx import write_summary_xlsx

    folder = Path(job.path).parent
    db, target = folder / "findings.sqlite", folder / "findings.xlsx"
    conn = connect(db)
    try:
        task = Task(job.name, file_sha256(Path(job.path)))
        store(conn, task, audit_result(audit, 0.0), audit.rules_version)
    finally:
        conn.close()
    write_summary_xlsx(db, target)
    return f"{stem}.核对结果.xlsx", XLSX, target.read_bytes()
