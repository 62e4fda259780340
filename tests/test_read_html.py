"""The HTML reader: a published web page with paragraphs and a 自评表 table gives the findings of
the same form as text; scripts, styles and hidden text are never read; rowspan/colspan expanded;
places as element paths and source lines."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, broken

from auditor.cli import main
from auditor.model import Document
from auditor.pipeline import Options, audit_file
from auditor.readers import ReadError, read_document

STRICT = Options(strict=True)
YUNNAN = FIXTURES / "corpus-forms" / "table-yunnan-2022-01-form"

# The yunnan form as its unit's website would publish it (rowspan/colspan, <br> in cells, <th>),
# with page furniture, scripts, styles and hidden text around it that must not be read.
PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>自评表 99.99%</title>
<style>td { color: red } /* 12.5% */</style>
<script>var rate = "88.88%"; alert(1)</script>
</head>
<body>
<div class="nav">首页 &gt; 信息公开</div>
<h2>2022年度项目支出绩效自评表</h2>
<p>部门:临沧市永德县明朗中学<br>公开14表</p>
<script>alert(1)</script>
<p style="display:none">隐藏的文字 77.77%</p>
<table border="1">
<tr><td>项目名称</td><td colspan="9">义务教育营养改善计划专项资金</td></tr>
<tr><td>主管部门</td><td colspan="4">永德县教育体育局</td><td colspan="2">实施单位</td><td colspan="3">永德县明朗中学</td></tr>
<tr><td rowspan="5">项目资金<br>(元)</td><td></td><td>年初预算数</td><td colspan="2">全年预算数</td><td colspan="2">全年执行数</td><td>分值</td><td>执行率</td><td>得分</td></tr>
<tr><td>年度资金总额</td><td></td><td colspan="2">387664.62</td><td colspan="2">387664.62</td><td>10</td><td>100%</td><td>10</td></tr>
<tr><td>其中:当年财政<br>拨款</td><td></td><td colspan="2">387664.62</td><td colspan="2">387664.62</td><td>—</td><td></td><td>—</td></tr>
<tr><td>上年结转<br>资金</td><td></td><td colspan="2"></td><td colspan="2"></td><td>—</td><td></td><td>—</td></tr>
<tr><td>其他资金</td><td>—</td><td colspan="2">—</td><td colspan="2">—</td><td>—</td><td></td><td>—</td></tr>
<tr><td rowspan="2">年度<br>总体<br>目标</td><td colspan="4">预期目标</td><td colspan="5">实际完成情况</td></tr>
<tr><td colspan="4">确保每一个学生都能享受到国家政策福利,改善学生体质</td><td colspan="5">确保每一个学生都能享受到国家政策福利,改善学生体质</td></tr>
<tr><td colspan="3">绩效指标</td><td colspan="3">年度指标值</td><td rowspan="2">实际完成值</td><td rowspan="2">分值</td><td rowspan="2">得分</td><td rowspan="2">偏差原因分析及改进措施</td></tr>
<tr><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>指标性质</th><th>指标值</th><th>度量单位</th></tr>
<tr><td rowspan="4">产出指标</td><td>数量指标</td><td>学生受资助人数</td><td>≧</td><td>735</td><td>人次</td><td>735</td><td>10</td><td>10</td><td></td></tr>
<tr><td>质量指标</td><td>营养改善计划覆盖率</td><td>≧</td><td>100</td><td>%</td><td>100%</td><td>10</td><td>10</td><td></td></tr>
<tr><td>时效指标</td><td>资金到位及时率</td><td>≧</td><td>100</td><td>%</td><td>100%</td><td>10</td><td>7</td><td></td></tr>
<tr><td>成本指标</td><td>生均补助标准达标率</td><td>═</td><td>100</td><td>%</td><td>100%</td><td>10</td><td>10</td><td></td></tr>
<tr><td rowspan="4">效益指标</td><td>经济效益<br>指标</td><td>减轻贫困学生家庭经济负担</td><td></td><td>有效</td><td></td><td>有效</td><td>10</td><td>10</td><td></td></tr>
<tr><td>社会效益<br>指标</td><td>政策知晓率</td><td>═</td><td>100</td><td>%</td><td>98%</td><td>10</td><td>9</td><td></td></tr>
<tr><td>生态效益<br>指标</td><td></td><td></td><td></td><td></td><td></td><td></td><td></td><td></td></tr>
<tr><td>可持续影响<br>指标</td><td>促进学校教育事业健康发展</td><td>≧</td><td>100</td><td>%</td><td>100%</td><td>10</td><td>10</td><td></td></tr>
<tr><td rowspan="2">满意度指标</td><td rowspan="2">服务对象满意度指标等</td><td>学生满意度</td><td>≧</td><td>95</td><td>%</td><td>100%</td><td>10</td><td>10</td><td></td></tr>
<tr><td>家长满意度</td><td>≧</td><td>95</td><td>%</td><td>100%</td><td>10</td><td>10</td><td></td></tr>
<tr><td colspan="3">其他需要说明事项</td><td colspan="7">无</td></tr>
<tr><td colspan="7">总分</td><td>100</td><td>96</td><td>优</td></tr>
</table>
<p>本项目全年预算数387664.62元，全年执行数387664.62元，预算执行率<b>100</b>%，自评总分96分。</p>
<noscript>请启用脚本 66.66%</noscript>
</body></html>
"""
NOT_TEXT = ["alert", "88.88", "12.5%", "99.99", "77.77", "66.66", "color"]


