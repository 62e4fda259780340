"""Screen a whole folder: every report under the paths, audited in parallel worker processes,
each result written to a SQLite database as soon as it is known.

- Resumable: a document row is keyed by (path, rules_version) and records the file's sha256;
  a re-run skips every file whose (path, sha256, rules_version) is already there, and a changed
  file replaces its row. Each result is one transaction (written by the parent only), so a run
  killed at any moment loses no finished result and never duplicates one.
- Robust: each file runs in a worker process (auditor.workers) with a time limit (the parent
  kills the worker and replaces it) and a memory limit (RLIMIT_AS in the worker); a file that
  hangs, crashes the worker or runs out of memory becomes a row with status "timeout" or
  "crashed", and the run goes on.
- Workers send back plain dicts (the JSON contract's document), never Audit objects.
- The same per-file work (run_one) can run on a Dask distributed cluster instead of local worker
  processes (executor="dask"): results come back to this process and are written by the same
  store(), so the database, resumability and skipping are the same (auditor/scan_dask.py).

The schema (SCHEMA below is the exact DDL; also in README.md, "Batch"); other programs read it,
so keep it stable and additive:

    documents  one row per file and rule set:
      path (absolute), sha256, rules_version ("<declared version>+<hash of the rule files>"),
      tool_version, status (ok | unreadable | timeout | crashed), error (why, or reading notes),
      kind, year, pages, unit (most frequent unit.name), score_stated, score_expected (without
      the 分), grade, errors, warnings (counts of error/warning findings that do not hold),
      seconds (time to audit), finished_at (UTC, ISO 8601)
    findings   the findings that do not hold (errors and warnings) plus rules that crashed:
      rule, severity, holds (0, or NULL for a crashed rule), message, stated, expected,
      page, line, part (where the first evidence stands), evidence (JSON list as in the contract)
    facts      every fact except "unbound": concept, subject, label, value, unit, page, line, text

Example: every report whose execution rate is below 80%:

    SELECT d.path, f.value FROM facts f JOIN documents d ON d.id = f.document_id
    WHERE f.concept = 'execution.rate' AND CAST(f.value AS REAL) < 80;
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.checks.ruleset import load_file, load_rules, profiles_dir, rules_dir
from auditor.pipeline import Options
from auditor.readers.limits import Limits
from auditor.workers import Task, Worker, failure

SUFFIXES = frozenset(
    (".txt", ".pdf", ".docx", ".xlsx", ".xlsm", ".html", ".htm", ".doc", ".wps", ".xls", ".et")
)
STATUSES = ("ok", "unreadable", "timeout", "crashed")
STARTUP_FAILURES = 3  # workers in a row that die before they are ready: the environment is broken

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
  id INTEGER PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL, rules_version TEXT NOT NULL,
  tool_version TEXT NOT NULL, status TEXT NOT NULL,   -- ok | unreadable | timeout | crashed
  error TEXT, kind TEXT, year INTEGER, pages INTEGER, unit TEXT,
  score_stated TEXT, score_expected TEXT, grade TEXT,
  errors INTEGER NOT NULL DEFAULT 0, warnings INTEGER NOT NULL DEFAULT 0,
  seconds REAL, finished_at TEXT, UNIQUE (path, rules_version));
CREATE TABLE IF NOT EXISTS findings (
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  rule TEXT NOT NULL, severity TEXT NOT NULL, holds INTEGER, message TEXT, stated TEXT,
  expected TEXT, page INTEGER, line INTEGER, part TEXT, evidence TEXT);
CREATE TABLE IF NOT EXISTS facts (
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  concept TEXT NOT NULL, subject TEXT, label TEXT, value TEXT, unit TEXT, page INTEGER,
  line INTEGER, text TEXT);
CREATE INDEX IF NOT EXISTS findings_document ON findings(document_id);
CREATE INDEX IF NOT EXISTS facts_document ON facts(document_id);
CREATE INDEX IF NOT EXISTS facts_concept ON facts(concept);
"""


class ScanError(Exception):
    """The scan cannot run at all (workers cannot start, the database cannot be opened)."""


