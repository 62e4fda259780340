"""Properties of the recognizer and the text reader over generated input: printed figures round-
trip, arbitrary text never raises, spans stay in bounds, and the source map stays true."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.readers.text import document_from_text
from auditor.recognize import find_quantities
from auditor.recognize.chinese import NUMERAL

FAST = settings(max_examples=200, deadline=None)

LABELS = [
    "预算数",
    "执行金额为",
    "预算执行率",
    "自评得分",
    "受理信访案件",
    "其中:",
    "合计",
    "实际完成值为",
]
UNITS = ["万元", "元", "亿元", "%", "分", "个", "项", "人", "人次", "件", "户", "亩"]
ENDINGS = ["", "。", ",", ";", "\n"]
# Comparator and approximation words with what they mean: (word, comparator, approximate).
BEFORE = [
    ("", "", False),
    ("不低于", ">=", False),
    ("大于等于", ">=", False),
    ("≥", ">=", False),
    ("不超过", "<=", False),
    ("≤", "<=", False),
    ("约", "", True),
    ("近", "", True),
]

# Below 10^10: eleven digits starting 13-19 are a mobile phone number, not a figure.
figures = st.integers(min_value=0, max_value=4).flatmap(
    lambda places: st.decimals(
        min_value=0,
        max_value=Decimal(10) ** 10 - 1,
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )
)


def printed(value: Decimal, thousands: bool) -> str:
    return f"{value:,f}" if thousands else f"{value:f}"


def decimals_of(value: Decimal) -> int:
    return max(0, -value.as_tuple().exponent)


@FAST
@given(
    st.sampled_from(LABELS),
    figures,
    st.booleans(),
    st.sampled_from(UNITS),
    st.sampled_from(ENDINGS),
)
def test_printed_figure_round_trips(
    label: str, value: Decimal, thousands: bool, unit: str, ending: str
) -> None:
    figure = printed(value, thousands)
    text = f"{label}{figure}{unit}{ending}"
    [q] = [q for q in find_quantities(text) if q.kind == "number"]
    start = len(label)
    assert (q.value_start, q.value_end) == (start, start + len(figure))
    assert (q.start, q.end) == (start, start + len(figure) + len(unit))
    assert (q.value, q.decimals, q.unit) == (value, decimals_of(value), unit)
    assert (q.comparator, q.approximate, q.upper) == ("", False, None)


@FAST
@given(st.sampled_from(LABELS), st.sampled_from(BEFORE), figures, st.sampled_from(UNITS))
def test_words_before_a_figure_join_its_span(
    label: str, before: tuple[str, str, bool], value: Decimal, unit: str
) -> None:
    word, comparator, approximate = before
    figure = printed(value, False)
    text = f"{label}{word}{figure}{unit}"
    [q] = [q for q in find_quantities(text) if q.kind == "number"]
    assert (q.start, q.value_start, q.end) == (len(label), len(label) + len(word), len(text))
    assert (q.value, q.comparator, q.approximate) == (value, comparator, approximate)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@FAST
@given(st.sampled_from(LABELS), figures, st.booleans(), st.sampled_from(["万元", "%", "分", "个"]))
def test_full_width_figure_reads_as_printed(
    label: str, value: Decimal, thousands: bool, unit: str
) -> None:
    figure = printed(value, thousands)
    raw = f"{label}{full_width(figure + unit)}"
    doc = document_from_text(raw)
    [q] = [q for q in find_quantities(doc.text) if q.kind == "number"]
    assert (q.value, q.decimals, q.unit) == (value, decimals_of(value), unit)
    # the folded figure still points at the raw full-width characters
    columns = [doc.origins[k].column for k in range(q.value_start, q.value_end)]
    assert columns == list(range(len(label), len(label) + len(figure)))


# Text made of what reports are made of, plus anything at all.
REPORT_CHARS = (
    "预算执行率万元亿元分别析人员个项件户亩余多约近左右以上以下以内及不低于少超过控制在大等"
    "第年度月日号百分之零〇一二两三四五六七八九十百千“”〔〕﹝﹞（）：，％．。；、　"
)
report_text = st.text(
    st.one_of(
        st.sampled_from(REPORT_CHARS),
        st.sampled_from("0123456789.,-%:()| ~=≥≤≦≧═"),
        st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),
        st.characters(codec="utf-8"),
    ),
    max_size=60,
)


@FAST
@given(report_text)
def test_find_quantities_total(text: str) -> None:
    for q in find_quantities(text):
        assert 0 <= q.start <= q.value_start < q.value_end <= q.end <= len(text)
        assert q.text == text[q.start : q.end]
        figure = text[q.value_start : q.value_end]
        if q.kind == "number" and q.numeral == "arabic":
            assert re.fullmatch(r"-?[0-9][0-9.,]*", figure), figure
            assert q.value == Decimal(figure.replace(",", ""))
        elif q.kind == "number":
            assert set(figure) <= set(NUMERAL), figure


raw_text = st.text(
    st.one_of(
        st.sampled_from(REPORT_CHARS),
        st.sampled_from("0123456789.,-%|  \t\n\n\n\r\f"),
        st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),
        st.characters(codec="utf-8"),
    ),
    max_size=200,
)


def folds_to(raw: str, ch: str) -> bool:
    """Independent of the reader's folding table: same character, its compatibility form, or a
    space from any blank (or from the padding the reader puts around a table bar)."""
    if raw == ch or unicodedata.normalize("NFKC", raw) == ch:
        return True
    return ch == " " and (raw.isspace() or raw in "\u200b|｜")


@FAST
@given(raw_text)
def test_source_map_true(text: str) -> None:
    doc = document_from_text(text)
    assert len(doc.origins) == len(doc.text)
    lines = re.split(r"\r\n|\r|\n", text)  # lines as an editor numbers them
    for ch, origin in zip(doc.text, doc.origins, strict=True):
        assert 1 <= origin.page <= doc.pages
        if ch == "\n":
            continue
        assert 1 <= origin.line <= len(lines)
        line = lines[origin.line - 1]
        assert 0 <= origin.column < len(line)
        assert folds_to(line[origin.column], ch), (ch, origin, line)


@FAST
@given(raw_text)
def test_cells_inside_text(text: str) -> None:
    doc = document_from_text(text)
    for table in doc.tables:
        for number, row in enumerate(table.rows):
            assert [c.col for c in row] == list(range(len(row)))
            for cell in row:
                assert cell.row == number
                assert 0 <= cell.start <= cell.end <= len(doc.text)
                assert "\n" not in doc.text[cell.start : cell.end]
