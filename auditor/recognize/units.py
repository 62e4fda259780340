"""Units, comparators and approximation words that stand around a figure."""

from __future__ import annotations

from decimal import Decimal

import regex

# Printed unit → (canonical unit, factor to the canonical unit). Money is compared in 元.
MONEY = {
    "亿元": Decimal(10) ** 8,
    "万元": Decimal(10) ** 4,
    "千元": Decimal(1000),
    "元": Decimal(1),
}

UNITS: dict[str, str] = {
    "亿元": "亿元",
    "万元": "万元",
    "千元": "千元",
    "元": "元",
    "个百分点": "百分点",
    "百分点": "百分点",
    "%": "%",
    "‰": "‰",
    "分": "分",
    "人次": "人次",
    "户次": "户次",
    "万人": "万人",
    "万亩": "万亩",
    "万户": "万户",
    "个月": "月",
    "个工作日": "工作日",
    "工作日": "工作日",
    "小时": "小时",
    "平方米": "平方米",
    "㎡": "平方米",
    "m²": "平方米",
    "m2": "平方米",
    "公里": "公里",
    "千米": "公里",
    "km": "公里",
    "公斤": "公斤",
    "千克": "公斤",
    "kg": "公斤",
    "吨": "吨",
    "立方米": "立方米",
    "个": "个",
    "项": "项",
    "名": "名",
    "人": "人",
    "件": "件",
    "户": "户",
    "亩": "亩",
    "次": "次",
    "家": "家",
    "起": "起",
    "条": "条",
    "处": "处",
    "所": "所",
    "座": "座",
    "台": "台",
    "辆": "辆",
    "批": "批",
    "类": "类",
    "份": "份",
    "套": "套",
    "场": "场",
    "期": "期",
    "篇": "篇",
    "张": "张",
    "册": "册",
    "间": "间",
    "栋": "栋",
    "村": "村",
    "镇": "镇",
    "乡": "乡",
    "天": "天",
    "日": "天",
    "年": "年",
    "月": "月",
    "周": "周",
    "米": "米",
    "株": "株",
    "头": "头",
    "只": "只",
    "棵": "棵",
    "本": "本",
    "万": "万",
}

# 分 is a unit of score unless it starts a word (分别, 分析, 分配, 分钟 …).
NOT_SCORE_AFTER_FEN = (
    "别析配类批钟期管布解摊散担享工段阶局队区厂行支歧化离流开红成部级为项值数档层块包组"
)
# Characters that make a count unit the start of another word: 人员 is not 人, 次年 not 次.
NOT_UNIT_AFTER = {
    "人": "民员们才口大事力均",
    "次": "年日月性序要数",
    "个": "人体性别案",
    "名": "称单义额录",
    "件": "数事",
    "项": "目",
    "年": "级度底初末中",
    "元": "旦素件",
    "期": "间限刊末初",
    "起": "草点步来",
    "条": "件例款",
    "天": "然气",
    "日": "常期前",
    "家": "庭长乡属",
    "类": "别型",
    "处": "理置室级",
    "所": "有在属得以",
    "批": "复准次",
    "场": "所地景",
    "本": "级单年部次",
    "头": "部",
    "周": "期边转",
    "台": "账帐",
}
UNIT_PATTERN = regex.compile(
    "|".join(regex.escape(u) for u in sorted(UNITS, key=len, reverse=True))
)

# Comparators written before a figure (longest first) and after it.
COMPARATOR_BEFORE = {
    "大于或等于": ">=",
    "大于等于": ">=",
    "小于或等于": "<=",
    "小于等于": "<=",
    "不低于": ">=",
    "不少于": ">=",
    "不小于": ">=",
    "不高于": "<=",
    "不超过": "<=",
    "不大于": "<=",
    "不多于": "<=",
    "控制在": "<=",
    "高于": ">",
    "低于": "<",
    "大于": ">",
    "小于": "<",
    "少于": "<",
    "≥": ">=",
    "≧": ">=",
    "≤": "<=",
    "≦": "<=",
    ">=": ">=",
    "<=": "<=",
    ">": ">",
    "<": "<",
    "=": "=",
    "═": "=",
    "≯": "<=",
    "≮": ">=",
}
COMPARATOR_AFTER = {"及以上": ">=", "以上": ">=", "及以下": "<=", "以下": "<=", "以内": "<="}
APPROX_BEFORE = ("大约", "将近", "接近", "约", "近", "逾", "超过", "左右")
APPROX_AFTER = ("余", "多", "左右", "上下", "许")

# Spaces only: in normalized text a newline ends a paragraph, and a word before it does not
# qualify the figure after it.
BEFORE_PATTERN = regex.compile(
    "(?:"
    + "|".join(
        regex.escape(w)
        for w in sorted(list(COMPARATOR_BEFORE) + list(APPROX_BEFORE), key=len, reverse=True)
    )
    + r") *\*? *\Z"
)


def unit_at(text: str, pos: int) -> tuple[str, int]:
    """The unit starting at text[pos] (after optional space), as (canonical, end) or ('', pos)."""
    start = pos
    while start < len(text) and text[start] == " ":
        start += 1
    match = UNIT_PATTERN.match(text, start)
    if not match:
        return "", pos
    printed = match.group()
    after = text[match.end()] if match.end() < len(text) else ""
    if printed == "分" and after and after in NOT_SCORE_AFTER_FEN:
        return "", pos
    if after and after in NOT_UNIT_AFTER.get(printed, ""):
        return "", pos
    if printed == "万":
        # 万 alone: "20万余元" (万 … 元 around an approximation word) or a bare 万 (万元 cut short).
        rest = regex.match(r"(余|多)?元", text[match.end() :])
        if rest:
            return "万元", match.end() + rest.end()
        return "万", match.end()
    return UNITS[printed], match.end()
