"""The command line: exit statuses, the JSON contract of DESIGN.md, the compiler-like text
output, unreadable files, encodings, rule selection, `auditor rules`."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import ROOT, SEED

from auditor.checks.ruleset import load_rules
from auditor.cli import main

# Line 3 holds the slip: 2522.66 / 2780.63 = 90.72%, written 92.72%.
BROKEN = (
    "某单位2023年度部门整体支出绩效自评报告\n"
    "一、预算执行情况\n"
    "全年预算数为2780.63万元,全年实际支出资金2522.66万元,预算执行率为92.72%。\n"
    "年初预算数为2872.68万元,其中:基本支出年初预算数为1906.42万元、项目支出年初预算数为966.26万元。\n"
)
CONSISTENT = BROKEN.replace("92.72%", "90.72%")
# Only a warning: the indicator's body names another measure.
WARNED = (
    "12345热线事件办结率:该指标预期指标值为100%,本次评价政府采购执行率99.94%,"
    "该指标完成率为99.94%。该指标权重分值为10分,自评得分9.99分。\n"
)
UNDECODABLE = b"\x80\x81 \xff\xff \xfe\n"  # neither UTF-8 nor GB18030

DOCUMENT_KEYS = {"path", "kind", "pages", "facts", "findings", "errors"}
FACT_KEYS = {"concept", "label", "value", "unit", "text", "page", "line"}
FINDING_KEYS = {"rule", "severity", "message", "stated", "expected", "evidence"}
EVIDENCE_KEYS = {"text", "page", "line"}


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_json(capsys, *argv: str) -> tuple[int, dict, str]:
    status, out, err = run(capsys, *argv, "--format", "json")
    return status, json.loads(out), err


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# Exit statuses ---------------------------------------------------------------------------------


def test_exit_0_when_consistent(tmp_path, capsys) -> None:
    status, out, err = run(capsys, "check", write(tmp_path, "ok.txt", CONSISTENT))
    assert status == 0 and err == ""
    assert "0 个错误" in out


def test_exit_1_on_an_error(tmp_path, capsys) -> None:
    status, out, _ = run(capsys, "check", write(tmp_path, "bad.txt", BROKEN))
    assert status == 1
    assert "错误[execution-rate]" in out


def test_warnings_alone_exit_0(tmp_path, capsys) -> None:
    status, out, _ = run(capsys, "check", write(tmp_path, "warn.txt", WARNED))
    assert status == 0
    assert "警告[indicator-label]" in out


def test_seed_exit_1_with_two_errors_and_three_warnings(capsys) -> None:
    status, out, _ = run(capsys, "check", str(SEED))
    assert status == 1
    assert out.splitlines()[-1].startswith(f"{SEED}: 2 个错误，3 个警告")
    assert out.count(": 错误[") == 2 and out.count(": 警告[") == 3


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["check"],
        ["check", "x.txt", "--format", "xml"],
        ["lint", "x.txt"],
        ["rules", "--kind", "memo"],
    ],
)
def test_misuse_exit_2_in_chinese(capsys, argv) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "参数错误" in err


# Unreadable files ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["missing", "undecodable"])
def test_unreadable_file_exit_2_with_reason_and_entry(tmp_path, capsys, kind) -> None:
    path = tmp_path / "report.txt"
    if kind == "undecodable":
        path.write_bytes(UNDECODABLE)
    status, data, err = run_json(capsys, "check", str(path))
    assert status == 2
    lines = err.strip().splitlines()
    assert (
        len(lines) == 1 and str(path) in lines[0] and has_chinese(lines[0].split(str(path), 1)[1])
    )
    (document,) = data["documents"]
    assert document["path"] == str(path)
    assert document["errors"] and all(has_chinese(e) for e in document["errors"])
    assert document["facts"] == [] and document["findings"] == []
    assert DOCUMENT_KEYS <= set(document)


def test_unreadable_file_in_text_output(tmp_path, capsys) -> None:
    path = tmp_path / "gone.txt"
    status, out, err = run(capsys, "check", str(path))
    assert status == 2
    assert f"{path}: 无法读取" in out
    assert len(err.strip().splitlines()) == 1


def test_good_file_still_reported_beside_a_bad_one(tmp_path, capsys) -> None:
    bad = tmp_path / "undecodable.txt"
    bad.write_bytes(UNDECODABLE)
    good = write(tmp_path, "good.txt", BROKEN)
    status, data, err = run_json(capsys, "check", str(bad), good, str(tmp_path / "missing.txt"))
    assert status == 2  # an unreadable file outranks the error found in the readable one
    assert [d["path"] for d in data["documents"]] == [str(bad), good, str(tmp_path / "missing.txt")]
    assert [bool(d["errors"]) for d in data["documents"]] == [True, False, True]
    assert [f["rule"] for f in data["documents"][1]["findings"]] == ["execution-rate"]
    assert len(err.strip().splitlines()) == 2

    status, out, _ = run(capsys, "check", str(bad), good)
    assert status == 2 and "错误[execution-rate]" in out and f"{bad}: 无法读取" in out


def test_rules_version_does_not_depend_on_file_order(tmp_path, capsys) -> None:
    bad = tmp_path / "undecodable.txt"
    bad.write_bytes(UNDECODABLE)
    good = write(tmp_path, "good.txt", CONSISTENT)
    _, first_good, _ = run_json(capsys, "check", good, str(bad))
    _, first_bad, _ = run_json(capsys, "check", str(bad), good)
    assert first_bad["tool"] == first_good["tool"]


# The JSON contract -----------------------------------------------------------------------------


def test_json_contract_shape(capsys) -> None:
    status, data, _ = run_json(capsys, "check", str(SEED))
    assert status == 1
    assert {"tool", "documents"} <= set(data)
    assert (
        data["tool"]["name"] == "auditor"
        and isinstance(data["tool"]["version"], str)
        and data["tool"]["version"]
    )
    (document,) = data["documents"]
    assert DOCUMENT_KEYS <= set(document)
    assert document["path"] == str(SEED)
    assert document["kind"] in ("department", "project", "table", "unknown")
    assert isinstance(document["pages"], int) and document["pages"] >= 1
    assert document["errors"] == []
    assert document["facts"] and document["findings"]
    for fact in document["facts"]:
        assert FACT_KEYS <= set(fact), fact
        assert all(isinstance(fact[k], str) for k in ("concept", "label", "value", "unit", "text"))
        assert (
            isinstance(fact["page"], int)
            and isinstance(fact["line"], int)
            and fact["page"] >= 1
            and fact["line"] >= 1
        )
        written = fact["text"].replace(",", "").replace(" ", "")
        if any("0" <= ch <= "9" for ch in written):  # not a grade word or a Chinese numeral (两办)
            assert fact["value"].lstrip("-") in written, fact
    for finding in document["findings"]:
        assert FINDING_KEYS <= set(finding), finding
        assert finding["severity"] in ("error", "warning", "info")
        assert all(isinstance(finding[k], str) for k in ("rule", "message", "stated", "expected"))
        assert finding["evidence"], finding
        for evidence in finding["evidence"]:
            assert EVIDENCE_KEYS <= set(evidence)
            assert isinstance(evidence["page"], int) and isinstance(evidence["line"], int)
            assert 0 < len(evidence["text"]) <= 60 and "\n" not in evidence["text"]


def test_json_concepts_are_dotted_names(capsys) -> None:
    _, data, _ = run_json(capsys, "check", str(SEED))
    concepts = {f["concept"] for f in data["documents"][0]["facts"]}
    assert {
        "budget.initial",
        "budget.adjusted",
        "spending.total",
        "execution.rate",
        "score.total",
        "grade",
    } <= concepts
    assert all(c == c.lower() and " " not in c for c in concepts)


def test_json_is_utf8_not_escaped(tmp_path, capsys) -> None:
    _, out, _ = run(capsys, "check", write(tmp_path, "bad.txt", BROKEN), "--format", "json")
    assert "预算执行率" in out and "\\u" not in out


# Text output -----------------------------------------------------------------------------------


def display_slice(text: str, start: int, stop: int) -> str:
    """The characters of `text` between two display columns (CJK characters are two wide)."""
    out, column = [], 0
    for ch in text:
        width = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if start <= column < stop:
            out.append(ch)
        column += width
    return "".join(out)


def test_text_output_is_compiler_like_with_caret(tmp_path, capsys) -> None:
    path = write(tmp_path, "bad.txt", BROKEN)
    _, out, _ = run(capsys, "check", path)
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if "[execution-rate]" in line)
    source = BROKEN.splitlines()[2]
    column = source.index("92.72%") + 1
    assert lines[head].startswith(f"{path}:3:{column}: 错误[execution-rate] ")
    assert "92.72%" in lines[head] and "90.72%" in lines[head]
    gutter = next(line for line in lines[head + 1 :] if " | " in line)
    caret = lines[lines.index(gutter) + 1]
    assert gutter.endswith(source) and set(caret.split("|", 1)[1].strip()) == {"^"}
    # the carets stand under the stated figure
    prefix_width = len(gutter) - len(source)
    first = caret.index("^")
    count = caret.count("^")
    assert display_slice(source, first - prefix_width, first - prefix_width + count) == "92.72%"


def test_text_all_shows_relations_that_hold(tmp_path, capsys) -> None:
    path = write(tmp_path, "ok.txt", CONSISTENT)
    _, plain, _ = run(capsys, "check", path)
    status, with_all, _ = run(capsys, "check", path, "--all")
    assert status == 0
    assert "[execution-rate]" not in plain
    assert "提示[execution-rate]" in with_all and "（成立）" in with_all


def test_json_all_adds_findings_that_hold(tmp_path, capsys) -> None:
    path = write(tmp_path, "bad.txt", BROKEN)
    _, without, _ = run_json(capsys, "check", path)
    _, with_all, _ = run_json(capsys, "check", path, "--all")
    plain, everything = without["documents"][0]["findings"], with_all["documents"][0]["findings"]
    assert all(f.get("holds", False) is False for f in plain)
    holding = [f for f in everything if f.get("holds") is True]
    assert {f["rule"] for f in holding} >= {"initial-budget-parts"}
    assert len(everything) == len(plain) + len(
        [f for f in everything if f.get("holds") is not False]
    )


# Encodings -------------------------------------------------------------------------------------


def finding_keys(capsys, path: str) -> list[tuple]:
    _, data, _ = run_json(capsys, "check", path, "--all")
    return [
        (
            f["rule"],
            f["severity"],
            f["stated"],
            f["expected"],
            [(e["page"], e["line"]) for e in f["evidence"]],
        )
        for f in data["documents"][0]["findings"]
    ]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "gb18030"])
def test_other_encodings_give_the_same_findings(tmp_path, capsys, encoding) -> None:
    reference = finding_keys(capsys, write(tmp_path, "utf8.txt", BROKEN))
    assert reference and any(rule == "execution-rate" for rule, *_ in reference)
    assert finding_keys(capsys, write(tmp_path, f"{encoding}.txt", BROKEN, encoding)) == reference


def test_crlf_line_endings_give_the_same_findings(tmp_path, capsys) -> None:
    reference = finding_keys(capsys, write(tmp_path, "lf.txt", BROKEN))
    assert (
        finding_keys(capsys, write(tmp_path, "crlf.txt", BROKEN.replace("\n", "\r\n"))) == reference
    )


# Rule selection --------------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--select", "--ignore"])
def test_unknown_rule_id_exit_2_naming_allowed_ids(tmp_path, capsys, flag) -> None:
    status, out, err = run(
        capsys, "check", write(tmp_path, "bad.txt", BROKEN), flag, "execution-rate,no-such-rule"
    )
    assert status == 2 and out == ""
    assert "no-such-rule" in err and "execution-rate" in err and "grade-band" in err
    assert "未知的规则" in err and len(err.strip().splitlines()) == 1


def test_select_runs_only_those_rules(tmp_path, capsys) -> None:
    path = write(tmp_path, "bad.txt", BROKEN)
    status, data, _ = run_json(
        capsys, "check", path, "--select", "initial-budget-parts, grade-band", "--all"
    )
    assert status == 0
    assert {f["rule"] for f in data["documents"][0]["findings"]} == {"initial-budget-parts"}


def test_ignore_drops_a_rule(tmp_path, capsys) -> None:
    path = write(tmp_path, "bad.txt", BROKEN)
    assert run(capsys, "check", path)[0] == 1
    status, data, _ = run_json(capsys, "check", path, "--ignore", "execution-rate", "--all")
    assert status == 0
    rules = {f["rule"] for f in data["documents"][0]["findings"]}
    assert "execution-rate" not in rules and "initial-budget-parts" in rules


# auditor rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["department", "project", "table", "unknown"])
def test_rules_lists_every_rule(capsys, kind) -> None:
    status, out, _ = run(capsys, "rules", "--kind", kind)
    assert status == 0
    listed = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert listed == [r.id for r in load_rules(kind).rules]


def test_rules_default_kind_lists_every_shipped_id(capsys) -> None:
    _, out, _ = run(capsys, "rules")
    listed = {line.split()[0] for line in out.splitlines() if line.strip()}
    shipped = {
        r.id
        for kind in ("department", "project", "table", "unknown")
        for r in load_rules(kind).rules
    }
    assert listed == shipped


# A real process ------------------------------------------------------------------------------------


def test_module_runs_as_a_program(tmp_path) -> None:
    path = write(tmp_path, "bad.txt", BROKEN)
    done = subprocess.run(
        [sys.executable, "-m", "auditor.cli", "check", path, "--format", "json"],
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr.decode("utf-8", "replace")
    data = json.loads(done.stdout.decode("utf-8"))
    assert [f["rule"] for f in data["documents"][0]["findings"]] == ["execution-rate"]


def test_terminal_colors_by_severity_only_when_asked(tmp_path, capsys) -> None:
    report = write(
        tmp_path,
        "r.txt",
        "全年预算数为2780.63万元,全年实际支出资金2522.66万元,预算执行率为92.72%。",
    )
    _, never, _ = run(capsys, "check", report, "--color", "never")
    status, always, _ = run(capsys, "check", report, "--color", "always")
    assert status == 1 and "\x1b[" in always and "错误[execution-rate]" in always
    _, piped, _ = run(capsys, "check", report)  # auto, and captured output is no terminal: plain
    assert "\x1b[" not in never and "\x1b[" not in piped and never == piped


def test_one_line_summary_for_a_run_of_several_files(tmp_path, capsys) -> None:
    good = write(
        tmp_path,
        "good.txt",
        "全年预算数为2780.63万元,全年实际支出资金2522.66万元,预算执行率为90.72%。",
    )
    bad = write(
        tmp_path,
        "bad.txt",
        "全年预算数为2780.63万元,全年实际支出资金2522.66万元,预算执行率为92.72%。",
    )
    _, out, _ = run(capsys, "check", good, bad)
    assert out.rstrip().splitlines()[-1] == "共 2 份报告：1 个错误，0 个警告，1 份未发现问题"
