"""Time `auditor check` on a 10- and a 50-page PDF against pdfplumber's bare extract_text, as ratios."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pypdf import PdfReader, PdfWriter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import ROOT, Case, Result, audit_argv, measure, time_case  # noqa: E402

SEED = ROOT / "fixtures" / "seed" / "report.pdf"
TARGET = 1.3  # the audit may cost at most this much more than the bare extraction
BARE = (
    "import sys, pdfplumber\n"
    "with pdfplumber.open(sys.argv[1]) as pdf:\n"
    "    for page in pdf.pages:\n"
    "        page.extract_text()\n"
)


def make_pdf(pages: int, folder: Path) -> Path:
    """The seed report's pages, repeated in order until there are `pages` of them."""
    seed = PdfReader(SEED)
    writer = PdfWriter()
    for k in range(pages):
        writer.add_page(seed.pages[k % len(seed.pages)])
    path = folder / f"report-{pages}p.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def build_cases(files: Sequence[Path]) -> list[Case]:
    cases = []
    for path in files:
        cases.append(
            Case(f"bare extract_text {path.stem}", ((sys.executable, "-c", BARE, str(path)),))
        )
        cases.append(Case(f"auditor check {path.stem}", (audit_argv(str(path)),), True, 1))
    return cases


def ratio_rows(results: Sequence[Result]) -> list[dict[str, float | str]]:
    rows: list[dict[str, float | str]] = []
    for bare, audit in zip(results[::2], results[1::2], strict=True):
        bare_s, audit_s = statistics.median(bare.seconds), statistics.median(audit.seconds)
        rows.append(
            {
                "file": audit.case.name.split()[-1],
                "bare_median_s": bare_s,
                "audit_median_s": audit_s,
                "ratio": audit_s / bare_s,
                "ratio_min": min(audit.seconds) / min(bare.seconds),
            }
        )
    return rows


def print_report(rows: Sequence[dict[str, float | str]], repeat: int) -> None:
    print(f"{repeat} runs each, interleaved; whole processes, median wall time")
    print(f"{'file':<14} {'bare extract_text':>18} {'auditor check':>14} {'ratio':>7} {'(min)':>7}")
    for row in rows:
        print(
            f"{row['file']:<14} {row['bare_median_s']:>17.3f}s {row['audit_median_s']:>13.3f}s "
            f"{row['ratio']:>6.2f}x {row['ratio_min']:>6.2f}x"
        )
    worst = max(float(row["ratio"]) for row in rows)
    verdict = "within" if worst <= TARGET else "OVER"
    print(f"worst ratio {worst:.2f}x: {verdict} the {TARGET}x target")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7, help="runs of each case (default 7)")
    parser.add_argument("--pages", type=int, nargs="+", default=[10, 50], help="PDF sizes")
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
    args = parser.parse_args(argv)
    if args.repeat < 1 or min(args.pages) < 1:
        parser.error("--repeat and --pages must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        files = [make_pdf(n, Path(tmp)) for n in args.pages]
        cases = build_cases(files)
        for case in cases:  # untimed: .pyc files, jieba's cache, the page cache
            time_case(case)
        rows = ratio_rows(measure(cases, args.repeat, None))
    if args.json:
        print(json.dumps({"repeat": args.repeat, "target": TARGET, "files": rows}, indent=2))
    else:
        print_report(rows, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
