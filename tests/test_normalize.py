"""The text reader: encodings, folding, hard-wrap joining, headings, pages, page numbers, pipe
tables, and the source map from every normalized character back to its raw line and column."""

from __future__ import annotations

import codecs

import pytest
from conftest import SEED

from auditor.readers.errors import ReadError
from auditor.readers.text import decode, document_from_text, read_text

SAMPLE = "预算执行率为90.72%，得９．０７分。"
CJK = r"[\u4e00-\u9fff]"


def raw_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


def source_char(raw: list[str], doc, offset: int) -> str:
    origin = doc.origins[offset]
    return raw[origin.line - 1][origin.column]


# --- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(SAMPLE.encode("utf-8"), id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), id="utf-8-bom"),
        pytest.param(SAMPLE.encode("gbk"), id="gbk"),
        pytest.param(SAMPLE.encode("gb18030"), id="gb18030"),
        pytest.param(codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), id="utf-16-be-bom"),
    ],
)
def test_decode(data: bytes) -> None:
    assert decode(data, "r.txt") == SAMPLE  # the BOM is not part of the text


@pytest.mark.parametrize(
    "data,reason",
    [
        pytest.param(b"\x81", "无法识别的文本编码", id="undecodable"),
        pytest.param(b"\x80\x80\xff", "无法识别的文本编码", id="undecodable-high-bytes"),
        pytest.param(b"PK\x03\x04\x14\x00\x00\x00", "不是文本文件", id="binary-with-nul"),
        pytest.param(
            codecs.BOM_UTF16_LE + b"\x00\xd8", "UTF-16 文本无法解码", id="utf-16-lone-surrogate"
        ),
    ],
)
def test_decode_refuses(data: bytes, reason: str) -> None:
    with pytest.raises(ReadError, match=f"^bad.txt: {reason}") as raised:
        decode(data, "bad.txt")
    assert raised.value.path == "bad.txt"
    assert raised.value.reason.startswith(reason)


