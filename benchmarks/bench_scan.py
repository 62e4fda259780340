"""Time `auditor scan` on synthetic trees with --jobs 1 and --jobs 2: files/s, speed-up, memory.

    python benchmarks/bench_scan.py                    # trees of 500 and 2500 reports
    python benchmarks/bench_scan.py --sizes 500 --jobs 1 2 4 --json

For each size, make_tree.py writes a tree (in a temporary folder, or --keep DIR), then
`python -m auditor.cli scan TREE/reports --db DB --jobs J` runs on it with a fresh database for
each J, and benchmarks/check_tree.py checks that database (one row per file, every planted slip
found, broken files as error rows). Printed per run: wall time, files/s, the speed-up over
--jobs 1, and memory:
- worker peak: the largest VmHWM (peak RSS) of any process under the scan other than the scan
  itself, sampled from /proc every 50 ms (a forked worker counts the pages it shares with its
  parent; a sample cannot see growth in the last 50 ms of a process);
- ru_maxrss: the kernel's peak RSS of the largest single process of the run (the scan or any of
  its workers), from wait4.
Peak memory per worker must not grow with the number of files: compare the sizes.
If the `scan` subcommand does not exist yet, the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import check_tree  # noqa: E402
import make_tree  # noqa: E402


def scan_exists() -> bool:
    result = subprocess.run(
        [sys.executable, "-m", "auditor.cli", "scan", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return result.returncode == 0


def children(pid: int) -> list[int]:
    """Every descendant of pid, from /proc/<pid>/task/*/children."""
    found: list[int] = []
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except OSError:
                continue
            found.extend(kids)
            stack.extend(kids)
    return found


def peak_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def watch(argv: list[str], log: Path, limit: float | None = None) -> dict[str, Any]:
    """Run a command (an `auditor scan`) with its output in `log`, sampling the memory of it and
    of its children every 50 ms; killed if it runs past `limit` seconds. Exit code, wall time,
    peaks (KiB)."""
    workers: dict[int, int] = {}
    parent = 0
    killed = False
    with open(log, "w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        while True:
            done, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if done:
                break
            parent = max(parent, peak_kib(proc.pid))
            for pid in children(proc.pid):
                workers[pid] = max(workers.get(pid, 0), peak_kib(pid))
            if limit is not None and not killed and time.perf_counter() - start > limit:
                proc.kill()
                killed = True
            time.sleep(0.05)
        seconds = time.perf_counter() - start
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "killed": killed,
        "seconds": seconds,
        "parent_peak_kib": parent,
        "worker_peak_kib": max(workers.values(), default=0),
        "workers_seen": len(workers),
        "ru_maxrss_kib": usage.ru_maxrss,
    }


def run_scan(tree: Path, db: Path, jobs: int, log: Path) -> dict[str, Any]:
    argv = [sys.executable, "-m", "auditor.cli", "scan", str(tree), "--db", str(db)]
    result = watch(argv + ["--jobs", str(jobs)], log)
    if result["exit"] not in (0, 1):
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise SystemExit(f"scan --jobs {jobs} exited {result['exit']}:\n{tail}")
    return {"jobs": jobs, **result}


def bench(size: int, jobs_list: list[int], base: Path, seed: int) -> list[dict[str, Any]]:
    out = base / f"tree-{size}"
    expected = make_tree.make_tree(out, size, seed)
    files = len(expected)
    results = []
    for jobs in jobs_list:
        db = base / f"scan-{size}-j{jobs}.sqlite"
        db.unlink(missing_ok=True)
        result = run_scan(out / "reports", db, jobs, base / f"scan-{size}-j{jobs}.log")
        print(f"\n-- check of the database, {size} reports, --jobs {jobs}")
        result["check_ok"] = (
            check_tree.main([str(out), "--db", str(db)]) == 0 if db.is_file() else False
        )
        result.update(files=files, files_per_s=files / result["seconds"])
        results.append(result)
    one = next((r for r in results if r["jobs"] == 1), None)
    for r in results:
        r["speedup"] = one["seconds"] / r["seconds"] if one else None
    return results


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"{'files':>6} {'jobs':>4} {'seconds':>8} {'files/s':>8} {'speed-up':>8} "
        f"{'worker peak MiB':>15} {'ru_maxrss MiB':>13} {'check':>5}"
    ]
    for r in rows:
        speedup = f"{r['speedup']:.2f}×" if r["speedup"] else "-"
        lines.append(
            f"{r['files']:>6} {r['jobs']:>4} {r['seconds']:>8.1f} {r['files_per_s']:>8.1f} "
            f"{speedup:>8} {r['worker_peak_kib'] / 1024:>15.1f} {r['ru_maxrss_kib'] / 1024:>13.1f} "
            f"{'ok' if r['check_ok'] else 'FAIL':>5}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2500])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="write the trees and databases here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not scan_exists():
        print(
            "`auditor scan` does not exist yet (python -m auditor.cli scan --help fails); skipped"
        )
        return 0
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            rows.extend(bench(size, args.jobs, base, args.seed))
    print(f"\ncpus: {os.cpu_count()}, python {sys.version.split()[0]}")
    print(json.dumps(rows, indent=2) if args.json else table(rows))
    return 0 if all(r["check_ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
