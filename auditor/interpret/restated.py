"""Figures a report states more than once under a name of its own: named amounts (中央级资金转移
支付), the reporting unit's name, planned targets. The repeat rules compare their statements."""

from __future__ import annotations

import regex

from auditor.interpret.context import NAME_MARKER, label_window, sentence_bounds
from auditor.model import COUNT_UNITS, Fact, Quantity

SLICED = regex.compile(r"[批季期月年次第每]")
# Whether a sentence speaks of money planned or money spent: the last such verb before the
# amount decides ("共申请预算资金…其中村级组织运转400000元" vs "共完成预算资金…其中…439120.67元").
STAGE = regex.compile(r"(申请|下达|安排|批复|计划)|(完成|执行|实际|支付|拨付|使用|发放|支出)")
MONEY = {"元", "万元", "亿元", "千元"}


def stage_of(text: str, pos: int) -> str:
    start, _ = sentence_bounds(text, pos)
    if text[start:pos].lstrip(" (").startswith("其中"):
        start, _ = sentence_bounds(
            text, max(0, start - 1)
        )  # a 其中 sentence speaks of the one before
    found = list(STAGE.finditer(text, start, pos))
    return "" if not found else "计划" if found[-1].group(1) else "实际"


def named_amounts(text: str, numbers: list[Quantity], bound: set[int]) -> list[Fact]:
    """Amounts with a specific name of their own ("省级资金转移支付370.83万元") that no concept
    covers: the same name stated twice with two amounts is a slip (repeat rule). Short or
    time-sliced names (补助资金, 第二批资金) name different things each time and are left out."""
    found = []
    previous_end = 0
    for q in numbers:
        start, _ = label_window(text, q, previous_end)
        previous_end = q.end
        if q.start in bound or q.unit not in MONEY or not q.exact_figure:
            continue
        window = text[start : q.start]
        marker = NAME_MARKER.match(window)
        name = window[marker.end() :] if marker else window
        if len(name) >= 6 and regex.fullmatch(r"\p{Han}+", name) and not SLICED.search(name):
            stage = stage_of(text, q.start)
            subject = f"{name}（{stage}）" if stage else name
            found.append(
                Fact(
                    "amount.named",
                    str(q.value),
                    q.start,
                    q.end,
                    name,
                    q.start - len(name),
                    subject,
                    q,
                    "名称",
                )
            )
    return found


UNIT_NAME = regex.compile(
    r"(?P<parent>\p{Han}{1,6}?[省市县区旗])(?P<own>\p{Han}{1,5}?[镇乡])(?P<kind>人民政府|党委)"
    r"|(?P<parent2>\p{Han}{2,6}?[市县区])(?P<own2>\p{Han}{2,5}?街道)(?P<kind2>办事处|党工委)"
)


def unit_names(text: str) -> list[Fact]:
    """Town and sub-district governments named in the text ("金寨县麻埠镇人民政府")."""
    found = []
    for m in UNIT_NAME.finditer(text):
        parent = m.group("parent") or m.group("parent2")
        kind = m.group("kind") or m.group("kind2")
        found.append(
            Fact(
                "unit.name",
                m.group(),
                m.start(),
                m.end(),
                kind,
                m.start(),
                f"{parent}…{kind}",
                cue="单位名称",
            )
        )
    return found


# A target stated as such; 计划 alone is often part of a name (雨露计划), so it must lead a verb.
PLAN = regex.compile(
    r"绩效目标|年度目标|预期目标|目标任务|目标(?:内容)?(?:是|为)|计划(?:完成|对|为|实施|建设|发放|补助|覆盖)|预定|预计|拟(?:对|完成|实施)"
)
CLASSIFIERS = {
    "个",
    "项",
    "名",
    "家",
    "所",
    "座",
    "台",
    "辆",
    "条",
    "处",
    "批",
    "类",
    "份",
    "套",
    "场",
    "篇",
    "张",
    "间",
    "栋",
}
ACTUAL = regex.compile(r"实际|已经|已|累计|完成了|减少|增加")
LINKER_TAIL = regex.compile(r"(?:共计|合计|总计|共|计|为|的|达到|达)+$")


def measure_key(text: str, q: Quantity, window_start: int) -> str:
    """What a count measures: the noun after it when that noun repeats its unit ("11681户脱贫户"),
    else the last words before it ("种植的西平优质小麦共计28000亩" → 优质小麦)."""
    after = regex.match(r"\p{Han}{1,10}", text[q.end :])
    if after and q.unit in CLASSIFIERS:
        return f"{q.unit}:{after.group()[:4]}"
    if after and q.unit[-1:] in after.group()[:6]:
        noun = after.group()[: after.group().index(q.unit[-1]) + 1]
        return f"{q.unit}:{noun}"
    before = LINKER_TAIL.sub("", text[window_start : q.start])
    before = regex.sub(r".*[^\p{Han}]", "", before)
    return f"{q.unit}:{before[-4:]}" if len(before) >= 2 else ""


def planned_counts(text: str, numbers: list[Quantity], indicators: list) -> list[Fact]:
    """Counts a report states as its target ("绩效目标…11681户", "预定对…11196户"): the same
    measure planned twice with two values means the target was silently changed."""
    inside = [(i.start, i.end) for i in indicators]
    found = []
    previous_end = 0
    for q in numbers:
        start, _ = label_window(text, q, previous_end)
        previous_end = q.end
        if q.unit not in COUNT_UNITS | {"亩", "平方米", "公里"} or not q.exact_figure:
            continue
        if any(a <= q.start < b for a, b in inside):
            continue
        sentence_start, _ = sentence_bounds(text, q.start)
        clause_begin = max(text.rfind(ch, 0, q.start) for ch in ",;:。\n") + 1
        if not PLAN.search(text, sentence_start, q.start) or ACTUAL.search(
            text, clause_begin, q.start
        ):
            continue
        key = measure_key(text, q, start)
        if key and "指标" not in key:
            found.append(
                Fact(
                    "target.planned",
                    str(q.value),
                    q.start,
                    q.end,
                    key.split(":")[1],
                    start,
                    key,
                    q,
                    "目标",
                )
            )
    return found