@dataclass
class ScanStats:
    """How far a scan has got; handed to the progress callback after each file."""

    total: int = 0  # files found
    skipped: int = 0  # already in the database, unchanged
    audited: int = 0  # audited in this run
    errors: int = 0  # error findings, skipped files included
    warnings: int = 0
    statuses: Counter[str] = field(default_factory=Counter)  # of the files audited in this run
    started: float = field(default_factory=time.monotonic)
    units: int = 0  # units (department report + project tables) compared across documents

    @property
    def done(self) -> int:
        return self.skipped + self.audited

    @property
    def findings(self) -> int:
        return self.errors + self.warnings


# ---------------------------------------------------------------------------- finding the files


def is_ours(path: Path) -> bool:
    """Hidden files, Office lock files and our own marked-up copies are not reports."""
    name = path.name
    return name.startswith((".", "~$")) or ".标注." in name


def discover(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> list[Path]:
    """Every supported file under the paths (files named directly count too), absolute, sorted,
    each once; hidden folders and files, lock files, marked-up copies and `exclude` left out."""
    skip = {Path(p).absolute() for p in exclude}
    found: set[Path] = set()
    for root in paths:
        root = Path(root).absolute()
        if root.is_file():
            candidates: Iterable[Path] = [root]
        else:
            candidates = walk(root)
        for path in candidates:
            if path.suffix.lower() in SUFFIXES and not is_ours(path) and path not in skip:
                found.add(path)
    return sorted(found)


def walk(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            yield Path(folder) / name


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def rules_version(
    rules: str | Path | None = None, profile: str | None = None, limits: Limits | None = None
) -> str:
    """The rule set's declared version plus a hash of the rule files' content, the regional
    profiles, the --profile chosen and any limit changed from its default, so that edited rules
    (or another --rules, --profile or --max-file-size) re-audit every file."""
    where = Path(rules) if rules else rules_dir()
    if where.is_file():
        version, files = load_file(where).version, [where]
    else:
        version, files = load_rules("department", where).version, sorted(where.glob("*.yaml"))
    files += sorted(profiles_dir().glob("*.yaml"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    if profile:
        digest.update(f"profile={profile}".encode())
    if limits is not None and limits != Limits():  # a file refused under one is read under another
        digest.update(repr(limits).encode())
    return f"{version or '0'}+{digest.hexdigest()[:8]}"


# ---------------------------------------------------------------------------- the database


def connect(db_path: str | Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # a committed result survives a power loss too
    conn.execute("PRAGMA foreign_keys=ON")
    conn.executescript(SCHEMA)
    return conn


def known(conn: sqlite3.Connection, version: str) -> dict[str, tuple[str, int, int]]:
    """path → (sha256, errors, warnings) of the rows already there for this rule set."""
    rows = conn.execute(
        "SELECT path, sha256, errors, warnings FROM documents WHERE rules_version = ?", (version,)
    )
    return {path: (sha, errors, warnings) for path, sha, errors, warnings in rows}


def strip_points(text: str | None) -> str | None:
    return text.strip().removesuffix("分").strip() or None if text else None


def most_frequent(values: list[str]) -> str | None:
    return Counter(values).most_common(1)[0][0] if values else None


def document_row(result: dict[str, Any]) -> dict[str, Any]:
    """The documents columns a worker's result gives (path, hash and versions aside)."""
    doc: dict[str, Any] = result.get("document") or {}
    ok = result["status"] == "ok" and bool(doc)
    facts = doc["facts"] if doc else []
    findings = doc["findings"] if doc else []
    broken = [f for f in findings if f.get("holds") is False]
    score = result.get("score") or {}
    first: dict[str, str] = {}
    for fact in facts:
        first.setdefault(fact["concept"], fact["value"])
    return {
        "status": result["status"],
        "error": result.get("error") or None,
        "kind": doc["kind"] if ok else None,
        "year": doc.get("year") if ok else None,
        "pages": doc["pages"] if ok else None,
        "unit": most_frequent([f["value"] for f in facts if f["concept"] == "unit.name"])
        or next((f["value"] for f in facts if f["concept"] == "report.unit"), None),
        "score_stated": strip_points(first.get("score.total") or score.get("stated")),
        "score_expected": strip_points(score.get("expected")),
        "grade": first.get("grade"),
        "errors": sum(f["severity"] == "error" for f in broken),
        "warnings": sum(f["severity"] == "warning" for f in broken),
        "seconds": result.get("seconds"),
    }


def store(
    conn: sqlite3.Connection, task: Task, result: dict[str, Any], version: str
) -> dict[str, Any]:
    """Write one file's result in one transaction, replacing an older row for the same path."""
    row = document_row(result)
    row.update(
        path=task.path,
        sha256=task.sha256,
        rules_version=version,
        tool_version=__version__,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    doc = result.get("document") or {}
    conn.execute("BEGIN IMMEDIATE")
    try:
        old = conn.execute(
            "SELECT id FROM documents WHERE path = ? AND rules_version = ?", (task.path, version)
        ).fetchone()
        if old:
            for table in ("findings", "facts"):
                conn.execute(f"DELETE FROM {table} WHERE document_id = ?", old)
            conn.execute("DELETE FROM documents WHERE id = ?", old)
        columns = ", ".join(row)
        marks = ", ".join(f":{key}" for key in row)
        cursor = conn.execute(f"INSERT INTO documents ({columns}) VALUES ({marks})", row)
        doc_id = cursor.lastrowid
        conn.executemany(
            "INSERT INTO findings (document_id, rule, severity, holds, message, stated, expected,"
            " page, line, part, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [finding_row(doc_id, f) for f in doc.get("findings", [])],
        )
        conn.executemany(
            "INSERT INTO facts (document_id, concept, subject, label, value, unit, page, line,"
            " text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [fact_row(doc_id, f) for f in doc.get("facts", [])],
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return row


def finding_row(doc_id: int | None, f: dict[str, Any]) -> tuple:
    where = f["evidence"][0] if f.get("evidence") else {}
    holds = f.get("holds")
    return (
        doc_id,
        f["rule"],
        f["severity"],
        None if holds is None else int(holds),
        f.get("message"),
        f.get("stated"),
        f.get("expected"),
        where.get("page"),
        where.get("line"),
        where.get("part"),
        json.dumps(f.get("evidence", []), ensure_ascii=False),
    )


def fact_row(doc_id: int | None, f: dict[str, Any]) -> tuple:
    return (
        doc_id,
        f["concept"],
        f.get("subject"),
        f.get("label"),
        f.get("value"),
        f.get("unit"),
        f.get("page"),
        f.get("line"),
        f.get("text"),
    )


def scan(
    paths: Sequence[str | Path],
    db_path: str | Path = "results.sqlite",
    jobs: int = 1,
    timeout: float = 60.0,
    memory_mb: int = 2048,
    options: Options | None = None,
    progress: Callable[[ScanStats], None] | None = None,
    exclude: Iterable[str | Path] = (),
    executor: str = "local",
    scheduler: str | None = None,
    units: bool = True,
) -> ScanStats:
    """Audit every supported file under `paths` not yet in the database; see the module doc.
    Then (`units`) compare each unit's documents in the database (auditor/unitscan.py).

    executor="local" runs `jobs` worker processes here; executor="dask" runs the same work on
    the Dask cluster at `scheduler` (an address such as "tcp://host:8786"), or on a LocalCluster
    of `jobs` single-threaded worker processes when scheduler is None."""
    if executor not in ("local", "dask"):
        raise ValueError(f"unknown executor: {executor!r}")
    if scheduler is not None and executor != "dask":
        raise ValueError("scheduler is for executor='dask' only")
    options = options or Options()
    db = Path(db_path).absolute()
    skip = [db, *(db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal")), *exclude]
    files = discover(paths, skip)
    version = rules_version(options.rules, options.profile, options.limits)
    conn = connect(db)
    stats = ScanStats(total=len(files))
    report = progress or (lambda _: None)
    try:
        done = known(conn, version)
        report(stats)

        def pending() -> Iterator[Task]:
            for path in files:
                try:
                    sha = file_sha256(path)
                except OSError as exc:
                    sha = f"unreadable:{exc.errno}"
                seen = done.get(str(path))
                if seen and seen[0] == sha:
                    stats.skipped += 1
                    stats.errors += seen[1]
                    stats.warnings += seen[2]
                    report(stats)
                    continue
                yield Task(str(path), sha)

        run = Run(conn, version, stats, report, jobs, timeout, memory_mb, options)
        if executor == "local":
            run_workers(pending(), run)
        else:
            from auditor.scan_dask import run_dask

            run_dask(pending(), run, scheduler)
        if units:
            from auditor.unitscan import check_stored_units

            found = check_stored_units(conn, version, options.rules)
            stats.units = found.groups
            stats.errors += found.errors_delta
            stats.warnings += found.warnings_delta
    finally:
        conn.close()
    return stats


@dataclass(frozen=True, slots=True)
class Run:
    """What a runner needs, local or on Dask: where each result goes and the limits of a file."""

    conn: sqlite3.Connection
    version: str
    stats: ScanStats
    report: Callable[[ScanStats], None]
    jobs: int
    timeout: float
    memory_mb: int
    options: Options

    def record(self, task: Task, result: dict[str, Any]) -> None:
        """One file's result stored (its own transaction) and counted."""
        row = store(self.conn, task, result, self.version)
        self.stats.audited += 1
        self.stats.statuses[row["status"]] += 1
        self.stats.errors += row["errors"]
        self.stats.warnings += row["warnings"]
        self.report(self.stats)


def run_workers(tasks: Iterator[Task], run: Run) -> None:
    options, memory_mb, timeout = run.options, run.memory_mb, run.timeout
    ctx = multiprocessing.get_context("spawn")
    # the first task decides whether workers are needed at all (everything may be skipped)
    queue: list[Task] = []
    first = next(tasks, None)
    if first is None:
        return
    queue.append(first)
    workers: list[Worker] = [Worker(ctx, options, memory_mb) for _ in range(max(1, run.jobs))]
    exhausted = False
    failures = 0

    def finish(worker: Worker, result: dict[str, Any]) -> None:
        assert worker.task is not None
        run.record(worker.task, result)
        worker.task = None

    def replace(index: int) -> None:
        workers[index].stop()
        workers[index] = Worker(ctx, options, memory_mb)

    try:
        while True:
            for worker in workers:
                if worker.ready and worker.task is None and not exhausted:
                    task = queue.pop() if queue else next(tasks, None)
                    if task is None:
                        exhausted = True
                    else:
                        worker.assign(task, timeout)
            waiting = [w for w in workers if w.task is not None or (not w.ready and not exhausted)]
            if not waiting:
                break
            now = time.monotonic()
            wait(
                [w.conn for w in waiting] + [w.process.sentinel for w in waiting],
                max(0.0, min(w.deadline for w in waiting) - now),
            )
            now = time.monotonic()
            for index, worker in enumerate(workers):
                if worker not in waiting:
                    continue
                message: Any = None
                dead = False
                if worker.conn.poll():
                    try:
                        message = worker.conn.recv()
                    except (EOFError, OSError):
                        dead = True
                elif not worker.process.is_alive():
                    dead = True
                if isinstance(message, tuple) and message[0] == "ocr":
                    worker.extend()
                elif isinstance(message, tuple):  # ("ready", pid)
                    worker.ready = True
                    failures = 0
                elif isinstance(message, dict):
                    finish(worker, message)
                    if message["status"] == "crashed":  # its state is not to be trusted
                        replace(index)
                elif dead or now >= worker.deadline:
                    if worker.task is not None:
                        seconds = now - worker.started
                        if dead:
                            code = worker.process.exitcode
                            result = failure("crashed", f"工作进程异常退出（{code}）", seconds)
                        else:
                            result = failure("timeout", f"超过时间限制 {timeout:g} 秒", seconds)
                        finish(worker, result)
                    elif not worker.ready:
                        failures += 1
                        if failures >= STARTUP_FAILURES:
                            raise ScanError("工作进程无法启动（连续 3 次）")
                    replace(index)
    finally:
        for worker in workers:  # idle workers end by themselves; busy ones are killed
            worker.retire()
