"""Figures in normalized text, with exact spans: value, printed decimals, unit, comparator,
exactness, Chinese numerals, ranges, and the identifiers that must stay out of arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import SEED

from auditor.model import Quantity
from auditor.readers.text import document_from_text, read_text
from auditor.recognize import find_quantities


def case(
    text: str,
    figure: str,
    span: str,
    value: str,
    decimals: int = 0,
    unit: str = "",
    comparator: str = "",
    approximate: bool = False,
    upper: str | None = None,
    numeral: str = "arabic",
    fold: bool = False,
    id: str = "",
):
    """One figure in `text`: `figure` is text[value_start:value_end], `span` is text[start:end]
    (both first occurrences). fold=True runs the text through the text reader first."""
    expected = (
        figure,
        span,
        Decimal(value),
        decimals,
        unit,
        comparator,
        approximate,
        None if upper is None else Decimal(upper),
        numeral,
    )
    return pytest.param(text, fold, expected, id=id)


def normalized(text: str) -> str:
    return document_from_text(text).text


def figure_at(text: str, figure: str) -> Quantity:
    at = text.index(figure)
    found = [q for q in find_quantities(text) if q.value_start == at]
    assert len(found) == 1, (
        f"no single figure starts at {figure!r} in {text!r}: {find_quantities(text)}"
    )
    return found[0]


FIGURES = [
    # money, decimals as printed, thousands separators
    case(
        "调整后全年预算数2780.63万元。",
        "2780.63",
        "2780.63万元",
        "2780.63",
        2,
        "万元",
        id="wan-yuan",
    ),
    case("人均补助12元", "12", "12元", "12", 0, "元", id="yuan"),
    case("争取资金0.5亿元", "0.5", "0.5亿元", "0.5", 1, "亿元", id="yi-yuan"),
    case(
        "合计1,234.50万元",
        "1,234.50",
        "1,234.50万元",
        "1234.50",
        2,
        "万元",
        id="thousands-separator",
    ),
    case(
        "共2,000,000元",
        "2,000,000",
        "2,000,000元",
        "2000000",
        0,
        "元",
        id="thousands-separator-millions",
    ),
    case("预算调整率3.20%。", "3.20", "3.20%", "3.20", 2, "%", id="trailing-zero-counts"),
    case("执行率为90.72%,", "90.72", "90.72%", "90.72", 2, "%", id="percent"),
    case("比上年提高3个百分点", "3", "3个百分点", "3", 0, "百分点", id="percentage-points"),
    case(
        "年中调减数:-92.05万元",
        "-92.05",
        "-92.05万元",
        "-92.05",
        2,
        "万元",
        id="negative-after-colon",
    ),
    case(
        "全年预算数１２３４．５０万元",
        "1234.50",
        "1234.50万元",
        "1234.50",
        2,
        "万元",
        fold=True,
        id="full-width-digits",
    ),
    case("占比５０％，", "50", "50%", "50", 0, "%", fold=True, id="full-width-percent"),
    case(
        "合计１，２３４．５万元",
        "1,234.5",
        "1,234.5万元",
        "1234.5",
        1,
        "万元",
        fold=True,
        id="full-width-thousands",
    ),
    # scores and counts
    case("执行率为90.72%,得9.07分。", "9.07", "9.07分", "9.07", 2, "分", id="score"),
    case("受理信访案件16件,", "16", "16件", "16", 0, "件", id="count-jian"),
    case("完成5个项目", "5", "5个", "5", 0, "个", id="count-ge"),
    case("设置指标5项", "5", "5项", "5", 0, "项", id="count-xiang"),
    case("实有人员139人。", "139", "139人", "139", 0, "人", id="count-ren"),
    case("录入57人次,", "57", "57人次", "57", 0, "人次", id="count-renci"),
    case("帮扶3户", "3", "3户", "3", 0, "户", id="count-hu"),
    case("种植5000亩", "5000", "5000亩", "5000", 0, "亩", id="area-mu"),
    # 分 and 人 that begin another word are not units
    case("下设5个处室,得分10分别为", "10", "10", "10", 0, "", id="fen-in-fenbie"),
    case("共3分析如下", "3", "3", "3", 0, "", id="fen-in-fenxi"),
    case("安置139人员", "139", "139", "139", 0, "", id="ren-in-renyuan"),
    # comparators in symbols
    case("满意度≥95%", "95", "≥95%", "95", 0, "%", ">=", id="symbol-ge"),
    case("满意度≧95%", "95", "≧95%", "95", 0, "%", ">=", id="symbol-ge-variant"),
    case("投诉率≤3%", "3", "≤3%", "3", 0, "%", "<=", id="symbol-le"),
    case("投诉率≦3%", "3", "≦3%", "3", 0, "%", "<=", id="symbol-le-variant"),
    case("办结率=100%", "100", "=100%", "100", 0, "%", "=", id="symbol-eq"),
    case("办结率═100%", "100", "═100%", "100", 0, "%", "=", id="symbol-eq-box"),
    case("办结率＝100%", "100", "=100%", "100", 0, "%", "=", fold=True, id="symbol-eq-full-width"),
    # comparators in words, before and after
    case("指标值为大于等于5%,", "5", "大于等于5%", "5", 0, "%", ">=", id="word-dayudengyu"),
    case("不低于95%", "95", "不低于95%", "95", 0, "%", ">=", id="word-budiyu"),
    case("不低于 95%", "95", "不低于 95%", "95", 0, "%", ">=", id="word-budiyu-spaced"),
    case("不少于10件", "10", "不少于10件", "10", 0, "件", ">=", id="word-bushaoyu"),
    case("不高于3%", "3", "不高于3%", "3", 0, "%", "<=", id="word-bugaoyu"),
    case("不超过500万元", "500", "不超过500万元", "500", 0, "万元", "<=", id="word-buchaoguo"),
    case(
        "小于等于2872.68万元",
        "2872.68",
        "小于等于2872.68万元",
        "2872.68",
        2,
        "万元",
        "<=",
        id="word-xiaoyudengyu",
    ),
    case(
        "控制在100万元以内",
        "100",
        "控制在100万元以内",
        "100",
        0,
        "万元",
        "<=",
        id="word-kongzhizai-yinei",
    ),
    case("满意度90%以上", "90", "90%以上", "90", 0, "%", ">=", id="word-yishang"),
    case("满意度95%及以上", "95", "95%及以上", "95", 0, "%", ">=", id="word-jiyishang"),
    case("误差30人以下", "30", "30人以下", "30", 0, "人", "<=", id="word-yixia"),
    # approximation
    case("平台件20余件,", "20", "20余件", "20", 0, "件", approximate=True, id="approx-yu"),
    case("案件110多件", "110", "110多件", "110", 0, "件", approximate=True, id="approx-duo"),
    case(
        "金额达20万余元,",
        "20",
        "20万余元",
        "20",
        0,
        "万元",
        approximate=True,
        id="approx-wan-yu-yuan",
    ),
    case("服务约30人", "30", "约30人", "30", 0, "人", approximate=True, id="approx-yue"),
    case("惠及近50户", "50", "近50户", "50", 0, "户", approximate=True, id="approx-jin"),
    case("培训100人左右", "100", "100人左右", "100", 0, "人", approximate=True, id="approx-zuoyou"),
    case("治理超过20亩", "20", "超过20亩", "20", 0, "亩", approximate=True, id="approx-chaoguo"),
    # ranges
    case("得分80-90分", "80", "80-90分", "80", 0, "分", upper="90", id="range-hyphen"),
    case("得分80～90分", "80", "80~90分", "80", 0, "分", upper="90", fold=True, id="range-wave"),
    case("比例80%-90%", "80", "80%-90%", "80", 0, "%", upper="90", id="range-units-both"),
    case("培训10至20人", "10", "10至20人", "10", 0, "人", upper="20", id="range-zhi"),
    # Chinese numerals count only with a count unit
    case(
        "保障九个社区正常运转", "九", "九个", "9", 0, "个", numeral="chinese", id="chinese-jiu-ge"
    ),
    case(
        "编制一百零六名",
        "一百零六",
        "一百零六名",
        "106",
        0,
        "名",
        numeral="chinese",
        id="chinese-106-ming",
    ),
    case(
        "共完成十二项指标",
        "十二",
        "十二项",
        "12",
        0,
        "项",
        numeral="chinese",
        id="chinese-shier-xiang",
    ),
    case(
        "设置“两办四中心”分别是",
        "两",
        "两办",
        "2",
        0,
        "办",
        numeral="chinese",
        id="chinese-grouped-liang",
    ),
    case(
        "设置“两办四中心”分别是",
        "四",
        "四中心",
        "4",
        0,
        "中心",
        numeral="chinese",
        id="chinese-grouped-si",
    ),
    case(
        "满意度达百分之九十五",
        "九十五",
        "百分之九十五",
        "95",
        0,
        "%",
        numeral="chinese",
        id="percent-words-chinese",
    ),
    case("满意度达百分之95", "95", "百分之95", "95", 0, "%", id="percent-words-digits"),
]


@pytest.mark.parametrize("text,fold,expected", FIGURES)
def test_figure(text: str, fold: bool, expected: tuple) -> None:
    text = normalized(text) if fold else text
    figure, span, *rest = expected
    q = figure_at(text, figure)
    assert text[q.value_start : q.value_end] == figure
    assert (q.start, q.end) == (text.index(span), text.index(span) + len(span))
    assert q.text == span
    assert (q.value, q.decimals, q.unit, q.comparator, q.approximate, q.upper, q.numeral) == tuple(
        rest
    )
    assert q.kind == "number"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("一般性支出", id="yiban"),
        pytest.param("委托第三方机构", id="disanfang"),
        pytest.param("统一领导和管理", id="tongyi"),
        pytest.param("分别为党建办公室", id="fenbie"),
        pytest.param("二〇二三年度", id="chinese-year"),
    ],
)
def test_no_figure(text: str) -> None:
    assert find_quantities(text) == []


def identifier(text: str, span: str, kind: str, fold: bool = False, id: str = ""):
    return pytest.param(text, span, kind, fold, id=id)


IDENTIFIERS = [
    identifier("填报时间:2024年04月15日", "2024年04月15日", "date", id="date-chinese"),
    identifier(
        "生成于2019-05-22T04:56:35Z。", "2019-05-22T04:56:35Z", "date", id="date-iso-timestamp"
    ),
    identifier("于5月20日完成", "5月20日", "date", id="date-month-day"),
    identifier("(2023年度)", "2023年度", "year", id="year-niandu"),
    identifier("2021-2023年规划", "2021-2023年", "year", id="year-range"),
    identifier("联系电话:0371-65919535", "0371-65919535", "phone", id="phone-area-code"),
    identifier("监督电话:12317", "12317", "phone", id="phone-after-label"),
    identifier("手机13912345678", "13912345678", "phone", id="phone-mobile"),
    identifier("财预〔2020〕10号文件", "〔2020〕10号", "docno", id="docno"),
    identifier("依据财预〔2022〕105号", "〔2022〕105号", "docno", id="docno-105"),
    identifier(
        "依据财预﹝2022﹞105号",
        "〔2022〕105号",
        "docno",
        fold=True,
        id="docno-small-brackets-folded",
    ),
    identifier("12345热线事件办结率100%", "12345", "code", id="hotline-12345"),
    identifier("12345平台件20余件", "12345", "code", id="platform-12345"),
    identifier("219-池州市", "219", "code", id="code-before-place"),
    identifier("编号zlnb210061", "zlnb210061", "code", id="code-letters-digits"),
    identifier("版本2052-11.1.0.11691", "2052-11.1.0.11691", "code", id="code-dotted-version"),
    identifier("邮编:830000", "830000", "code", id="code-postcode"),
    identifier("第3批资金", "第3", "ordinal", id="ordinal-di"),
    identifier("1.部门主要职能", "1.", "section", id="section-dot"),
    identifier("(3)资金使用合规性", "(3)", "section", id="section-paren"),
    identifier("(３)资金使用合规性", "(3)", "section", fold=True, id="section-paren-full-width"),
]


@pytest.mark.parametrize("text,span,kind,fold", IDENTIFIERS)
def test_identifier(text: str, span: str, kind: str, fold: bool) -> None:
    text = normalized(text) if fold else text
    start = text.index(span)
    quantities = find_quantities(text)
    found = [q for q in quantities if (q.start, q.end) == (start, start + len(span))]
    assert [q.kind for q in found] == [kind]
    # nothing inside an identifier may enter arithmetic
    inside = [
        q
        for q in quantities
        if q.kind == "number" and q.start < start + len(span) and start < q.end
    ]
    assert inside == []


def test_figure_after_identifier_still_read() -> None:
    text = "12345热线事件办结率100%"
    assert [(q.kind, q.text) for q in find_quantities(text)] == [
        ("code", "12345"),
        ("number", "100%"),
    ]


def test_two_figures_sorted_with_own_spans() -> None:
    text = "预算金额为557.92万元,执行金额为329.13万元"
    assert [(q.text, q.value) for q in find_quantities(text)] == [
        ("557.92万元", Decimal("557.92")),
        ("329.13万元", Decimal("329.13")),
    ]


# --- regressions -----------------------------------------------------------------------------


def test_word_before_a_paragraph_break_does_not_qualify_figure() -> None:
    # Raised KeyError('约\n'): the comparator pattern allowed a newline the lookup did not strip.
    text = "服务对象约\n30人"
    [q] = find_quantities(text)
    assert (q.text, q.approximate, q.comparator) == ("30人", False, "")


def test_comparator_before_paragraph_break_ignored() -> None:
    [q] = find_quantities("指标值不低于\n95%")
    assert (q.text, q.comparator) == ("95%", "")


def test_digit_unknown_to_decimal_is_not_a_figure() -> None:
    # U+116D0 is a digit to `regex` (newer Unicode) but not to Decimal: it raised
    # decimal.InvalidOperation and took the whole document down.
    assert [q for q in find_quantities("预算\U000116d0万元,执行率90%") if q.kind == "number"][
        0
    ].text == "90%"


# --- figures cut from their units by a hard wrap ---------------------------------------------

FILLER = "为辖区居民提供民生保障城市管理等综合服务促进片区和谐发展做好"  # 30 CJK characters
FIGURE = "2522.66万元"


def hard_wrapped(cut: int) -> str:
    """A text wrapped like the seed (every ~28 CJK characters) with a line break inside
    FIGURE after `cut` characters."""
    head = FILLER[:24] + FIGURE[:cut]
    tail = FIGURE[cut:] + ",预算执行率为90.72%。"
    lines = (
        [FILLER[:28]] * 4 + [head, tail + FILLER[: 28 - len(tail)]] + [FILLER[:28]] * 4 + ["完。"]
    )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "cut", [pytest.param(k, id=f"cut-after-{FIGURE[:k]}") for k in range(1, len(FIGURE))]
)
def test_figure_split_by_hard_wrap(cut: int) -> None:
    doc = document_from_text(hard_wrapped(cut))
    q = figure_at(doc.text, "2522.66")
    assert (q.text, q.value, q.decimals, q.unit) == (FIGURE, Decimal("2522.66"), 2, "万元")
    # the figure still points at its two source lines: head is line 5, tail line 6
    first, last = doc.origins[q.start], doc.origins[q.end - 1]
    assert (first.line, first.column) == (5, 24)
    assert (last.line, last.column) == (6, len(FIGURE) - cut - 1)


def test_seed_figure_split_from_unit() -> None:
    # fixtures/seed/report.txt line 139 ends "资金2522.66", line 141 starts "万元"
    doc = read_text(SEED)
    text = doc.text
    q = figure_at(text, "2522.66万元,预算执行率")
    assert (q.text, q.unit, q.decimals) == ("2522.66万元", "万元", 2)
    assert doc.origins[q.value_start].line != doc.origins[q.end - 1].line
