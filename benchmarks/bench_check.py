"""Time and size `auditor check` against bare Python and bare jieba in one run, as ratios."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = "fixtures/seed/report.txt"  # relative to ROOT, where the processes run
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
JIEBA_SNIPPET = "import jieba; jieba.lcut('我单位年初预算数为2872.68万元')"

Argv = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    commands: tuple[Argv, ...]  # one sample = all of these, one after another
    is_audit: bool = False  # exit 1 means findings, and stdout must be JSON
    files: int = 0  # reports audited per sample


@dataclass(frozen=True, slots=True)
class Result:
    case: Case
    seconds: list[float]  # one per repeat
    peak_rss_kib: int  # the largest of any one process

    def summary(self) -> dict[str, Any]:
        return {
            "processes": len(self.case.commands),
            "files": self.case.files,
            "median_s": statistics.median(self.seconds),
            "min_s": min(self.seconds),
            "samples_s": self.seconds,
            "peak_rss_kib": self.peak_rss_kib,
        }


def audit_argv(*files: str) -> Argv:
    return (sys.executable, "-m", "auditor.cli", "check", *files, "--format", "json")


def build_cases(corpus: Path | None) -> list[Case]:
    cases = [
        Case("bare start-up", ((sys.executable, "-c", "pass"),)),
        Case("bare jieba import+cut", ((sys.executable, "-c", JIEBA_SNIPPET),)),
        Case("audit seed", (audit_argv(SEED),), is_audit=True, files=1),
    ]
    reports = sorted(str(p) for p in corpus.glob("*/report.txt")) if corpus else []
    if reports:
        per_file = tuple(audit_argv(r) for r in reports)
        cases.append(Case("audit corpus, a process per file", per_file, True, len(reports)))
        # One process for all files: the difference from the row above is start-up cost.
        cases.append(Case("audit corpus, one process", (audit_argv(*reports),), True, len(reports)))
    return cases


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    max_rss_kib: int  # but see rss_floor_kib
    exit_code: int
    stdout: str
    stderr: str


def run_process(argv: Argv) -> Run:
    """One process, timed from spawn to reap; its output goes to files, read after the clock."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=err)
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN's ru_maxrss is the largest
        # child so far, so a delta would hide an audit smaller than the jieba run before it.
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            elapsed,
            usage.ru_maxrss,
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def verify(case: Case, argv: Argv, run: Run) -> None:
    """Stop rather than time a crash as a fast audit (the code may be edited mid-run)."""
    allowed = (0, 1) if case.is_audit else (0,)
    # An uncaught exception also exits 1, so an audit must also have printed JSON.
    if run.exit_code not in allowed or (case.is_audit and not parses_as_json(run.stdout)):
        sys.exit(f"bench_check: {' '.join(argv)} exited {run.exit_code}\n{run.stderr}")


def parses_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def rss_floor_kib() -> int:
    """A child's ru_maxrss starts at its launcher's: Linux carries the pre-exec high-water over."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def gnu_time_rss(argv: Argv) -> int | None:
    """Peak RSS (KiB) launched from GNU time, whose ~1 MiB is the floor instead of ours."""
    gnu_time = shutil.which("time")
    if gnu_time is None:
        return None
    with tempfile.NamedTemporaryFile("r") as out:
        proc = subprocess.run(
            (gnu_time, "-f", "%M", "-o", out.name, *argv),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        lines = out.read().split()  # "Command exited with non-zero status 1" comes first
    if proc.returncode not in (0, 1) or not lines or not lines[-1].isdigit():
        return None
    return int(lines[-1])


def rss_by_gnu_time(cases: Sequence[Case]) -> dict[str, int] | None:
    """One untimed run of every command under GNU time; None if it is not installed."""
    peaks: dict[str, int] = {}
    for case in cases:
        sizes = [gnu_time_rss(argv) for argv in case.commands]
        if None in sizes:
            return None
        peaks[case.name] = max(s for s in sizes if s is not None)
    return peaks


def time_case(case: Case) -> tuple[float, int]:
    """Total seconds and largest RSS of the case's processes, each checked."""
    runs = [run_process(argv) for argv in case.commands]
    for argv, run in zip(case.commands, runs, strict=True):
        verify(case, argv, run)
    return sum(r.seconds for r in runs), max(r.max_rss_kib for r in runs)


