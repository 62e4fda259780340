"""Worker processes under limits, for `auditor scan` and `auditor serve`: each audits one file
at a time with its address space capped (RLIMIT_AS); the parent kills one that runs past its
time and replaces one that dies. A scanned page read by OCR gives its file more time."""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from auditor.model import Audit
from auditor.pipeline import Options, audit_file, audit_text
from auditor.readers import ocr
from auditor.render.json import document_json, finding_json
from auditor.render.words import say

STARTUP_LIMIT = 120.0  # seconds a new worker may take to import and warm up
# A scanned page read by OCR takes 4–10 s on one core (fixtures/scanned): each page a worker
# starts to recognise gives its file this long again, beyond --timeout, up to OCR_SECONDS.
OCR_PAGE_SECONDS = 60.0
OCR_SECONDS = 1800.0
# The tests' bad files: "hang.txt=sleep,hog.txt=hog,boom.txt=exit,*=slow" (slow: 0.2 s each)
TEST_HOOK = "AUDITOR_SCAN_TEST"


@dataclass(frozen=True, slots=True)
class Task:
    path: str  # absolute
    sha256: str


def audit_payload(path: str, options: Options) -> dict[str, Any]:
    """One file's result as plain data: what a worker sends back."""
    started = time.perf_counter()
    audit = audit_file(path, options)
    return audit_result(audit, time.perf_counter() - started)


def audit_result(audit: Audit, seconds: float) -> dict[str, Any]:
    """An audit as the plain data a database row is made from (see store)."""
    findings = [
        finding_json(audit, f)
        for f in audit.findings
        if (f.holds is False and f.severity in ("error", "warning"))
        or f.detail.get("reason") == "crash"
    ]
    doc = document_json(audit, False)
    doc["findings"] = findings
    doc["facts"] = [f for f in doc["facts"] if f["concept"] != "unbound"]
    total = next((f for f in audit.findings if f.rule == "total-score"), None)
    notes = list(audit.errors)
    if audit.document is not None and audit.document.ocr_pages:  # the summary says so too
        notes.append(say("zh", "ocr_meta", pages="、".join(map(str, audit.document.ocr_pages))))
    return {
        "status": "ok" if audit.document is not None else "unreadable",
        "error": "；".join(notes) or None,
        "document": doc,
        "score": {"stated": total.stated, "expected": total.expected} if total else None,
        "seconds": round(seconds, 3),
    }


def test_hook(path: str, memory_mb: int) -> None:
    """Bad files on demand for the tests: AUDITOR_SCAN_TEST="hang.txt=sleep,…"."""
    actions = dict(
        item.split("=", 1) for item in os.environ.get(TEST_HOOK, "").split(",") if "=" in item
    )
    action = actions.get(Path(path).name, actions.get("*"))
    if action == "slow":
        time.sleep(0.2)
    elif action == "sleep":
        time.sleep(3600)
    elif action == "hog":
        hog = bytearray((memory_mb + 64) << 20)
        del hog
    elif action == "exit":
        os._exit(3)
    elif action == "scanned":  # three pages of 1.2 s each, told of as OCR pages are
        for index in range(3):
            if ocr.page_hook is not None:
                ocr.page_hook(index)
            time.sleep(1.2)


def run_one(path: str, options: Options, memory_mb: int) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        if TEST_HOOK in os.environ:
            test_hook(path, memory_mb)
        return audit_payload(path, options)
    except MemoryError:
        error = f"超出内存限制（{memory_mb} MB）"
    except Exception as exc:  # noqa: BLE001 — one file's bug must not cost the others
        error = f"核对时出错：{type(exc).__name__}: {exc}"
    seconds = round(time.perf_counter() - started, 3)
    return {"status": "crashed", "error": error, "document": None, "seconds": seconds}


def warm_up(options: Options) -> None:
    """Load the dictionaries and rules once, before the first file's clock starts."""
    try:
        audit_text("2023年度部门整体支出绩效自评综合得分90分，评价等级为优。", options)
    except Exception:  # noqa: BLE001, S110 — warming up only; a real file will say what is wrong
        pass


# What a worker does with each job it is sent: run_one for scan (the job is a path); auditor
# serve sends its own jobs and work (a module-level function, so that spawn can find it).
Work = Callable[[Any, Options, int], dict[str, Any]]


