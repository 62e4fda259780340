"""Scoring settings a report states about itself: its grade bands ("90分（含）以上为优，80（含）
-90分为良，60（含）-80分为中，60分以下为差"), its qualitative bands ("100-80%（含）、80-60%（含）、
60-0%") and its 一级指标 weights ("产出指标权重50%、效益指标30%、满意度指标10%").

Such a statement is that report's own standard (DOMAIN.md `region_overrides_from_report`): its
checks use it, and a difference from the regional profile is said. Only statements that can be
read whole are taken: bands whose edges are inclusive at the bottom (as the settings hold them),
at least three of them, the lowest reaching 0."""

from __future__ import annotations

from decimal import Decimal

import regex

from auditor.model import StatedSetting

LABEL = r"[“\"']?(?P<label>优秀|良好|不合格|合格|优|良|中|差)(?![\p{Han}])"
GRADE_WORDS = {"优秀": "优", "良好": "良", "合格": "中", "不合格": "差"}
NUM = r"(?P<{}>\d{{1,3}}(?:\.\d+)?)"
INCL = r"\s*(?:[(（]\s*含\s*(?:\d+(?:\.\d+)?\s*[分%]?)?\s*[)）])?\s*"
IS = r"\s*(?:的|者)?\s*(?:为|是|评为|定为|属于|评定为)?\s*"
# one band, as a clause says it; the edge after a range marked 含 would make the band closed at
# the top, which the settings cannot hold: such statements are not read (UPPER_INCLUSIVE).
BANDS = [
    regex.compile(  # 90分（含）以上为优 · 90分以上（含90分）为优
        NUM.format("low") + r"\s*分?" + INCL + r"(?:及)?以上" + INCL + IS + LABEL
    ),
    regex.compile(  # 80（含）-90分为良 · 80分（含）至90分为良 · 80-89分为良
        NUM.format("low")
        + r"\s*分?"
        + INCL
        + r"[-–—~～至到]\s*"
        + NUM.format("high")
        + r"\s*分?\s*(?:之间)?(?:[(（]不含\s*(?:\d+\s*分?)?[)）])?"
        + IS
        + LABEL
    ),
    regex.compile(  # 60分以下为差
        NUM.format("high")
        + r"\s*分?\s*(?:以下|以内)\s*(?:[(（]不含\s*(?:\d+\s*分?)?[)）])?"
        + IS
        + LABEL
    ),
    regex.compile(  # 优(90-100分) · 良：80-89分
        LABEL
        + r"\s*[(（:：]\s*"
        + NUM.format("low")
        + r"\s*分?\s*[-–—~～至到]\s*"
        + NUM.format("high")
        + r"\s*分?\s*[)）]?"
    ),
]
UPPER_INCLUSIVE = regex.compile(r"[-–—~～至到]\s*\d+(?:\.\d+)?\s*分?\s*[(（]\s*含")
SENTENCE = regex.compile(r"[^。\n]+")
QUALITATIVE = regex.compile(
    r"100\s*[-–—~～至]\s*(?P<a>\d{1,2})\s*%" + INCL + r"[、，,；;]?\s*(?P=a)\s*%?\s*[-–—~～至]\s*"
    r"(?P<b>\d{1,2})\s*%" + INCL + r"[、，,；;]?\s*(?P=b)\s*%?\s*[-–—~～至]\s*0\s*%"
)
LEVEL1 = regex.compile(
    r"(?P<name>产出|效益|满意度)指标\s*(?:权重|分值)?\s*(?:为|占|设置为)?\s*(?P<value>\d{1,3})\s*(?:%|分)"
)


def grade_bands(sentence: str, offset: int) -> StatedSetting | None:
    if UPPER_INCLUSIVE.search(sentence):
        return None
    found: dict[str, Decimal] = {}
    ends: list[int] = []
    for pattern in BANDS:
        for m in pattern.finditer(sentence):
            label = GRADE_WORDS.get(m.group("label"), m.group("label"))
            low = Decimal(m.group("low")) if m.groupdict().get("low") else Decimal(0)
            if found.get(label, low) != low:
                return None
            found[label] = low
            ends += [m.start(), m.end()]
    lows = sorted(found.values(), reverse=True)
    if len(found) < 3 or len(set(lows)) != len(lows) or lows[-1] != 0 or lows[0] > 100:
        return None
    bands = sorted(((low, label) for label, low in found.items()), reverse=True)
    return StatedSetting("grade_bands", bands, offset + min(ends), offset + max(ends))


def qualitative_bands(sentence: str, offset: int) -> StatedSetting | None:
    m = QUALITATIVE.search(sentence)
    if m is None or not int(m.group("a")) > int(m.group("b")) > 0:
        return None
    value = [Decimal(m.group("a")) / 100, Decimal(m.group("b")) / 100]
    return StatedSetting("qualitative_bands", value, offset + m.start(), offset + m.end())


def level1_weights(sentence: str, offset: int) -> StatedSetting | None:
    if not regex.search(r"权重|分值", sentence):
        return None
    matches = list(LEVEL1.finditer(sentence))
    found = {m.group("name"): Decimal(m.group("value")) for m in matches}
    if len(found) < 2:
        return None
    start, end = matches[0].start(), matches[-1].end()
    return StatedSetting("level1_weights", found, offset + start, offset + end)


def stated_settings(text: str) -> list[StatedSetting]:
    """The first statement of each setting (a report states its standard once, near its head
    or its 评价结论)."""
    found: dict[str, StatedSetting] = {}
    for s in SENTENCE.finditer(text):
        for read in (grade_bands, qualitative_bands, level1_weights):
            setting = read(s.group(), s.start())
            if setting is not None and setting.key not in found:
                found[setting.key] = setting
    return list(found.values())
