"""Properties of the recognizer, the text reader and the normalizer over generated input: figures
printed in the usual report styles (thousands separators, 万元, %, 百分之, Chinese numerals) read
back as the same value, arbitrary text never raises, every span says what was read from it, and
the source map stays true."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.readers.normalize import RawLine, normalize
from auditor.readers.text import document_from_text
from auditor.recognize import find_quantities
from auditor.recognize.chinese import NUMERAL, to_decimal

# Deterministic and database-free: every CI run tries the same examples, in a few seconds.
FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None)

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
    space from any blank, a control character, or the padding the reader puts around a table bar."""
    if raw == ch or unicodedata.normalize("NFKC", raw) == ch:
        return True
    blank = raw.isspace() or unicodedata.category(raw) == "Cc" or raw in "\u200b|｜"
    return ch == " " and blank


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


# --- never raises, whatever the text ------------------------------------------------------------

FULL_WIDTH_DIGITS = "０１２３４５６７８９．，％"
ODD = "\u200b\u200d\ufeff\u202e\u0301\u00a0\u3000\t\r\f\x00\x1b𝟘𝟙𝟚١٢٣०१२৩߁᠑Ⅻ①⑩⒈㈠〡〢"
any_text = st.text(
    st.one_of(
        st.characters(exclude_categories=("Cs",)),  # anything a str can hold in a file
        st.sampled_from(REPORT_CHARS + FULL_WIDTH_DIGITS + ODD + NUMERAL),
        st.sampled_from("0123456789.,-%"),
    ),
    max_size=120,
)
digit_runs = st.tuples(
    st.sampled_from(["", "合计", "百分之", "预算数", "-", "第", "约", "(", "〔"]),
    st.integers(min_value=1, max_value=3000),
    st.sampled_from(["", ".", ".5", ",000", "万元", "%", "个", "年", "号", "点五"]),
).map(lambda t: f"{t[0]}{'9' * t[1]}{t[2]}")
chinese_runs = st.text(st.sampled_from(NUMERAL + "点个项百分之"), min_size=1, max_size=40)


def assert_spans_true(text: str) -> None:
    """Every quantity's spans lie in the text, nest, and say what was read from them."""
    for q in find_quantities(text):
        assert 0 <= q.start <= q.value_start < q.value_end <= q.end <= len(text), q
        assert q.text == text[q.start : q.end]
        figure = text[q.value_start : q.value_end]
        if q.kind != "number":
            continue
        if q.numeral == "arabic":
            assert re.fullmatch(r"-?[0-9][0-9.,]*", figure), figure
            assert q.value == Decimal(figure.replace(",", ""))
            assert q.decimals == len(figure.partition(".")[2])
        else:
            assert set(figure) <= set(NUMERAL + "点"), figure
            assert q.value == to_decimal(figure), (figure, q.value)


@FAST
@given(st.one_of(any_text, digit_runs, chinese_runs))
def test_recognizer_never_raises_and_spans_are_true(text: str) -> None:
    assert_spans_true(text)


@FAST
@given(any_text, digit_runs, any_text)
def test_long_digit_runs_inside_any_text(before: str, digits: str, after: str) -> None:
    assert_spans_true(before + digits + after)


# --- printed in the usual report styles, read back as the same value ----------------------------