def findings(audit) -> list[tuple[str, str]]:
    return sorted((f.rule, f.stated) for f in broken(audit))


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def page_document(page) -> Document:
    return read_document(page)


def origin_of(document: Document, needle: str):
    return document.origins[document.text.index(needle)]


def test_page_finds_what_the_text_finds(page) -> None:
    audit = audit_file(page, STRICT)
    assert not audit.errors and audit.facts.kind == "table"
    assert findings(audit) == findings(audit_file(YUNNAN / "report.txt", STRICT)) != []


@pytest.mark.parametrize("word", NOT_TEXT)
def test_scripts_styles_and_hidden_text_are_not_read(page_document, word: str) -> None:
    assert word not in page_document.text


def test_spans_expanded_to_the_grid(page_document) -> None:
    (table,) = page_document.tables
    assert {len(row) for row in table.rows} == {10}
    text = page_document.text
    assert text.count("项目资金(元)") == 1 and text.count("产出指标") == 1
    row = next(line for line in text.splitlines() if "营养改善计划覆盖率" in line)
    assert row.split(" | ")[:3] == ["", "质量指标", "营养改善计划覆盖率"]


def test_places_are_element_paths(page_document) -> None:
    score = page_document.text.index("| 7 |") + 2
    origin = page_document.origins[score]
    assert origin.part == "table[1]/tr[14]/td[8]"
    assert PAGE.splitlines()[origin.line - 1].count("资金到位及时率") == 1
    closing = origin_of(page_document, "本项目全年预算数")
    assert closing.part == "p[3]" and "本项目全年预算数" in PAGE.splitlines()[closing.line - 1]
    assert origin_of(page_document, "公开14表").part == "p[1]/br[1]"
    assert origin_of(page_document, "387664.62元").column == 8


def test_gbk_page_with_meta_charset(tmp_path) -> None:
    path = tmp_path / "gbk.htm"
    html = '<html><head><meta charset="gb2312"></head><body><p>预算执行率为90.72%</p></body></html>'
    path.write_bytes(html.encode("gbk"))
    assert read_document(path).text == "预算执行率为90.72%\n"


def test_entities_are_not_resolved(tmp_path) -> None:
    path = tmp_path / "xxe.html"
    path.write_text(
        '<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<html><body><p>得分&nbsp;9分 &x;</p></body></html>",
        encoding="utf-8",
    )
    assert "root" not in read_document(path).text


def test_nested_table_rows_follow_their_row(tmp_path) -> None:
    path = tmp_path / "nested.html"
    path.write_text(
        "<table><tr><td>附表</td><td><table><tr><td>分值</td><td>得分</td></tr>"
        "<tr><td>10</td><td>9</td></tr></table></td></tr><tr><td>合计</td><td>9</td></tr></table>",
        encoding="utf-8",
    )
    document = read_document(path)
    assert document.text.splitlines() == ["附表 |", "分值 | 得分", "10 | 9", "合计 | 9"]
    assert origin_of(document, "得分").part == "table[2]/tr[1]/td[2]"


@pytest.mark.parametrize(
    "content",
    [b"", b"<html><head><title>t</title></head><body><script>alert(1)</script></body></html>"],
    ids=["empty", "only-script"],
)
def test_page_without_text(content: bytes, tmp_path, capsys) -> None:
    path = tmp_path / "blank.html"
    path.write_bytes(content)
    with pytest.raises(ReadError, match="没有正文|文件为空"):  # 0 bytes: the file is empty
        read_document(path)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


# The body of many government pages sits in one cell of a layout table.
ARTICLE = (
    "<html><body><table><tr><td>首页</td><td>"
    "<p>某单位2023年度部门整体支出绩效自评报告</p>"
    "<p>一、预算执行情况</p>"
    "<p>全年预算数为2780.63万元,全年实际支出资金2522.66万元,预算执行率为92.72%。</p>"
    "<p>" + "年初预算安排与单位职能关联度较高,预算规模合理,执行进度符合要求。" * 10 + "</p>"
    "</td></tr></table></body></html>"
)


def test_article_in_a_layout_cell_is_read_as_paragraphs(tmp_path) -> None:
    path = tmp_path / "article.html"
    path.write_text(ARTICLE, encoding="utf-8")
    audit = audit_file(path, STRICT)
    lines = audit.document.text.splitlines()
    assert lines[:3] == ["首页 |", "某单位2023年度部门整体支出绩效自评报告", "一、预算执行情况"]
    (rate,) = [f for f in broken(audit) if f.rule == "execution-rate"]
    assert rate.stated == "92.72%"
    assert audit.document.origin(rate.position).part == "p[3]"


def test_preformatted_text_keeps_its_lines(tmp_path) -> None:
    path = tmp_path / "pre.html"
    path.write_text(
        "<html><body>\n<pre>一、预算执行情况\n全年预算数为2780.63万元,预算执行率为90.72%。\n</pre></body></html>",
        encoding="utf-8",
    )
    document = read_document(path)
    assert document.text.splitlines() == [
        "一、预算执行情况",
        "全年预算数为2780.63万元,预算执行率为90.72%。",
    ]
    origin = origin_of(document, "90.72%")
    assert (origin.part, origin.line) == ("pre[1]", 3)
    line = next(s for s in document.lines if s.line == origin.line)
    assert line.text[origin.column :].startswith("90.72%")
