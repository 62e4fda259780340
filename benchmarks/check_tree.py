"""Check a scan of a tree made by make_tree.py against its expected.json.

    python benchmarks/check_tree.py OUT --db scan.sqlite   # the database of `auditor scan OUT/reports`
    python benchmarks/check_tree.py OUT --audit            # audit every file here, in this process

Reports: every file has exactly one document row (none missing, none extra, none twice); every
planted slip is found (its rules fire: a finding with holds false, error or warning); every broken
file is an error row (status not ok). Rules firing beyond the planted ones are counted, not failed.
Exit status 0 when all holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(slots=True)
class Row:
    status: str
    error: str
    fired: set[str] = field(default_factory=set)


def key_for(path: str, reports: Path, keys: set[str]) -> str | None:
    """The expected.json key of a path the scan stored (absolute, or relative to where it ran)."""
    p = Path(path)
    for candidate in (p, Path.cwd() / p):
        try:
            rel = candidate.resolve().relative_to(reports.resolve()).as_posix()
        except ValueError:
            continue
        if rel in keys:
            return rel
    posix = p.as_posix()
    return next((k for k in keys if posix.endswith("/" + k) or posix == k), None)


def rows_from_db(db: Path, reports: Path, keys: set[str]) -> tuple[dict[str, list[Row]], list[str]]:
    conn = sqlite3.connect(db)
    docs = conn.execute("SELECT id, path, status, error FROM documents").fetchall()
    fired: dict[int, set[str]] = {}
    for doc_id, rule in conn.execute(
        "SELECT document_id, rule FROM findings"
        " WHERE holds = 0 AND severity IN ('error', 'warning')"
    ):
        fired.setdefault(doc_id, set()).add(rule)
    conn.close()
    rows: dict[str, list[Row]] = {}
    strays = []
    for doc_id, path, status, error in docs:
        key = key_for(path, reports, keys)
        if key is None:
            strays.append(path)
            continue
        rows.setdefault(key, []).append(Row(status or "", error or "", fired.get(doc_id, set())))
    return rows, strays


def rows_from_audits(reports: Path, keys: set[str]) -> dict[str, list[Row]]:
    sys.path.insert(0, str(ROOT))
    from auditor.pipeline import audit_file

    rows = {}
    for key in sorted(keys):
        audit = audit_file(reports / key)
        fired = {
            f.rule
            for f in audit.findings
            if f.holds is False and f.severity in ("error", "warning")
        }
        status = "unreadable" if audit.document is None else "ok"
        rows[key] = [Row(status, "; ".join(audit.errors), fired)]
    return rows


def check(expected: dict[str, object], rows: dict[str, list[Row]], strays: list[str]) -> int:
    problems: list[str] = []
    counts = Counter[str]()
    extra_rules = Counter[str]()
    for key, want in sorted(expected.items()):
        got = rows.get(key, [])
        if len(got) != 1:
            problems.append(f"{key}: {len(got)} document rows, want 1")
            counts["rows"] += 1
            if not got:
                continue
        row = got[0]
        if want == "unreadable":
            counts["broken"] += 1
            if row.status == "ok":
                problems.append(f"{key}: broken file but status ok")
            else:
                counts["broken_ok"] += 1
            continue
        assert isinstance(want, list)
        if row.status != "ok":
            problems.append(f"{key}: status {row.status} ({row.error})")
            counts["failed"] += 1
            continue
        for rule in want:
            counts["slips"] += 1
            if rule in row.fired:
                counts["found"] += 1
            else:
                problems.append(
                    f"{key}: planted slip not found: {rule} (fired: {sorted(row.fired)})"
                )
        for rule in row.fired - set(want):
            extra_rules[rule] += 1
    for path in strays:
        problems.append(f"{path}: in the database but not in expected.json")

    rows_total = sum(len(v) for v in rows.values()) + len(strays)
    print(f"files expected: {len(expected)}; document rows: {rows_total}")
    print(f"planted slips found: {counts['found']} / {counts['slips']}")
    print(f"broken files as error rows: {counts['broken_ok']} / {counts['broken']}")
    if extra_rules:
        print(
            "rules firing beyond the planted slips (not failures): "
            + ", ".join(f"{r} ×{n}" for r, n in extra_rules.most_common())
        )
    for line in problems[:50]:
        print("  MISS " + line)
    if len(problems) > 50:
        print(f"  … and {len(problems) - 50} more")
    print("OK" if not problems else f"FAILED: {len(problems)} problems")
    return 0 if not problems else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the folder make_tree.py wrote")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--db", type=Path, help="the scan database")
    source.add_argument("--audit", action="store_true", help="audit the files here instead")
    args = parser.parse_args(argv)
    expected = json.loads((args.out / "expected.json").read_text(encoding="utf-8"))
    reports = args.out / "reports"
    keys = set(expected)
    if args.audit:
        rows, strays = rows_from_audits(reports, keys), []
    else:
        rows, strays = rows_from_db(args.db, reports, keys)
    return check(expected, rows, strays)


if __name__ == "__main__":
    raise SystemExit(main())
