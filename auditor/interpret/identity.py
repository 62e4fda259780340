"""Who and what a document is about: the unit its 单位名称 / 主管部门 / 实施单位 field (or its
title) names, and the project a 项目支出绩效自评表 evaluates (项目名称). Cross-document checks
group a unit's documents by these facts; they are read from the document's head only, where
forms and reports put them (a department report names many projects in its body)."""

from __future__ import annotations

import regex

from auditor.model import Fact

HEAD = 1500  # characters: the title, the 填报单位 lines, a form's first rows
UNIT_FIELDS = (
    "部门(单位)名称",
    "部门单位名称",
    "单位名称",
    "部门名称",
    "预算部门名称",
    "预算部门",
    "预算单位",
    "填报单位",
    "主管部门",
    "实施单位",
    "项目单位",
)
PROJECT_FIELDS = ("项目名称",)
FIELD = "|".join(regex.escape(f) for f in (*UNIT_FIELDS, *PROJECT_FIELDS))
# "主管部门 | 青岭县文化局 | 实施单位 | 青岭县文化馆": a label cell and the next non-empty cell
CELL_FIELD = regex.compile(
    rf"(?:^|\| )(?P<field>{FIELD})\s*(?:\(公章\))?\s*(?:\| *)+(?P<value>[^|\n]+)", regex.MULTILINE
)
# "部门单位名称(公章):哈密市伊州区东河街道办事处" on a line of its own
LINE_FIELD = regex.compile(
    rf"^\s*(?P<field>{FIELD})\s*(?:\(公章\)|（公章）)?\s*[:：]\s*(?P<value>[^\n|]+?)\s*$",
    regex.MULTILINE,
)
# "青岭县财政局2023年度部门整体支出绩效自评报告"
TITLE_UNIT = regex.compile(
    r"^\s*(?P<value>\p{Han}{2,30}?(?:局|委|办|院|中心|所|站|馆|处|会|政府|镇|乡|街道|厅|部|队|校|园))"
    r"(?:\(?(?:19|20)\d{2}年度?\)?)?(?:部门|单位|机关)(?:\(单位\))?整体支出",
    regex.MULTILINE,
)
# "西吉县2024年雨露计划助学补助项目实施绩效评价自评报告": the project a report is about
TITLE_PROJECT = regex.compile(
    r"^\s*(?:\p{Han}{0,12}?(?:19|20)\d{2}年度?)?(?P<value>\p{Han}{2,30}?项目)\s*(?:实施|资金|支出)?"
    r"(?:整体)?(?:绩效|自评)",
    regex.MULTILINE,
)
NAME = regex.compile(r"\p{Han}")  # a name has Chinese characters; "—", "/" and figures do not
# "2023年度项目支出绩效目标表", "项目绩效目标申报表 (2023年度)": the 年初 target table, a title line
TARGET_TITLE = regex.compile(
    r"^[^\S\n]*(?P<value>[^\n|]{0,30}?绩效目标(?:申报)?表)[^\S\n]*(?:[(（][^)）\n]{0,12}[)）])?[^\S\n]*$",
    regex.MULTILINE,
)
TARGET_HEAD = 300  # characters: a target table's title comes first (after a 附件 line)


def identity_facts(text: str) -> list[Fact]:
    """report.unit for each unit field (label: the field), project.name for 项目名称; a title
    naming a unit counts only when no field does."""
    head = text[:HEAD]
    found: dict[int, Fact] = {}
    for pattern in (CELL_FIELD, LINE_FIELD):
        for m in pattern.finditer(head):
            fact = field_fact(
                m.group("field"), m.group("value"), m.start("value"), m.start("field")
            )
            if fact is not None:
                found.setdefault(fact.start, fact)
    for concept, pattern in (("report.unit", TITLE_UNIT), ("project.name", TITLE_PROJECT)):
        title = pattern.search(head[:200])
        if title and not any(f.concept == concept for f in found.values()):
            found[title.start("value")] = title_fact(concept, title)
    marker = target_table_fact(text)
    if marker is not None:
        found.setdefault(marker.start, marker)
    return sorted(found.values(), key=lambda f: f.start)


def target_table_fact(text: str) -> Fact | None:
    """report.target_table: the title of a 项目支出绩效目标表, the targets a unit published at the
    start of the year (no 实际完成值, no 得分). A 自评 document quoting such a title is not one."""
    head = text[:TARGET_HEAD]
    m = TARGET_TITLE.search(head)
    if m is None or "自评" in head:
        return None
    title = m.group("value").strip()
    start = m.start("value") + len(m.group("value")) - len(m.group("value").lstrip())
    return Fact("report.target_table", title, start, start + len(title), "标题", cue="标题")


def title_fact(concept: str, m: regex.Match[str]) -> Fact:
    name = m.group("value")
    subject = name if concept == "project.name" else ""
    return Fact(
        concept, name, m.start("value"), m.end("value"), "标题", subject=subject, cue="标题"
    )


def field_fact(field: str, raw: str, start: int, label_start: int) -> Fact | None:
    value = raw.strip()
    start += len(raw) - len(raw.lstrip())
    value = regex.sub(r"\s*[(（]公章[)）]\s*$", "", value)
    code = regex.match(r"[\d\-\s]+(?=\p{Han})", value)  # "219001-池州市…": a budget code first
    if code:
        value, start = value[code.end() :], start + code.end()
    if not NAME.search(value) or len(value) < 2:
        return None
    concept = "project.name" if field in PROJECT_FIELDS else "report.unit"
    subject = value if concept == "project.name" else ""
    return Fact(concept, value, start, start + len(value), field, label_start, subject, cue=field)