def test_read_gbk_file(tmp_path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("全年预算数为2780.63万元。\r\n".encode("gbk"))
    doc = read_text(path)
    assert doc.text == "全年预算数为2780.63万元。\n"
    assert doc.path == str(path)


def test_read_empty_file(tmp_path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(codecs.BOM_UTF8 + b" \n\n")
    with pytest.raises(ReadError, match="文件为空"):
        read_text(path)


def test_read_missing_file(tmp_path) -> None:
    with pytest.raises(ReadError, match="无法打开文件") as raised:
        read_text(tmp_path / "missing.txt")
    assert raised.value.path.endswith("missing.txt")


# --- folding and spaces -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,text",
    [
        pytest.param(
            "（一）预算数：１２３４．５０万元，占比５０％",
            "(一)预算数:1234.50万元,占比50%",
            id="full-width",
        ),
        pytest.param("预算　执行率 为 90 %", "预算执行率为90 %", id="spaces-next-to-chinese"),
        pytest.param("编号 0 0 0 结束", "编号0 0 0结束", id="single-space-between-ascii"),
        pytest.param("A \t B", "A B", id="spaces-collapse"),
        pytest.param("  缩进的段落  ", "缩进的段落", id="edges-trimmed"),
        pytest.param("依据财预﹝2022﹞105号", "依据财预〔2022〕105号", id="small-form-brackets"),
    ],
)
def test_folding(raw: str, text: str) -> None:
    doc = document_from_text(raw)
    assert doc.text == text + "\n"
    for offset, ch in enumerate(text):
        origin = doc.origins[offset]
        assert (origin.page, origin.line) == (1, 1)
        assert raw[origin.column] in (ch, *FULL_WIDTH.get(ch, ""))


FULL_WIDTH = {
    "(": "（",
    ")": "）",
    ":": "：",
    ",": "，",
    "%": "％",
    ".": "．",
    "〔": "﹝",
    "〕": "﹞",
    **{d: chr(ord(d) + 0xFEE0) for d in "0123456789"},
}


def test_crlf_lines_keep_columns() -> None:
    doc = document_from_text("一、概况\r\n预算数为12万元\r\n")
    at = doc.text.index("12")
    assert doc.text == "一、概况\n预算数为12万元\n"
    assert (doc.origins[at].line, doc.origins[at].column) == (2, 4)


# --- hard wraps, headings ---------------------------------------------------------------------

FILLER = "受区委管委会委托统一领导和管理辖区党务行政和社会事务工作促进片区和谐发展拟订"  # 40 CJK


def wrapped(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_hard_wrapped_lines_joined() -> None:
    lines = [FILLER[k : k + 28] for k in range(0, 12, 1)]
    doc = document_from_text(wrapped(*lines, "结束。"))
    assert doc.text == "".join(lines) + "结束。\n"
    # the first character of each joined line still points at its own raw line, column 0
    offset = 0
    for number, line in enumerate(lines, start=1):
        assert (doc.origins[offset].line, doc.origins[offset].column) == (number, 0)
        offset += len(line)


def test_short_lines_not_joined() -> None:
    # no common width: each line is its own paragraph
    lines = [
        "一、概况",
        "预算数为12万元",
        "执行率为90%",
        "得分9分",
        "总体较好",
        "评价等级为良",
        "问题",
        "无",
        "完",
    ]
    assert document_from_text(wrapped(*lines)).text == "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "heading",
    [
        pytest.param("二、部门单位整体支出管理及使用情况", id="chinese-ordinal"),
        pytest.param("(三)部门单位整体预算规模", id="parenthesized"),
        pytest.param("（三）部门单位整体预算规模", id="parenthesized-full-width"),
        pytest.param("3.全年预算执行情况", id="arabic-dot"),
        pytest.param("第二章 绩效分析", id="chapter"),
    ],
)
def test_heading_after_full_line_starts_new_line(heading: str) -> None:
    lines = [FILLER[k : k + 28] for k in range(0, 10)]
    doc = document_from_text(wrapped(*lines[:5], heading, *lines[5:]))
    folded = document_from_text(heading).text  # ends with its own newline
    assert doc.text == "".join(lines[:5]) + "\n" + folded + "".join(lines[5:]) + "\n"


def test_seed_hard_wrap_joined_with_source_map() -> None:
    doc = read_text(SEED)
    raw = SEED.read_text(encoding="utf-8").split("\n")
    assert "全年实际支出资金2522.66万元" in doc.text
    at = doc.text.index("全年实际支出资金2522.66万元") + len("全年实际支出资金")
    holder = next(
        n for n, line in enumerate(raw, start=1) if line.endswith("全年实际支出资金2522.66")
    )
    origin = doc.origins[at]
    assert (origin.line, origin.column) == (holder, raw[holder - 1].index("2522.66"))
    unit = doc.origins[at + len("2522.66")]
    assert (unit.line, unit.column) == (holder + 2, 0)  # seed lines are separated by a blank line
    assert raw[unit.line - 1].startswith("万元")


def test_seed_word_joined_across_page_break() -> None:
    doc = read_text(SEED)
    raw = SEED.read_text(encoding="utf-8").split("\n")
    at = doc.text.index("持续加强社会治理")
    zhi, li = doc.origins[at + 6], doc.origins[at + 7]
    before = next(n for n, line in enumerate(raw, start=1) if line.endswith("持续加强社会治"))
    assert zhi.line == before and raw[li.line - 1].startswith("理")
    assert all(not line.strip() for line in raw[before : li.line - 1])  # only blank lines between
    assert li.line - before - 1 >= 3
    assert li.page == zhi.page + 1


def test_seed_headings_on_their_own_lines() -> None:
    text = read_text(SEED).text
    for heading in (
        "一、基本概况",
        "(二)部门单位年度重点工作",
        "3.全年预算执行情况",
        "四、评价结论",
    ):
        assert f"\n{heading}\n" in text


# --- pages and page numbers ---------------------------------------------------------------------


def pages(*bodies: str, gap: str = "\n\n\n\n") -> str:
    return gap.join(bodies) + "\n"


def test_blank_lines_break_pages() -> None:
    doc = document_from_text(pages("一、概况\n甲", "二、目标\n乙", "三、结论\n丙"))
    assert doc.pages == 3
    assert [doc.origins[doc.text.index(c)].page for c in "甲乙丙"] == [1, 2, 3]
    assert doc.origins[doc.text.index("乙")].line == 7


def test_two_blank_lines_do_not_break_pages() -> None:
    doc = document_from_text(pages("甲", "乙", gap="\n\n\n"))
    assert doc.pages == 1


def test_form_feed_breaks_pages_and_keeps_line_numbers() -> None:
    # Regression: str.splitlines split at the form feed itself, so no page break was seen
    # and every later line number was one too high.
    raw = "一、概况\n预算数为12万元\n\f二、目标\n执行率为90%\n"
    doc = document_from_text(raw)
    assert doc.pages == 2
    at = doc.text.index("90%")
    assert doc.text == "一、概况\n预算数为12万元\n二、目标\n执行率为90%\n"
    assert (doc.origins[at].page, doc.origins[at].line, doc.origins[at].column) == (2, 4, 4)
    heading = doc.origins[doc.text.index("二、目标")]
    assert (heading.page, heading.line, heading.column) == (2, 3, 1)  # column 0 is the form feed


@pytest.mark.parametrize(
    "numbers",
    [
        pytest.param(("1", "2", "3"), id="bare"),
        pytest.param(("- 1 -", "- 2 -", "- 3 -"), id="dashed"),
        pytest.param(("—1—", "—2—", "—3—"), id="em-dashed"),
        pytest.param(("第1页", "第2页", "第3页"), id="di-ye"),
        pytest.param(("第1页 共3页", "第2页 共3页", "第3页 共3页"), id="di-ye-gong"),
        pytest.param(("1/3", "2/3", "3/3"), id="slash"),
    ],
)
def test_rising_page_numbers_dropped(numbers: tuple[str, ...]) -> None:
    bodies = [
        f"{title}\n{line}\n{number}"
        for title, line, number in zip(
            ("一、概况", "二、目标", "三、结论"),
            ("预算数12万元", "完成5个项目", "得分90分"),
            numbers,
            strict=True,
        )
    ]
    doc = document_from_text(pages(*bodies))
    assert doc.text == "一、概况\n预算数12万元\n二、目标\n完成5个项目\n三、结论\n得分90分\n"


def test_page_numbers_at_top_dropped() -> None:
    doc = document_from_text(pages("1\n一、概况\n甲", "2\n二、目标\n乙"))
    assert doc.text == "一、概况\n甲\n二、目标\n乙\n"


def test_figures_at_page_edges_that_do_not_rise_kept() -> None:
    doc = document_from_text(pages("完成数\n12", "目标数\n8"))
    assert doc.text == "完成数\n12\n目标数\n8\n"


def test_number_line_on_single_page_kept() -> None:
    assert document_from_text("完成数\n12\n").text == "完成数\n12\n"


def test_running_header_on_three_pages_dropped() -> None:
    header = "友谊路片区管委会绩效自评报告"
    doc = document_from_text(pages(f"{header}\n甲", f"{header}\n乙", f"{header}\n丙"))
    assert doc.text == "甲\n乙\n丙\n"


# --- pipe tables --------------------------------------------------------------------------------


def cells(doc, table: int = 0) -> list[list[tuple[str, int, int]]]:
    return [
        [(doc.text[c.start : c.end], c.row, c.col) for c in row] for row in doc.tables[table].rows
    ]


def test_pipe_rows_become_cells() -> None:
    doc = document_from_text(
        "一、资金情况\n项目 | 预算数 | 执行数\n社区经费 | 478.78 | 273.32\n结论段落。\n"
    )
    assert (
        doc.text == "一、资金情况\n项目 | 预算数 | 执行数\n社区经费 | 478.78 | 273.32\n结论段落。\n"
    )
    assert cells(doc) == [
        [("项目", 0, 0), ("预算数", 0, 1), ("执行数", 0, 2)],
        [("社区经费", 1, 0), ("478.78", 1, 1), ("273.32", 1, 2)],
    ]
    # a cell points at its raw line and column
    cell = doc.tables[0].rows[1][2]
    origin = doc.origins[cell.start]
    assert (origin.line, origin.column) == (3, len("社区经费 | 478.78 | "))


def test_paragraph_ends_a_table() -> None:
    doc = document_from_text("甲 | 1\n乙 | 2\n说明文字。\n丙 | 3\n")
    assert len(doc.tables) == 2
    assert cells(doc, 1) == [[("丙", 0, 0), ("3", 0, 1)]]
    assert "说明文字。" not in {t for row in cells(doc, 0) for t, _, _ in row}


def test_full_width_bar_splits_cells() -> None:
    # Regression: ｜ folded to | in the text but was not taken as a cell boundary.
    doc = document_from_text("项目 | 预算数\n合计 ｜ 557.92\n")
    assert doc.text == "项目 | 预算数\n合计 | 557.92\n"
    assert cells(doc) == [[("项目", 0, 0), ("预算数", 0, 1)], [("合计", 1, 0), ("557.92", 1, 1)]]


def test_table_rows_not_joined_by_hard_wrap() -> None:
    lines = [FILLER[k : k + 28] for k in range(0, 10)]
    doc = document_from_text(wrapped(*lines, "项目 | 预算数", "合计 | 557.92"))
    assert doc.text.endswith("".join(lines) + "\n项目 | 预算数\n合计 | 557.92\n")
    assert cells(doc) == [[("项目", 0, 0), ("预算数", 0, 1)], [("合计", 1, 0), ("557.92", 1, 1)]]
