"""The 部门整体 framework beyond the per-kind cases: last year's figures and 变动率 read from
prose, scores bound to the rate beside them, band tables (parsing and scoring at the edges),
a region's formula base (rule_params), 不适用 rows, and the standard a report states itself."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from auditor.checks.bandtables import allowed_scores, parse_tables
from auditor.checks.ruleset import RuleFileError, load_rules, parse_profile, rules_dir
from auditor.interpret.stated_bands import stated_settings
from auditor.interval import Interval
from auditor.model import CONCEPTS, Interpretation
from auditor.pipeline import Options, audit_text

D = Decimal
HUNAN = "湖南省某局2022年度部门整体支出绩效自评报告。"


def facts(text: str) -> Interpretation:
    audit = audit_text(text, Options(strict=True))
    assert audit.facts is not None
    return audit.facts


def bound(text: str) -> list[tuple[str, str]]:
    return [(f.concept, f.value) for f in facts(text).facts if f.concept != "unbound"]


def verdicts(text: str, rule: str, profile: str | None = None) -> list[bool | None]:
    audit = audit_text(text, Options(strict=True, profile=profile, select=frozenset({rule})))
    return [f.holds for f in audit.findings if f.rule == rule]


# Interpretation ----------------------------------------------------------------------------------


def test_fall_in_words_is_a_negative_change_against_last_years_amount() -> None:
    assert bound("三公经费支出12.5万元，较上年15万元下降16.67%。") == [
        ("three_public.actual", "12.5"),
        ("three_public.previous", "15"),
        ("ratio.three_public_change", "-16.67"),
    ]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("上年度三公经费支出15.00万元。", [("three_public.previous", "15.00")]),
        ("上年度三公经费预算数15.00万元。", [("three_public.previous_budget", "15.00")]),
        ("上年结转结余95.45万元。", [("carryover.previous", "95.45")]),
        ("本年三公经费支出12.50万元。", [("three_public.actual", "12.50")]),
        # a change amount is neither year's amount
        ("三公经费支出较上年减少2.50万元。", []),
        ("三公经费支出12.50万元,较上年减少2.50万元。", [("three_public.actual", "12.50")]),
        ("三公经费支出比上年增长8.00%。", [("ratio.three_public_change", "8.00")]),
        # last year's amount of a part the sentence goes on to (公务接待费) is not the whole's
        (
            "三公经费支出12.50万元,其中公务接待费3.00万元,较上年2.00万元增长50.00%。",
            [("three_public.actual", "12.50")],
        ),
        # a rise or fall of something else is not a 变动率
        ("全年预算数为100.00万元,较上年下降5.00%。", [("budget.adjusted", "100.00")]),
    ],
)
def test_last_year_and_change(text: str, expected: list[tuple[str, str]]) -> None:
    assert bound(text) == expected


def test_score_and_weight_beside_a_rate_are_bound_to_it() -> None:
    found = [
        (f.concept, f.value, f.subject)
        for f in facts("预算调整率3.20%,该项分值3分,得2分;在职人员控制率95.10%,得5分。").facts
        if f.concept.startswith("rate.")
    ]
    assert found == [
        ("rate.weight", "3", "budget.adjustment_rate"),
        ("rate.score", "2", "budget.adjustment_rate"),
        ("rate.score", "5", "ratio.staff_control"),
    ]


def test_not_applicable_rows_are_marked() -> None:
    table = (
        "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分\n"
        "产出指标 | 数量指标 | 受理信访案件 | 10件 | 16件 | 30 | 30\n"
        "效益指标 | 社会效益 | 调解矛盾纠纷 | 10起 | 不适用 | 30 | /\n"
        "效益指标 | 社会效益 | 化解积案 | 5起 | 5起 | 30 | 0\n"
        "总分 | 100 | 60"
    )
    marked = {i.name: i.not_applicable for i in facts(table).indicators}
    assert marked == {"受理信访案件": False, "调解矛盾纠纷": True, "化解积案": False}


@pytest.mark.parametrize(
    "text,bands",
    [
        (
            "90分（含）以上为优，80（含）-90分为良，60（含）-80分为中，60分以下为差。",
            [(90, "优"), (80, "良"), (60, "中"), (0, "差")],
        ),
        (
            "综合得分85分以上为优秀、70分(含)至85分为良好、60分(含)至70分为合格、60分以下为不合格。",
            [(85, "优"), (70, "良"), (60, "中"), (0, "差")],
        ),
        (
            "分为优(90-100分)、良(80-89分)、中(60-79分)、差(0-59分)四个档次。",
            [(90, "优"), (80, "良"), (60, "中"), (0, "差")],
        ),
        # a band closed at the top cannot be held by the settings: not read
        ("90分以上为优，80-90分(含90分)为良，60-80分(含80分)为中，60分以下为差。", None),
        # two bands are not a standard
        ("90分以上为优，60分以下为差。", None),
    ],
)
def test_stated_grade_bands(text: str, bands: list | None) -> None:
    found = {s.key: s.value for s in stated_settings(text)}
    expected = [(D(low), label) for low, label in bands] if bands else None
    assert found.get("grade_bands") == expected


def test_stated_qualitative_bands_and_level1_weights() -> None:
    found = {
        s.key: s.value
        for s in stated_settings(
            "分别按照该指标对应分值区间100-80%(含80%)、80-50%(含50%)、50-0%合理确定分值。\n"
            "一级指标权重为:产出指标50%、效益指标30%、满意度指标10%。"
        )
    }
    assert found == {
        "qualitative_bands": [D("0.8"), D("0.5")],
        "level1_weights": {"产出": D(50), "效益": D(30), "满意度": D(10)},
    }


# Band tables -------------------------------------------------------------------------------------

YUEYANG = [
    {
        "rate": "budget.adjustment_rate",
        "full": 3,
        "bands": [
            {"max": 0, "score": 3},
            {"max": 10, "score": 2},
            {"max": 20, "score": 1},
            {"max": 30, "score": 0.5},
            {"score": 0},
        ],
    }
]


@pytest.mark.parametrize(
    "lo,hi,scores",
    [
        ("3.195", "3.205", ["2"]),
        ("9.95", "10.05", ["2", "1"]),  # the edge inside the rate's rounding: two bands
        ("10", "10", ["2"]),  # (0,10%] includes 10
        ("35", "35", ["0"]),
        ("-0.005", "0.005", ["3", "2"]),  # "0.00%" may be a little above 0
    ],
)
def test_steps_reached_by_a_rate(lo: str, hi: str, scores: list[str]) -> None:
    (table,) = parse_tables(YUEYANG, CONCEPTS)
    allowed = allowed_scores(table, Interval(D(lo), D(hi)))
    assert [str(a.lo) for a in allowed if a is not None] == scores


def test_at_least_steps_say_nothing_below_the_last_edge() -> None:
    (table,) = parse_tables(
        [
            {
                "rate": "ratio.key_spending",
                "full": 5,
                "bands": [{"min": 90, "score": 5}, {"min": 60, "score": 2}],
            }
        ],
        CONCEPTS,
    )
    assert allowed_scores(table, Interval.exact(D(95))) == [Interval.exact(D(5))]
    assert allowed_scores(table, Interval.exact(D(50))) == [None]


def test_deduction_reads_a_part_step_every_way_and_stops_at_zero() -> None:
    (table,) = parse_tables(
        [{"rate": "execution.rate", "full": 5, "deduct": {"below": 100, "per": 5, "points": 2}}],
        CONCEPTS,
    )
    (at96,) = allowed_scores(table, Interval.exact(D(96)))
    assert (at96.lo, at96.hi, at96.mid) == (D(3), D(5), D("3.4"))
    (at80,) = allowed_scores(table, Interval.exact(D(80)))
    assert (at80.lo, at80.hi) == (D(0), D(0))


@pytest.mark.parametrize(
    "table,message",
    [
        (
            "    - {rate: ratio.nothing, full: 5, deduct: {above: 100, per: 1, points: 1}}",
            "未知的概念",
        ),
        ("    - {rate: ratio.staff_control, full: 5}", "bands 或 deduct"),
        (
            "    - {rate: ratio.staff_control, full: 5, bands: [{max: 10, score: 2}, {max: 0, score: 3}]}",
            "按顺序",
        ),
        ("    - {rate: ratio.staff_control, full: 5, deduct: {above: 100, per: 1}}", "deduct 写作"),
        (
            "    - {rate: ratio.staff_control, full: five, deduct: {above: 1, per: 1, points: 1}}",
            "应为数字",
        ),
    ],
)
def test_broken_band_table_names_file_and_line(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "region.yaml"
    path.write_text(
        f"description: x\nstatus: verified\nsettings:\n  score_bands:\n{table}\n", "utf-8"
    )
    with pytest.raises(
        RuleFileError, match=rf"{path}:5: settings: score_bands：评分表：.*{message}"
    ):
        parse_profile(path)


# Rule parameters a region changes --------------------------------------------------------------


def custom_rules(tmp_path: Path, settings: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(f"extends: {rules_dir() / 'common.yaml'}\nsettings:\n{settings}", "utf-8")
    return path


def test_rule_params_change_a_rules_base(tmp_path: Path) -> None:
    path = custom_rules(
        tmp_path, "  rule_params:\n    carryover-rate: {denominator: spending.total}\n"
    )
    rule = next(r for r in load_rules("department", path).rules if r.id == "carryover-rate")
    assert rule.params["denominator"] == "spending.total"
    text = "全年预算数为1971.70万元,全年实际支出资金1868.42万元,年末结转结余资金103.28万元,结转结余率5.53%。"
    national = audit_text(text, Options(strict=True, select=frozenset({"carryover-rate"})))
    assert [(f.holds, f.severity) for f in national.findings] == [(False, "warning")]
    regional = audit_text(
        text, Options(rules=path, strict=True, select=frozenset({"carryover-rate"}))
    )
    assert [f.holds for f in regional.findings] == [True]


def test_rule_params_must_name_a_parameter_and_a_concept(tmp_path: Path) -> None:
    path = custom_rules(tmp_path, "  rule_params:\n    carryover-rate: {base: spending.total}\n")
    with pytest.raises(RuleFileError, match="没有参数 base"):
        load_rules("department", path)
    path = custom_rules(tmp_path, "  rule_params:\n    carryover-rate: {denominator: nothing}\n")
    with pytest.raises(RuleFileError, match="rule_params 的值无法读取"):
        load_rules("department", path)


# Profiles ----------------------------------------------------------------------------------------


def test_bands_apply_only_under_a_profile_that_has_them() -> None:
    text = "某局2022年度部门整体支出绩效自评报告。预算调整率3.20%,该项分值3分,得3分。"
    assert verdicts(text, "banded-score") == []
    assert verdicts(text, "banded-score", "hunan_dept") == [False]
    assert verdicts(HUNAN + text, "banded-score") == [False]


def test_linear_execution_score_stands_where_no_band_table_fits() -> None:
    """湖南's 预算完成率 table is for 5 points: a 10-point item is still scored linearly."""
    text = (
        HUNAN
        + "全年预算数为100.00万元,全年实际支出资金96.00万元,预算执行率96.00%,该项分值10分,得9.60分。"
    )
    assert verdicts(text, "execution-score") == [True]
    assert verdicts(text, "banded-score") == []