CN_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """0 < n < 10000 in Chinese numerals as reports print them: 十五, 一百零六, 两千三百."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    out, zero = "", False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            zero = bool(out)
            continue
        out += ("零" if zero else "") + CN_DIGITS[digit] + name
        zero = False
    return out


# a word before the numeral that is no part of it, and a count unit after it
COUNT_LABELS = ["共有", "完成", "涉及", "下设", "开展"]
COUNT_UNITS = ["个", "项", "人", "件", "户", "家", "次", "所"]


@FAST
@given(
    st.sampled_from(COUNT_LABELS),
    st.integers(min_value=2, max_value=9999),
    st.sampled_from(COUNT_UNITS),
    st.sampled_from(ENDINGS),
)
def test_chinese_numeral_count_round_trips(label: str, n: int, unit: str, ending: str) -> None:
    numeral = chinese_numeral(n)
    text = f"{label}{numeral}{unit}{ending}"
    [q] = [q for q in find_quantities(text) if q.kind == "number"]
    assert (q.value, q.unit, q.numeral) == (Decimal(n), unit, "chinese")
    assert (q.value_start, q.value_end, q.end) == (
        len(label),
        len(label) + len(numeral),
        len(text) - len(ending),
    )


money = st.decimals(min_value=0, max_value=Decimal(10) ** 9, places=2)


@FAST
@given(st.sampled_from(LABELS), money, st.booleans())
def test_amount_in_wan_yuan_round_trips(label: str, yuan: Decimal, thousands: bool) -> None:
    wan = (yuan / 10000).quantize(Decimal("0.01"))
    figure = printed(wan, thousands)
    text = f"{label}{figure}万元。"
    [q] = [q for q in find_quantities(text) if q.kind == "number"]
    assert (q.value, q.decimals, q.unit) == (wan, 2, "万元")
    assert text[q.value_start : q.value_end] == figure


rates = st.decimals(min_value=0, max_value=200, places=2)


@FAST
@given(st.sampled_from(LABELS), rates, st.sampled_from(["{}%", "{}％", "百分之{}"]))
def test_percentage_round_trips(label: str, rate: Decimal, style: str) -> None:
    text = document_from_text(label + style.format(rate)).text
    [q] = [q for q in find_quantities(text) if q.kind == "number"]
    assert (q.value, q.decimals, q.unit) == (rate, 2, "%")


@FAST
@given(st.sampled_from(LABELS), st.integers(min_value=1, max_value=99))
def test_percentage_in_chinese_words_round_trips(label: str, n: int) -> None:
    text = f"{label}百分之{chinese_numeral(n)}"
    [q] = [q for q in find_quantities(text) if q.kind == "number"]
    assert (q.value, q.unit, q.numeral) == (Decimal(n), "%", "chinese")


# --- the normalizer: never raises, and every character knows where it came from ----------------

line_text = st.text(
    st.one_of(
        st.sampled_from(REPORT_CHARS + FULL_WIDTH_DIGITS + ODD),
        st.sampled_from("0123456789.,-%| ｜ \t\n"),
        st.characters(exclude_categories=("Cs",)),
    ),
    max_size=40,
)


@st.composite
def raw_lines(draw: st.DrawFn) -> list[RawLine]:
    """Lines as any reader may hand them over: plain lines, lines that say whether they wrap,
    and table rows given as cells; each line and cell with its own place (page, line, part)."""
    lines: list[RawLine] = []
    page = 1
    for number in range(1, draw(st.integers(min_value=0, max_value=14)) + 1):
        page += draw(st.sampled_from([0, 0, 0, 1]))
        wraps = draw(st.sampled_from([None, None, True, False]))
        if draw(st.integers(min_value=0, max_value=3)) == 0:
            count = draw(st.integers(min_value=0, max_value=4))
            cells = [
                RawLine(draw(line_text), page, number, part=f"c{number}.{col}")
                for col in range(count)
            ]
            table = draw(st.integers(min_value=0, max_value=2))
            lines.append(RawLine("", page, number, cells=cells, table=table))
        else:
            lines.append(RawLine(draw(line_text), page, number, wraps=wraps))
    return lines


def sources_of(lines: list[RawLine]) -> dict[tuple[int, int, str], str]:
    places = {}
    for line in lines:
        places[(line.page, line.line, line.part)] = line.text
        for cell in line.cells or []:
            places[(cell.page, cell.line, cell.part)] = cell.text
    return places


@FAST
@given(raw_lines(), st.one_of(st.none(), st.integers(min_value=1, max_value=9)))
def test_normalizer_never_raises_and_keeps_its_map(lines: list[RawLine], pages: int | None) -> None:
    doc = normalize("<fuzz>", lines, pages)
    assert len(doc.origins) == len(doc.text)
    places = sources_of(lines)
    for ch, origin in zip(doc.text, doc.origins, strict=True):
        key = (origin.page, origin.line, origin.part)
        assert key in places, (ch, origin)
        source = places[key]
        # a line break or a cell separator " | " the normalizer writes stands at the end of its
        # line or at the start of the next cell (which may be empty); every other character was
        # read from a real one
        if ch in "\n |":
            assert 0 <= origin.column <= len(source), (ch, origin, source)
            continue
        assert 0 <= origin.column < len(source), (ch, origin, source)
        assert folds_to(source[origin.column], ch), (ch, origin, source)
    for table in doc.tables:
        for row in table.rows:
            for cell in row:
                assert 0 <= cell.start <= cell.end <= len(doc.text)
