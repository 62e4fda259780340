"""auditor scan: one row per file, resumable, robust against files that hang or crash, and a
run killed with SIGKILL and restarted ends with the same database as an uninterrupted one."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, SEED

from auditor.batch import discover, document_row, scan
from auditor.cli import main
from auditor.workers import TEST_HOOK

FORM = FIXTURES / "forms" / "proj-roads-2023"


def make_tree(root: Path) -> Path:
    root.mkdir()
    shutil.copy(SEED, root / "seed.txt")
    sub = root / "表格"
    sub.mkdir()
    for suffix in (".docx", ".xlsx", ".pdf"):
        shutil.copy(FORM / f"report{suffix}", sub / f"report{suffix}")
    (root / "broken.pdf").write_bytes(random.Random(6).randbytes(3000))
    (root / "empty.txt").write_bytes(b"")
    (root / ".hidden.txt").write_text("不是报告", encoding="utf-8")
    (root / "~$seed.docx").write_bytes(b"lock")
    (root / "notes.md").write_text("不支持的格式", encoding="utf-8")
    return root


def rows(db: Path, sql: str, *args: object) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def by_name(db: Path) -> dict[str, dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {Path(r["path"]).name: dict(r) for r in conn.execute("SELECT * FROM documents")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("scan")
    tree = make_tree(base / "tree")
    db = base / "results.sqlite"
    stats = scan([tree], db, jobs=2, timeout=60)
    assert (stats.total, stats.audited, stats.skipped) == (6, 6, 0)
    return tree, db


def test_one_row_per_file(scanned: tuple[Path, Path]) -> None:
    tree, db = scanned
    docs = by_name(db)
    assert sorted(docs) == sorted(
        ["seed.txt", "report.docx", "report.xlsx", "report.pdf", "broken.pdf", "empty.txt"]
    )
    seed = docs["seed.txt"]
    assert seed["path"] == str(tree / "seed.txt")
    assert (seed["status"], seed["kind"], seed["year"], seed["errors"], seed["warnings"]) == (
        "ok",
        "department",
        2023,
        2,
        3,
    )
    assert (seed["score_stated"], seed["score_expected"], seed["grade"]) == ("84.41", "84.41", "良")
    findings = rows(
        db,
        "SELECT rule, severity, holds, page, line, evidence FROM findings WHERE document_id = ?",
        seed["id"],
    )
    assert sorted(f[1] for f in findings) == ["error"] * 2 + ["warning"] * 3
    assert all(f[2] == 0 and f[3] and f[4] for f in findings)
    assert "project-execution-rate" in {f[0] for f in findings}
    evidence = json.loads(findings[0][5])
    assert evidence and {"text", "page", "line"} <= set(evidence[0])
    concepts = {c for (c,) in rows(db, "SELECT concept FROM facts WHERE document_id=?", seed["id"])}
    assert {"execution.rate", "score.total", "grade"} <= concepts and "unbound" not in concepts
    for name in ("report.docx", "report.xlsx", "report.pdf"):
        form = docs[name]
        assert (form["status"], form["kind"], form["grade"]) == ("ok", "table", "优")
        assert (form["score_stated"], form["score_expected"], form["errors"]) == (
            "97.02",
            "98.02",
            2,
        )
    for name in ("broken.pdf", "empty.txt"):
        assert docs[name]["status"] == "unreadable" and docs[name]["error"]
        assert docs[name]["sha256"] and docs[name]["finished_at"]
    assert docs["empty.txt"]["error"] == "文件为空"
    [(mode,)] = rows(db, "PRAGMA journal_mode")
    assert mode == "wal"


def test_rerun_skips_and_a_changed_file_is_redone(
    scanned: tuple[Path, Path], tmp_path: Path
) -> None:
    tree, first_db = scanned
    db = tmp_path / "copy.sqlite"
    conn = sqlite3.connect(first_db)
    conn.execute(f"VACUUM INTO '{db}'")  # leave the module's database as it is
    conn.close()
    before = by_name(db)
    stats = scan([tree], db, jobs=2)
    assert (stats.audited, stats.skipped, stats.errors, stats.warnings) == (0, 6, 8, 3)
    assert by_name(db) == before
    # the seed changes (in a copy of the tree, whose rows are moved along): only it is
    # audited again, its row replaced together with its findings
    changed = tmp_path / "tree"
    shutil.copytree(tree, changed)
    shutil.copy(SEED, changed / "seed.txt")
    with (changed / "seed.txt").open("a", encoding="utf-8") as handle:
        handle.write("\n附注：本报告已复核。\n")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE documents SET path = replace(path, ?, ?)", (str(tree), str(changed)))
    conn.commit()
    conn.close()
    stats = scan([changed], db, jobs=2)
    assert (stats.audited, stats.skipped) == (1, 5)
    after = by_name(db)
    assert len(after) == 6
    seed = after["seed.txt"]
    assert seed["path"] == str(changed / "seed.txt")
    assert seed["sha256"] != before["seed.txt"]["sha256"]
    assert (seed["errors"], seed["warnings"]) == (2, 3)
    for name in after:
        if name != "seed.txt":
            assert after[name]["finished_at"] == before[name]["finished_at"]
    [(orphans,)] = rows(
        db, "SELECT count(*) FROM findings WHERE document_id NOT IN (SELECT id FROM documents)"
    )
    [(seed_findings,)] = rows(db, "SELECT count(*) FROM findings WHERE document_id=?", seed["id"])
    assert (orphans, seed_findings) == (0, 5)


def test_hang_crash_and_memory_hog_become_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(SEED, tree / "seed.txt")
    for name in ("hang.txt", "boom.txt", "hog.txt", "after.txt", "scanned.txt"):
        shutil.copy(SEED, tree / name)
    # scanned.txt stands for a scan: 3.6 s of OCR pages, past the 3 s limit, but each page it
    # starts to recognise gives it more time
    monkeypatch.setenv(TEST_HOOK, "hang.txt=sleep,boom.txt=exit,hog.txt=hog,scanned.txt=scanned")
    db = tmp_path / "results.sqlite"
    started = time.monotonic()
    stats = scan([tree], db, jobs=2, timeout=3, memory_mb=600)
    assert time.monotonic() - started < 25
    docs = by_name(db)
    assert {n: d["status"] for n, d in docs.items()} == {
        "after.txt": "ok",
        "seed.txt": "ok",
        "scanned.txt": "ok",
        "hang.txt": "timeout",
        "boom.txt": "crashed",
        "hog.txt": "crashed",
    }
    assert "时间限制" in docs["hang.txt"]["error"] and docs["hang.txt"]["seconds"] >= 3
    assert "内存" in docs["hog.txt"]["error"]
    assert docs["boom.txt"]["error"]
    assert stats.statuses == {"ok": 3, "timeout": 1, "crashed": 2}


def test_discover_leaves_out_what_is_not_a_report(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("x")
    for name in ("a.txt", "b.DOCX", "c.et", "d.htm", "a.标注.pdf", "~$b.docx", ".c.txt", "e.py"):
        (tmp_path / name).write_text("x")
    db = tmp_path / "results.sqlite"
    found = [p.name for p in discover([tmp_path, tmp_path / "a.txt"], [db])]
    assert found == ["a.txt", "b.DOCX", "c.et", "d.htm"]


def test_document_row_takes_the_most_frequent_unit_name() -> None:
    unit = {"concept": "unit.name", "unit": "", "page": 1, "line": 1, "text": ""}
    doc = {
        "kind": "department",
        "year": 2024,
        "pages": 3,
        "facts": [{**unit, "value": "甲局"}, {**unit, "value": "乙局"}, {**unit, "value": "乙局"}],
        "findings": [{"rule": "r", "severity": "warning", "holds": False, "evidence": []}],
    }
    row = document_row({"status": "ok", "document": doc, "score": None})
    assert (row["unit"], row["warnings"], row["errors"], row["score_stated"]) == (
        "乙局",
        1,
        0,
        None,
    )


def test_cli_misuse_and_plain_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(tmp_path / "nowhere")]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["scan", str(tmp_path), "--jobs", "0"])
    assert exc.value.code == 2
    shutil.copy(SEED, tmp_path / "seed.txt")
    db = tmp_path / "r.sqlite"
    assert main(["scan", str(tmp_path), "--db", str(db), "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "已完成 1/1" in err and "扫描完成" in err and "错误 2 条" in err


def content(db: Path) -> tuple[list, list, list, tuple]:
    """Everything but row ids, times and timestamps, by path."""
    docs = rows(
        db,
        "SELECT path, sha256, rules_version, tool_version, status, error, kind, year, pages, unit,"
        " score_stated, score_expected, grade, errors, warnings FROM documents ORDER BY path",
    )
    findings = rows(
        db,
        "SELECT d.path, f.rule, f.severity, f.holds, f.message, f.stated, f.expected, f.page,"
        " f.line, f.part, f.evidence FROM findings f JOIN documents d ON d.id = f.document_id"
        " ORDER BY d.path, f.rowid",
    )
    facts = rows(
        db,
        "SELECT d.path, f.concept, f.subject, f.label, f.value, f.unit, f.page, f.line, f.text"
        " FROM facts f JOIN documents d ON d.id = f.document_id ORDER BY d.path, f.rowid",
    )
    counts = rows(db, "SELECT count(*), count(DISTINCT path) FROM documents")[0]
    return docs, findings, facts, counts


def test_sigkill_midway_then_restart_gives_the_same_database(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for n in range(30):
        (tree / f"report{n:02}.txt").write_text(text + f"\n# 副本 {n}\n", encoding="utf-8")
    killed, whole = tmp_path / "killed.sqlite", tmp_path / "whole.sqlite"
    argv = [sys.executable, "-m", "auditor.cli", "scan", str(tree), "--jobs", "2", "--db"]
    env = {**os.environ, TEST_HOOK: "*=slow"}  # 0.2 s a file, so that there is a midway
    run = subprocess.Popen(
        [*argv, str(killed)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        done = 0
        while time.monotonic() < deadline and done < 3:
            time.sleep(0.05)
            if killed.exists():
                try:
                    done = rows(killed, "SELECT count(*) FROM documents")[0][0]
                except sqlite3.OperationalError:  # the schema is still being made
                    pass
        os.kill(run.pid, signal.SIGKILL)
    finally:
        run.wait(10)
    midway = rows(killed, "SELECT count(*) FROM documents")[0][0]
    assert 3 <= midway < 30
    subprocess.run([*argv, str(killed)], cwd=ROOT, env=env, check=True, capture_output=True)
    scan([tree], whole, jobs=2)
    assert content(killed) == content(whole)
    assert content(whole)[3] == (30, 30)


def test_scan_writes_its_summaries_and_does_not_read_them(tmp_path: Path) -> None:
    from auditor.cli import main

    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(SEED, tree / "seed.txt")
    db = tmp_path / "r.sqlite"
    argv = [
        "scan",
        str(tree),
        "--db",
        str(db),
        "--jobs",
        "1",
        "--xlsx",
        str(tree / "汇总.xlsx"),
        "--html",
        str(tree / "汇总.html"),
    ]
    assert main(argv) == 0
    assert (tree / "汇总.xlsx").stat().st_size > 0 and "seed.txt" in (tree / "汇总.html").read_text(
        encoding="utf-8"
    )
    assert main(argv) == 0  # a second run: the summaries now lie in the tree, and are not reports
    with sqlite3.connect(db) as con:
        assert [Path(p).name for (p,) in con.execute("SELECT path FROM documents")] == ["seed.txt"]
