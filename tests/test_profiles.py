"""Regional profiles (rules/profiles/): settings overrides chosen by --profile or by the region
the report names at its head."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SEED

from auditor.checks.ruleset import (
    RuleFileError,
    load_profile,
    load_rules,
    parse_profile,
    profile_names,
    profiles_dir,
)
from auditor.cli import main
from auditor.interpret.region import region_profile
from auditor.pipeline import Options, audit_file, audit_text

SHIPPED = ("central_pre2020", "hunan_dept", "national", "sichuan", "xinjiang")

# A qualitative indicator scored `score` of 10: 部分达成 at 55% sits in the 2017 band (80–50%)
# but under the 2020 band (80–60%); 未达成 at 58% is the other way round.
QUALITATIVE = (
    "绩效指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施\n"
    "产出指标 | 补助资格合规性 | 合规 | {actual} | 10 | {score} | 部分档案不全\n"
    "总分 | 100 | 90"
)
SICHUAN = "四川省某县2023年度项目支出绩效自评报告\n全年预算数100.00万元,全年执行数85.00万元,预算执行率85.00%{tail}。\n"
HENAN = "河南省某县2023年度项目支出绩效自评报告\n全年预算数100.00万元,全年执行数85.00万元,预算执行率85.00%。\n"


def verdicts(text: str, rule: str, profile: str | None = None) -> list[bool | None]:
    audit = audit_text(text, Options(strict=True, profile=profile, select=frozenset({rule})))
    return [f.holds for f in audit.findings if f.rule == rule]


def test_every_profile_loads() -> None:
    assert profile_names() == SHIPPED
    for name in SHIPPED:
        profile = load_profile(name)
        assert profile.description and profile.status in ("verified", "unverified")
    assert load_profile("xinjiang").status == "unverified"
    assert load_profile("national").settings == {}  # the defaults of common.yaml are 2020 rules
    assert load_profile("central_pre2020").settings["qualitative_bands"] == [
        Decimal("0.8"),
        Decimal("0.5"),
    ]
    assert load_profile("sichuan").settings == {
        "exec_weight": Decimal(10),
        "explain_below": Decimal("0.90"),
    }
    hunan = load_profile("hunan_dept")
    assert {t.rate for t in hunan.settings["score_bands"]} >= {
        "budget.adjustment_rate",
        "ratio.staff_control",
        "ratio.three_public_change",
        "execution.rate",
    }
    assert "banded-score" in hunan.note and "尚未实现" in hunan.note


def test_profile_settings_apply_over_the_rule_file() -> None:
    national = load_rules("project", None, "national")
    pre2020 = load_rules("project", None, "central_pre2020")
    assert national.settings["qualitative_bands"] == [Decimal("0.8"), Decimal("0.6")]
    assert pre2020.settings["qualitative_bands"] == [Decimal("0.8"), Decimal("0.5")]
    assert pre2020.rules == national.rules and pre2020.profile == "central_pre2020"
    assert load_rules("project").settings["explain_below"] is None
    assert load_rules("project", None, "central_pre2020") is pre2020  # cached by its arguments


def test_unknown_key_in_a_profile_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "description: x\nstatus: verified\nsettings:\n  exec_weight: 10\n  qual_bands: [0.8, 0.5]\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError, match=rf"{path}:5: settings: 未知的键 qual_bands"):
        parse_profile(path)
    path.write_text("description: x\nstatus: verified\nsettings: {}\nregion: 四川\n", "utf-8")
    with pytest.raises(RuleFileError, match=rf"{path}:4: 未知的键 region"):
        parse_profile(path)
    path.write_text("description: x\nstatus: maybe\nsettings: {}\n", "utf-8")
    with pytest.raises(RuleFileError, match=rf"{path}:2: 未知的 status"):
        parse_profile(path)


def test_unknown_profile_name_is_an_error() -> None:
    with pytest.raises(RuleFileError, match="找不到地区配置"):
        load_rules("project", None, "atlantis")


@pytest.mark.parametrize(
    "actual,score,national,pre2020",
    [("部分达成", "5.5", False, True), ("未达成", "5.8", True, False)],
)
def test_qualitative_bands_follow_the_profile(actual, score, national, pre2020) -> None:
    text = QUALITATIVE.format(actual=actual, score=score)
    assert verdicts(text, "qualitative-band") == [national]
    assert verdicts(text, "qualitative-band", "national") == [national]
    assert verdicts(text, "qualitative-band", "central_pre2020") == [pre2020]


def test_cli_profile_option(capsys, tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(QUALITATIVE.format(actual="部分达成", score="5.5"), encoding="utf-8")
    for profile, holds in (("national", False), ("central_pre2020", True)):
        main(["check", str(path), "--format", "json", "--all", "--profile", profile])
        document = json.loads(capsys.readouterr().out)["documents"][0]
        assert document["profile"] == profile
        found = [f["holds"] for f in document["findings"] if f["rule"] == "qualitative-band"]
        assert found == [holds]
    with pytest.raises(SystemExit):
        main(["check", str(path), "--profile", "atlantis"])
    capsys.readouterr()


@pytest.mark.parametrize(
    "head,profile",
    [
        (
            "高新区部门单位整体支出绩效自评报告\n部门单位名称：乌鲁木齐高新技术产业开发区",
            "xinjiang",
        ),
        ("新疆维吾尔自治区某厅2023年度项目支出绩效自评报告", "xinjiang"),
        ("四川省青神县2023年度项目支出绩效自评报告", "sichuan"),
        ("湖南省某局2022年度部门整体支出绩效自评报告", "hunan_dept"),
        ("湖南省某局2022年度某项目支出绩效自评报告", ""),
        ("河南省某县2023年度项目支出绩效自评报告", ""),
        ("某县2023年度项目支出绩效自评报告" + "。" * 400 + "对口支援四川", ""),
    ],
)
def test_region_detection(head: str, profile: str) -> None:
    assert region_profile(head) == profile


def test_seed_is_detected_as_xinjiang() -> None:
    audit = audit_file(SEED, Options(strict=True))
    assert audit.facts is not None and audit.facts.profile == "xinjiang"
    assert audit.profile == "xinjiang"


def test_seed_findings_unchanged_under_its_profile() -> None:
    detected = audit_file(SEED, Options(strict=True))
    national = audit_file(SEED, Options(strict=True, profile="national"))
    assert detected.findings == national.findings and national.profile == "national"


def test_undetected_region_is_national() -> None:
    audit = audit_text(HENAN, Options(strict=True))
    assert audit.facts is not None and audit.facts.profile == "" and audit.profile == "national"


def test_profile_option_overrides_detection() -> None:
    text = SICHUAN.format(tail="")
    assert audit_text(text, Options(strict=True)).profile == "sichuan"
    assert audit_text(text, Options(strict=True, profile="national")).profile == "national"
    assert verdicts(text, "execution-explained", "national") == []


def test_sichuan_low_rate_needs_a_reason() -> None:
    assert verdicts(SICHUAN.format(tail=""), "execution-explained") == [False]
    assert verdicts(SICHUAN.format(tail=",主要原因是部分工程尚未结算"), "execution-explained") == [
        True
    ]
    assert verdicts(HENAN, "execution-explained") == []  # national: never fires
    assert verdicts(HENAN, "execution-explained", "sichuan") == [False]


def test_profiles_ship_beside_the_rules() -> None:
    assert sorted(p.stem for p in profiles_dir().glob("*.yaml")) == list(SHIPPED)