def test_three_public_change_base_follows_the_profile() -> None:
    text = (
        "本年三公经费预算数12.00万元,上年度三公经费预算数15.00万元;"
        "三公经费支出10.00万元,上年度三公经费支出11.00万元;三公经费变动率-9.09%。"
    )
    rule = "three-public-change-rate"
    assert verdicts(text, rule) == [True]
    hunan = audit_text(text, Options(strict=True, profile="hunan_dept", select=frozenset({rule})))
    assert [(f.holds, f.severity) for f in hunan.findings] == [(False, "warning")]
    assert "疑似口径不同" in hunan.findings[0].message


def test_stated_grade_bands_differ_from_the_profile_as_information() -> None:
    text = "评价等级:85分(含)以上为优,75(含)-85分为良,60(含)-75分为中,60分以下为差。综合得分86.5分,评价结果为“优”。"
    audit = audit_text(text, Options(strict=True))
    (stated,) = [f for f in audit.findings if f.rule == "stated-standard"]
    assert (stated.holds, stated.severity) == (False, "info")
    assert stated.message.startswith("报告自述等级标准与所选地区规范不同：报告为 85分及以上优")
    (grade,) = [f for f in audit.findings if f.rule == "grade-band"]
    assert grade.holds is True and "按报告自述的等级标准" in grade.message
