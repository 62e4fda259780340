"""Scan a hostile set with `auditor scan` and check that every file is accounted for (issue 7).

    python benchmarks/hostile_scan.py                        # large hostile set + 1000 variants
    python benchmarks/hostile_scan.py --small --count 80     # about what tests/test_fuzz.py runs
    python benchmarks/hostile_scan.py --keep DIR --json

The set: fixtures/hostile/make_hostile.py's damaged and hostile files (`--small`: the small
versions; default: the large ones, a 100 MB line, gigabyte bombs, 100 000 pages) plus `--count`
mutated copies of the committed PDF/DOCX/XLSX fixtures (fixtures/hostile/make_fuzzed.py). If
make_hostile.py is not there, the variants are scanned alone, and the script says so.

`python -m auditor.cli scan SET --db DB --jobs J --timeout T --memory M` runs on it; then the
database must hold one row for every file (a result or an error row), no error that spans
lines or carries a traceback, no row over the time limit, and the scan must exit 0 within a
bound. Printed: files by outcome — ok (no finding), findings, error (unreadable, with its
reason), timeout, crashed (split into "uncaught", an exception that reached the worker, and the
rest: out of memory, a worker that died) — the wall time, the slowest file, and memory:
- parent peak: the scan process's own VmHWM (peak RSS), sampled from /proc every 50 ms;
- worker peak: the largest VmHWM of any process under the scan (the spawned workers);
- ru_maxrss: the kernel's peak RSS of the largest single process of the run, from wait4.
Exit status 0 when every check holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "fixtures" / "hostile"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scan import watch  # noqa: E402

from auditor.workers import OCR_SECONDS  # noqa: E402  the most OCR pages extend a file's limit

OUTCOMES = ("ok", "findings", "error", "timeout", "crashed", "uncaught")
UNCAUGHT = "核对时出错"  # workers.run_one's reason for an exception that reached the worker
SLACK = 5.0  # seconds a timed-out file may run past its limit before the parent's row is late


def generators() -> tuple[ModuleType, ModuleType | None]:
    """make_fuzzed, and make_hostile if it is there (None otherwise)."""
    if str(HOSTILE) not in sys.path:
        sys.path.insert(0, str(HOSTILE))
    import make_fuzzed

    try:
        import make_hostile
    except ImportError:
        return make_fuzzed, None
    return make_fuzzed, make_hostile


def build_set(base: Path, *, large: bool, count: int, seed: int = 0) -> dict[str, list[Path]]:
    """Write the hostile files into base/hostile and the variants into base/fuzzed."""
    make_fuzzed, make_hostile = generators()
    built = {"fuzzed": make_fuzzed.build(base / "fuzzed", count, seed)}
    if make_hostile is not None:
        built["hostile"] = make_hostile.build(base / "hostile", large=large)
    return built


def run_scan(
    folders: list[Path],
    db: Path,
    *,
    jobs: int,
    timeout: float,
    memory_mb: int,
    limit: float,
    log: Path,
) -> dict[str, Any]:
    """Run `auditor scan` in a process of its own; its exit code, wall time and memory peaks.
    The scan is killed if it runs past `limit` seconds (a hang the scan itself did not stop)."""
    argv = [sys.executable, "-m", "auditor.cli", "scan", *map(str, folders), "--db", str(db)]
    argv += ["--jobs", str(jobs), "--timeout", f"{timeout:g}", "--memory", str(memory_mb)]
    result = watch(argv, log, limit)
    return {**result, "seconds": round(result["seconds"], 1)}


def outcome(row: sqlite3.Row) -> str:
    if row["status"] == "ok":
        return "findings" if row["errors"] or row["warnings"] else "ok"
    if row["status"] == "unreadable":
        return "error"
    if row["status"] == "crashed" and (row["error"] or "").startswith(UNCAUGHT):
        return "uncaught"
    return str(row["status"])


def read_rows(db: Path) -> dict[Path, sqlite3.Row]:
    if not db.is_file():  # the scan never got as far as its database
        return {}
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {Path(r["path"]): r for r in conn.execute("SELECT * FROM documents")}
    finally:
        conn.close()


def expected_outcomes() -> dict[str, tuple[str, ...]]:
    """What make_hostile.KINDS says each hostile file must give: a result or an error row."""
    _, make_hostile = generators()
    kinds = {**getattr(make_hostile, "KINDS", {}), **getattr(make_hostile, "LARGE_ONLY", {})}
    return {
        name: ("ok", "findings") if kind == "readable" else ("error",)
        for name, kind in kinds.items()
    }


def account(db: Path, files: list[Path], timeout: float) -> dict[str, Any]:
    """Every file against the database: its outcome, and what is wrong with the rows."""
    rows = read_rows(db)
    expected = expected_outcomes()
    outcomes: Counter[str] = Counter()
    missing, bad_errors, late, extended, unexpected = [], [], [], [], []
    for path in files:
        row = rows.get(path.absolute())
        if row is None:
            missing.append(path.name)
            continue
        outcomes[outcome(row)] += 1
        if path.parent.name == "hostile" and outcome(row) not in expected.get(path.name, OUTCOMES):
            unexpected.append(f"{path.name}: {outcome(row)} ({row['error']})")
        error = row["error"] or ""
        if "\n" in error or "Traceback" in error:
            bad_errors.append(f"{path.name}: {error[:200]}")
        seconds = row["seconds"] or 0
        if seconds > timeout + OCR_SECONDS + SLACK:
            late.append(f"{path.name}: {seconds} s")
        elif seconds > timeout + SLACK:  # allowed: pages read by OCR extend the limit
            extended.append(f"{path.name}: {seconds} s")
    slowest = max(rows.values(), key=lambda r: r["seconds"] or 0, default=None)
    return {
        "files": len(files),
        "rows": len(rows),
        "outcomes": {name: outcomes[name] for name in OUTCOMES},
        "missing": missing,
        "bad_errors": bad_errors,
        "late": late,
        "extended": extended,
        "unexpected": unexpected,  # hostile files whose outcome is not the one KINDS names
        "uncaught": [
            f"{Path(r['path']).name}: {r['error']}"
            for r in rows.values()
            if outcome(r) == "uncaught"
        ],
        "slowest": f"{Path(slowest['path']).name} {slowest['seconds']} s" if slowest else "",
    }


def failures(scan: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """What breaks the promise: a file without a row, a traceback, a hang, a failed scan."""
    problems = []
    if scan["exit"] != 0 or scan["killed"]:
        problems.append(f"scan exited {scan['exit']}{' (killed: hung)' if scan['killed'] else ''}")
    for key in ("missing", "bad_errors", "late", "uncaught"):
        if found[key]:
            problems.append(f"{key}: {len(found[key])}: {'; '.join(found[key][:5])}")
    return problems


def hostile_scan(
    base: Path,
    *,
    large: bool,
    count: int,
    seed: int = 0,
    jobs: int = 2,
    timeout: float = 30.0,
    memory_mb: int = 1024,
) -> dict[str, Any]:
    """Build the set under base, scan it, account for every file."""
    started = time.perf_counter()
    built = build_set(base, large=large, count=count, seed=seed)
    files = [path for paths in built.values() for path in paths]
    build_seconds = time.perf_counter() - started
    db = base / "scan.sqlite"
    db.unlink(missing_ok=True)
    # a bound on the whole run: every file at its time limit, spread over the workers, plus start-up
    limit = 60 + len(files) * (timeout + SLACK) / max(1, jobs)
    folders = [base / name for name in built]
    log = base / "scan.log"
    scan = run_scan(
        folders, db, jobs=jobs, timeout=timeout, memory_mb=memory_mb, limit=limit, log=log
    )
    found = account(db, files, timeout)
    result = {
        "hostile": len(built.get("hostile", [])),
        "hostile_included": "hostile" in built,
        "fuzzed": len(built["fuzzed"]),
        "build_seconds": round(build_seconds, 1),
        "jobs": jobs,
        "timeout": timeout,
        "memory_mb": memory_mb,
        **scan,
        **found,
    }
    result["problems"] = failures(scan, found)
    return result


def report(r: dict[str, Any]) -> str:
    mib = 1024
    hostile = f"{r['hostile']} hostile" if r["hostile_included"] else "no hostile set (missing)"
    lines = [
        f"set: {hostile} + {r['fuzzed']} fuzzed variants (built in {r['build_seconds']} s)",
        f"scan: --jobs {r['jobs']} --timeout {r['timeout']:g} --memory {r['memory_mb']}: "
        f"exit {r['exit']}, {r['seconds']} s, {r['files'] / max(r['seconds'], 0.1):.1f} files/s",
        "outcomes: " + ", ".join(f"{k} {v}" for k, v in r["outcomes"].items()),
        f"rows {r['rows']} for {r['files']} files; slowest file: {r['slowest']}",
        f"memory: parent peak {r['parent_peak_kib'] / mib:.0f} MiB, worker peak "
        f"{r['worker_peak_kib'] / mib:.0f} MiB ({r['workers_seen']} processes under the scan), "
        f"ru_maxrss {r['ru_maxrss_kib'] / mib:.0f} MiB",
    ]
    lines += [f"past --timeout on OCR pages (allowed): {e}" for e in r["extended"]]
    lines += [f"unexpected outcome: {u}" for u in r["unexpected"]]
    lines += [f"PROBLEM {p}" for p in r["problems"]] or ["every file accounted for"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="fuzzed variants")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--small", action="store_true", help="the small hostile set")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per file")
    parser.add_argument("--memory", type=int, default=1024, help="MB per worker")
    parser.add_argument("--keep", type=Path, help="build and scan here instead of a temp folder")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hostile-scan-") as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        result = hostile_scan(
            base,
            large=not args.small,
            count=args.count,
            seed=args.seed,
            jobs=args.jobs,
            timeout=args.timeout,
            memory_mb=args.memory,
        )
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else report(result))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