def worker_main(
    conn: Connection, options: Options, memory_mb: int, work: Work | None = None
) -> None:
    """A worker process: warm up, cap its memory, then audit the paths it is sent, one by one."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    warm_up(options)
    if memory_mb:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_mb << 20
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    ocr.page_hook = lambda index: conn.send(("ocr", index))
    try:
        conn.send(("ready", os.getpid()))
        while (path := conn.recv()) is not None:
            conn.send((work or run_one)(path, options, memory_mb))
    except (EOFError, OSError):  # the parent is gone
        return


# ---------------------------------------------------------------------------- the parent side


class Worker:
    """One worker process as the parent sees it: the file it is on and when that must end."""

    def __init__(
        self, ctx: Any, options: Options, memory_mb: int, work: Work | None = None
    ) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=worker_main, args=(child, options, memory_mb, work), daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False
        self.task: Task | None = None
        self.started = time.monotonic()
        self.timeout = STARTUP_LIMIT
        self.deadline = self.started + STARTUP_LIMIT

    def assign(self, task: Task, timeout: float) -> None:
        self.task = task
        self.started = time.monotonic()
        self.deadline = self.started + timeout
        self.timeout = timeout
        self.conn.send(task.path)

    def extend(self) -> None:
        """A page about to be read by OCR gets OCR_PAGE_SECONDS more, up to OCR_SECONDS in all."""
        ceiling = self.started + self.timeout + OCR_SECONDS
        self.deadline = min(max(self.deadline, time.monotonic() + OCR_PAGE_SECONDS), ceiling)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def retire(self) -> None:
        """An idle worker is asked to end; a busy one (or one that does not answer) is killed."""
        if self.process.is_alive() and self.ready and self.task is None:
            try:
                self.conn.send(None)
                self.process.join(2)
            except OSError:
                pass
        self.stop()


def failure(status: str, error: str, seconds: float) -> dict[str, Any]:
    return {"status": status, "error": error, "document": None, "seconds": round(seconds, 3)}


class LimitedPool:
    """`size` warm worker processes under the same limits as scan's, for callers on many threads
    (auditor serve): run() hands one job to an idle worker (waiting for one if all are busy) and
    waits at most `timeout` seconds for its answer. A worker that runs over is killed and
    replaced, as is one that dies or reports a crash, so one bad file costs only its own answer."""

    def __init__(
        self, size: int, work: Work, options: Options | None = None, memory_mb: int = 2048
    ) -> None:
        self.ctx = multiprocessing.get_context("spawn")
        self.work, self.options, self.memory_mb = work, options or Options(), memory_mb
        self.idle: queue.Queue[Worker] = queue.Queue()
        for _ in range(max(1, size)):
            self.idle.put(self.spawn())

    def spawn(self) -> Worker:
        return Worker(self.ctx, self.options, self.memory_mb, self.work)

    def run(self, job: Any, timeout: float, wait_limit: float | None = None) -> dict[str, Any]:
        """The worker's answer to `job`, or a "timeout" or "crashed" failure; raises queue.Empty
        when no worker became free within `wait_limit` seconds."""
        worker = self.idle.get(timeout=wait_limit)
        healthy = False
        try:
            result, healthy = self.run_on(worker, job, timeout)
        finally:
            if not healthy:
                worker.stop()
                worker = self.spawn()
            self.idle.put(worker)
        return result

    def run_on(self, worker: Worker, job: Any, timeout: float) -> tuple[dict[str, Any], bool]:
        """(answer, whether the worker can take another job)."""
        if not worker.ready:  # a fresh worker: wait for it to import and warm up
            wait(
                [worker.conn, worker.process.sentinel], max(0.0, worker.deadline - time.monotonic())
            )
            worker.ready = worker.conn.poll() and isinstance(self.receive(worker), tuple)
            if not worker.ready:
                return failure("crashed", "工作进程无法启动", 0.0), False
        worker.started, worker.timeout = time.monotonic(), timeout
        worker.deadline = worker.started + timeout
        try:
            worker.conn.send(job)
        except OSError:
            return failure("crashed", "工作进程异常退出", 0.0), False
        while True:
            wait(
                [worker.conn, worker.process.sentinel], max(0.0, worker.deadline - time.monotonic())
            )
            answer = self.receive(worker) if worker.conn.poll() else None
            if not (isinstance(answer, tuple) and answer[0] == "ocr"):
                break
            worker.extend()
        seconds = time.monotonic() - worker.started
        if isinstance(answer, dict):
            return answer, answer.get("status") != "crashed"  # a crash leaves it untrustworthy
        if not worker.process.is_alive():
            worker.process.join(1)
            code = worker.process.exitcode
            return failure("crashed", f"工作进程异常退出（{code}）", seconds), False
        return failure("timeout", f"超过时间限制 {timeout:g} 秒", seconds), False

    @staticmethod
    def receive(worker: Worker) -> Any:
        try:
            return worker.conn.recv()
        except (EOFError, OSError):
            return None

    def close(self) -> None:
        """End the idle workers; busy ones end when their caller puts them back or at exit."""
        while True:
            try:
                worker = self.idle.get_nowait()
            except queue.Empty:
                return
            worker.retire()