def measure(cases: Sequence[Case], repeat: int, rss: dict[str, int] | None) -> list[Result]:
    """Time every case `repeat` times; peak RSS from `rss` if given, else from wait4."""
    seconds: dict[str, list[float]] = {c.name: [] for c in cases}
    peaks: dict[str, int] = {c.name: 0 for c in cases}
    # Interleave the cases so that a slow spell on this noisy machine hits all of them alike
    # and the ratios stay fair, rather than running each case's repeats back to back.
    for _ in range(repeat):
        for case in cases:
            elapsed, peak = time_case(case)
            seconds[case.name].append(elapsed)
            peaks[case.name] = max(peaks[case.name], peak)
    peaks = rss or peaks
    return [Result(c, seconds[c.name], peaks[c.name]) for c in cases]


def measure_in_process(repeat: int) -> dict[str, Any]:
    """Import once, then time audit_file: the first call (lazy loads) against warm calls."""
    # The same auditor the subprocesses get from their working directory, even when this
    # tree is a copy beside an editable install of another.
    sys.path.insert(0, str(ROOT))
    start = time.perf_counter()
    from auditor.pipeline import audit_file

    imported = time.perf_counter() - start
    path = ROOT / SEED
    start = time.perf_counter()
    audit = audit_file(path)
    first = time.perf_counter() - start
    if audit.errors:
        sys.exit(f"bench_check: audit_file({path}) failed: {audit.errors}")
    warm = []
    for _ in range(repeat):
        start = time.perf_counter()
        audit_file(path)
        warm.append(time.perf_counter() - start)
    return {
        "import_s": imported,
        "first_call_s": first,
        "warm_median_s": statistics.median(warm),
        "warm_min_s": min(warm),
        "warm_samples_s": warm,
        "findings": len(audit.findings),
    }


def ratios(results: Sequence[Result]) -> dict[str, dict[str, float]]:
    by_name = {r.case.name: r for r in results}
    audit = by_name["audit seed"]
    out = {}
    for label, base in (
        ("audit / bare start-up", "bare start-up"),
        ("audit / bare jieba import+cut", "bare jieba import+cut"),
    ):
        ref = by_name[base]
        out[label] = {
            "median": statistics.median(audit.seconds) / statistics.median(ref.seconds),
            "min": min(audit.seconds) / min(ref.seconds),
        }
    return out


def print_report(
    results: Sequence[Result],
    in_proc: dict[str, Any],
    rat: dict[str, dict[str, float]],
    repeat: int,
    rss_method: str,
) -> None:
    width = max(len(r.case.name) for r in results)
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {repeat} repeats, "
        "wall time of whole processes"
    )
    print(f"{'':<{width}}  {'median':>9}  {'min':>9}  {'peak RSS':>10}   (RSS by {rss_method})")
    for r in results:
        median, fastest = statistics.median(r.seconds), min(r.seconds)
        rss_mib = r.peak_rss_kib / 1024
        print(f"{r.case.name:<{width}}  {median:>8.3f}s  {fastest:>8.3f}s  {rss_mib:>6.1f} MiB")
    print()
    print(
        f"in process: import auditor.pipeline {in_proc['import_s']:.3f}s, "
        f"first audit_file {in_proc['first_call_s']:.3f}s, "
        f"warm median {in_proc['warm_median_s']:.4f}s (min {in_proc['warm_min_s']:.4f}s)"
    )
    print()
    for label, value in rat.items():
        print(f"{label}: {value['median']:.2f}x median, {value['min']:.2f}x min")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10, help="runs of each case (default 10)")
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help=f"folder of */report.txt (default {DEFAULT_CORPUS} if present)",
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.corpus is None and DEFAULT_CORPUS.is_dir():
        args.corpus = DEFAULT_CORPUS
    elif args.corpus is not None and not args.corpus.is_dir():
        parser.error(f"--corpus: no such folder {args.corpus}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    cases = build_cases(args.corpus.resolve() if args.corpus else None)
    # An untimed round first: .pyc files, jieba's /tmp cache, the page cache.
    for case in cases:
        time_case(case)
    rss = rss_by_gnu_time(cases)
    results = measure(cases, args.repeat, rss)
    rss_method = "GNU time" if rss else f"wait4, floor {rss_floor_kib()} KiB (the benchmark's own)"
    in_proc = measure_in_process(args.repeat)
    rat = ratios(results)
    if args.json:
        print(
            json.dumps(
                {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "repeat": args.repeat,
                    "corpus": str(args.corpus) if args.corpus else None,
                    "rss_method": rss_method,
                    "subprocess": {r.case.name: r.summary() for r in results},
                    "in_process": in_proc,
                    "ratios": rat,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print_report(results, in_proc, rat, args.repeat, rss_method)
    return 0


if __name__ == "__main__":
    sys.exit(main())
