"""--lang en: the same findings as the Chinese run, told in English. Chinese stays the default.

What "in English" means here, precisely: a message or explanation, once every quoted excerpt
“…” of the document is taken out, is ASCII apart from the few math signs the English rule titles
use (MATH); in particular it has no wide or fullwidth character (CJK, ：，（）). Figures with a
Chinese unit (“557.92万元”), labels and excerpts are quoted as printed."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import SEED

from auditor.checks import engine
from auditor.checks.explain import explanation
from auditor.checks.figures import Context, Verdict
from auditor.checks.ruleset import load_file, load_rules
from auditor.cli import KINDS, main
from auditor.pipeline import Options, audit_file

MATH = set("÷×≤≥±·−")
QUOTED = re.compile(r"“[^”]*”")


def unquoted(text: str) -> str:
    return QUOTED.sub("", text)


def is_english(text: str) -> bool:
    rest = unquoted(text)
    no_wide = all(unicodedata.east_asian_width(c) not in "WF" for c in rest)
    return no_wide and all(c.isascii() or c in MATH for c in rest)


def run(capsys, *args: str) -> tuple[int, str]:
    status = main(list(args))
    return status, capsys.readouterr().out


def findings(capsys, *args: str) -> tuple[int, list[dict]]:
    status, out = run(capsys, "check", str(SEED), "--format", "json", *args)
    return status, json.loads(out)["documents"][0]["findings"]


@pytest.mark.parametrize("extra", [(), ("--all",)])
def test_same_findings_in_both_languages(capsys, extra) -> None:
    zh_status, zh = findings(capsys, *extra)
    en_status, en = findings(capsys, "--lang", "en", *extra)
    assert en_status == zh_status == 1
    assert len(en) == len(zh)

    def facts(items: list[dict]) -> list[tuple]:
        return sorted((f["rule"], f["severity"], f["stated"], f["expected"]) for f in items)

    assert facts(en) == facts(zh)
    for a, b in zip(zh, en, strict=True):  # the contract: same keys, same evidence
        assert a.keys() == b.keys()
        assert a["evidence"] == b["evidence"] and a["holds"] == b["holds"]
        assert a.get("detail", {}).keys() == b.get("detail", {}).keys()


def test_messages_are_english_but_for_quotes(capsys) -> None:
    _, en = findings(capsys, "--lang", "en", "--all")
    assert en
    for f in en:
        assert is_english(f["message"]), f["message"]
        assert is_english(f.get("detail", {}).get("explanation", "")), f["detail"]
        if f["holds"] is True:
            assert ": holds" in f["message"]
        if f.get("detail", {}).get("reason") == "consequence":
            assert "consequence of an error found above" in f["message"]
    by_rule = {f["rule"]: f for f in en if f["holds"] is False}
    assert by_rule["project-execution-rate"]["message"] == (
        "Project spending execution rate = project spending ÷ project budget: "
        "the report states 84.94%, it should be 58.99% (from “329.13万元”, “557.92万元”)"
    )
    copied = by_rule["indicator-score-completion"]["detail"]["explanation"]
    assert copied.startswith("the same as “预算执行率90.72%” elsewhere in the report")


def test_default_stays_chinese(capsys) -> None:
    status, out = run(capsys, "check", str(SEED), "--color", "never")
    assert status == 1
    assert "错误[project-execution-rate] 项目支出预算执行率写作 84.94%" in out
    assert "报告写：84.94%    应为：58.99%" in out
    assert "2 个错误，3 个警告" in out


def test_text_output_in_english(capsys) -> None:
    status, out = run(capsys, "check", str(SEED), "--color", "never", "--lang", "en")
    assert status == 1
    assert "error[project-execution-rate] Project spending execution rate" in out
    assert "warning[indicator-label]" in out
    assert "stated: 84.94%    should be: 58.99%" in out
    assert "evidence: line 225 “实际支付329.13万元”" in out
    assert "possible cause: it matches only when rounded to a whole number" in out
    assert "errors: 2, warnings: 3 (relations checked: 106)" in out
    assert "错误[" not in out and "警告[" not in out and "报告写" not in out
    for line in out.splitlines():
        if not line.startswith(" "):  # head lines and summaries; source lines are the document's
            assert is_english(line.replace(str(SEED), "")), line


def test_run_summary_in_english(capsys) -> None:
    _, out = run(capsys, "check", str(SEED), str(SEED), "--color", "never", "--lang", "en")
    assert out.rstrip().splitlines()[-1] == (
        "reports: 2; errors: 4, warnings: 6; without problems: 0"
    )


def test_html_in_english(capsys) -> None:
    _, page = run(capsys, "check", str(SEED), "--format", "html", "--lang", "en")
    assert '<html lang="en">' in page
    assert "<h1>Budget performance self-evaluation reports: check results</h1>" in page
    assert "<h3>Findings</h3>" in page and ">Relations checked<b>" in page
    assert "department spending performance self-evaluation" in page
    assert "核对结果" not in page and "依据：" not in page and "报告写" not in page
    _, page = run(capsys, "check", str(SEED), "--format", "html")
    assert '<html lang="zh-CN">' in page and "<h3>发现</h3>" in page


def test_every_shipped_rule_has_an_english_title() -> None:
    for kind in KINDS:
        for rule in load_rules(kind).rules:
            assert rule.title_en and rule.title_en != rule.id, rule.id
            assert is_english(rule.title_en), rule.title_en


def test_rule_file_without_english_title_loads(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "rules:\n"
        "  - id: my-rate\n"
        "    kind: ratio\n"
        "    title: 执行率 = 执行数 ÷ 预算数\n"
        "    severity: error\n"
        "    stated: execution.rate\n"
        "    numerator: spending.total\n"
        "    denominator: budget.adjusted\n",
        encoding="utf-8",
    )
    (rule,) = load_file(path).rules
    assert rule.title_en == "my-rate"
    audit = audit_file(SEED, Options(rules=path, strict=True, lang="en"))
    assert all(f.message.startswith("my-rate: ") for f in audit.findings)


def test_rules_listing_in_english(capsys) -> None:
    _, out = run(capsys, "rules", "--lang", "en")
    assert "Budget execution rate = annual spending ÷ adjusted annual budget" in out
    _, out = run(capsys, "rules")
    assert "预算执行率 = 全年执行数 ÷ 全年预算数" in out


def test_explanations_in_english() -> None:
    ctx = Context(None, "", {})  # type: ignore[arg-type]  # not read for these reasons
    cut = Verdict(False, (0, 0), "", "", "", reason="truncation")
    assert explanation(ctx, cut) == "按舍去小数（截尾）计算才相符，应四舍五入"
    assert explanation(ctx, cut, "en").startswith("it matches only when the decimals are cut off")


def test_crashing_rule_in_english(monkeypatch) -> None:
    def crash(rule, ctx):
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(engine.KINDS, "ratio", crash)
    audit = audit_file(SEED, Options(select=frozenset({"execution-rate"}), lang="en"))
    (finding,) = audit.findings
    assert finding.holds is None
    assert finding.message == (
        "Budget execution rate = annual spending ÷ adjusted annual budget: "
        "the rule failed to run (ZeroDivisionError: boom)"
    )
