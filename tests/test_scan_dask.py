"""auditor scan --executor dask: the same per-file work on a Dask cluster (a LocalCluster here)
gives the same rows as the local worker processes, and a re-run skips everything."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import FIXTURES, SEED

from auditor.batch import scan
from auditor.cli import main

pytest.importorskip("distributed", reason="dask[distributed] is not installed (auditor[dask])")

FORM = FIXTURES / "forms" / "proj-roads-2023"
DOCUMENT_COLUMNS = (
    "sha256, rules_version, status, error, kind, year, pages, unit, score_stated, "
    "score_expected, grade, errors, warnings"
)


def make_tree(root: Path) -> Path:
    root.mkdir()
    shutil.copy(SEED, root / "seed.txt")
    shutil.copy(FORM / "report.docx", root / "report.docx")
    shutil.copy(FORM / "report.xlsx", root / "report.xlsx")
    (root / "broken.pdf").write_bytes(random.Random(6).randbytes(3000))
    return root


def table(db: Path) -> dict[str, tuple]:
    """path → (document columns, sorted findings, sorted facts): everything but ids and times."""
    conn = sqlite3.connect(db)
    try:
        out = {}
        for doc_id, path, *columns in conn.execute(
            f"SELECT id, path, {DOCUMENT_COLUMNS} FROM documents"
        ):
            findings = conn.execute(
                "SELECT rule, severity, holds, message, stated, expected, page, line, part,"
                " evidence FROM findings WHERE document_id = ?",
                (doc_id,),
            ).fetchall()
            facts = conn.execute(
                "SELECT concept, subject, label, value, unit, page, line, text FROM facts"
                " WHERE document_id = ?",
                (doc_id,),
            ).fetchall()
            out[path] = (tuple(columns), sorted(findings, key=repr), sorted(facts, key=repr))
        return out
    finally:
        conn.close()


def test_dask_gives_the_local_rows_and_a_rerun_skips(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "tree")
    local_db, dask_db = tmp_path / "local.sqlite", tmp_path / "dask.sqlite"
    local = scan([tree], local_db, jobs=2, timeout=60)
    remote = scan([tree], dask_db, jobs=2, timeout=60, executor="dask")
    assert (remote.total, remote.audited, remote.skipped) == (4, 4, 0)
    assert remote.statuses == local.statuses == {"ok": 3, "unreadable": 1}
    assert (remote.errors, remote.warnings) == (local.errors, local.warnings)
    expected, got = table(local_db), table(dask_db)
    assert sorted(got) == sorted(str(p) for p in tree.iterdir())
    assert got == expected
    again = scan([tree], dask_db, jobs=2, timeout=60, executor="dask")
    assert (again.total, again.audited, again.skipped) == (4, 0, 4)
    assert table(dask_db) == expected


def test_scheduler_without_dask_is_a_misuse(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "tree")
    code = main(["scan", str(tree), "--db", str(tmp_path / "r.sqlite"), "--scheduler", "tcp://x:1"])
    assert code == 2
    assert not (tmp_path / "r.sqlite").exists()
