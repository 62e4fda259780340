"""Rule kinds over words: stated counts against the items listed, an indicator's body against
its title, years against the evaluation year."""

from __future__ import annotations

from collections import Counter

import regex

from auditor.checks.figures import Context, Verdict, by_subject
from auditor.checks.ruleset import Rule

# A year that is history or a comparison, not the report's own year: 自2019年以来, 较2022年, 〔2020〕.
OTHER_YEAR = regex.compile(r"(?:自|从|截至|截止|较|比|与|同|始于|早在|继)\s*$")
YEAR_AFTER_OK = regex.compile(
    r"^\s*年?度?(?:以来|至今|起|开始|同期|相比|底以前|以前|结转|结余|遗留)"
)
# Last year written where the report speaks of its own year: "我单位2022年全年预算支出…" in a 2023
# report. Last year's spring back-payments or a project named by its year are fine.
OWN_YEAR = regex.compile(
    r"^(?:全年|本年|预算|支出|执行|部门|整体|单位|绩效|共完成|共有|年度预算|年度部门)"
)


def short(name: str, most: int = 32) -> str:
    return name if len(name) <= most else name[: most - 1] + "…"


def check_count(rule: Rule, ctx: Context) -> list[Verdict]:
    verdicts = []
    for e in ctx.facts.enumerations:
        if not e.complete:
            continue
        stated = ctx.figure_text(e.count)
        listed = len(e.items) + e.counted
        names = "、".join(f"“{short(ctx.text[a:b].split(',')[0])}”" for a, b in e.items)
        holds = listed == int(e.count.value)
        if e.counted:
            message = f"写明 {stated}{e.noun}，其中 {e.counted} 个另计，其余列出 {len(e.items)} 个（{names}），合计 {listed} 个"
        else:
            message = f"写明 {stated}{e.noun}，但其后“{e.marker}”列出的是 {listed} 个：{names}"
        noun_end = (
            e.count.end + len(e.noun) if ctx.text.startswith(e.noun, e.count.end) else e.count.end
        )
        verdicts.append(
            Verdict(
                holds,
                (e.count.value_start, noun_end),
                stated + e.noun,
                f"{listed}{e.count.unit}",
                message,
                tuple(e.items),
            )
        )
    return verdicts


def similar(a: str, b: str) -> bool:
    """Two names of one measure: one contains the other, or they share most characters."""
    a, b = regex.sub(r"\W", "", a), regex.sub(r"\W", "", b)
    if not a or not b or a in b or b in a:
        return True
    shared = sum(min(a.count(ch), b.count(ch)) for ch in set(a))
    return shared / min(len(a), len(b)) >= 0.6


def check_label(rule: Rule, ctx: Context) -> list[Verdict]:
    """The measure an indicator's body reports ("本次评价政府采购执行率 99.94%") must be the one
    its title names ("12345热线事件办结率"): a copied paragraph keeps the old name."""
    verdicts = []
    for ind in ctx.facts.indicators:
        if not ind.measured_name or ind.actual is None:
            continue
        holds = similar(ind.name, ind.measured_name)
        where = (ind.measured_start, ind.actual.end)
        message = f"指标“{ind.name}”的完成情况写的是“{ind.measured_name}”，与指标名称不符（疑似沿用了其他指标的文字）"
        verdicts.append(
            Verdict(
                holds,
                where,
                ctx.text[where[0] : where[1]],
                ind.name,
                message,
                ((ind.name_start, ind.name_end),),
                subject=ind.name,
            )
        )
    return verdicts


def check_year(rule: Rule, ctx: Context) -> list[Verdict]:
    """Years the report speaks of as its own must be the evaluation year (± the window: last
    year's carry-over, next year's filing date)."""
    year = ctx.facts.year
    if year is None:
        return []
    window = int(ctx.settings.get("year_window", 1))
    verdicts = []
    for q in ctx.facts.quantities:
        if q.kind != "year" or "-" in q.text or "至" in q.text or "到" in q.text:
            continue
        before, after = ctx.text[max(0, q.start - 4) : q.start], ctx.text[q.end : q.end + 6]
        inside_title = ctx.text.rfind("《", 0, q.start) > ctx.text.rfind("》", 0, q.start)
        if OTHER_YEAR.search(before) or YEAR_AFTER_OK.match(after) or inside_title:
            verdicts.append(
                Verdict(
                    True,
                    (q.start, q.end),
                    q.text,
                    str(year),
                    f"{q.value} 年为往年或所引文件的年份",
                    (),
                )
            )
            continue
        holds = abs(int(q.value) - year) <= window
        line_start, line_end = ctx.text.rfind("\n", 0, q.start) + 1, ctx.text.find("\n", q.start)
        in_table = (
            " | " in ctx.text[line_start:line_end]
        )  # a column of last year's figures, for comparison
        if int(q.value) == year - 1 and OWN_YEAR.match(after) and not in_table:
            holds = False
        context = ctx.text[q.start : q.end + 10].split("\n")[0]
        message = f"报告评价的是 {year} 年度，此处写 {q.value} 年（“{context}”），疑似沿用旧报告或模板的年份"
        verdicts.append(Verdict(holds, (q.start, q.end), q.text, str(year), message, ()))
    return verdicts


# A date the report is filed, signed or reported on: after a 日期 label, or alone on one of the
# last lines (the 落款 under the unit's name). Digits or 〇一二… as 落款 are often written.
CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")
DATE = regex.compile(
    r"(?P<y>[12]\d{3}|[一二][〇零○Ｏ一二三四五六七八九]{3})\s*年\s*"
    r"(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月"
    r"(?:\s*(?P<d>\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*[日号])?"
)
# 日期 alone, or a filing's: not 时间 (实施时间, 评价时间 name periods, not the filing)
DATE_LABEL = regex.compile(r"(?:填报|填表|报告|报送|编制|编报|报出)?日期\s*[:：]?\s*$")
CLOSING_LINES = 3


def cn_number(text: str) -> int:
    """A year, month or day written with digits or 〇一二… (十二, 二十五, 三十一)."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        return int((tens or "一").translate(CN_DIGITS)) * 10 + int(
            (ones or "0").translate(CN_DIGITS)
        )
    return int(text.translate(CN_DIGITS))


def filing_dates(text: str) -> list[tuple[regex.Match[str], int]]:
    """(date, start of its line): dates after a 日期 label, or alone on one of the last lines."""
    lines = [m for m in regex.finditer(r"[^\n]+", text) if m.group().strip()]
    closing = {m.start() for m in lines[-CLOSING_LINES:]}
    found = []
    for line in lines:
        for m in DATE.finditer(line.group()):
            before, after = line.group()[: m.start()], line.group()[m.end() :]
            alone = line.start() in closing and not before.strip() and not after.strip()
            if DATE_LABEL.search(before) or alone:
                found.append((m, line.start()))
    return found


def check_filing_date(rule: Rule, ctx: Context) -> list[Verdict]:
    """A self-evaluation of a year is written after it ends: a filing date inside the evaluated
    year (or before it) means a wrong date or a report copied from another year's."""
    year = ctx.facts.year
    if year is None:
        return []
    verdicts = []
    for m, start in filing_dates(ctx.text):
        filed = cn_number(m.group("y"))
        holds = filed > year
        message = f"报告评价的是 {year} 年度，落款（填报）日期写 {m.group()}，" + (
            "在评价年度结束之后" if holds else f"早于 {year} 年度结束，疑为日期错误或沿用旧报告"
        )
        where = (start + m.start(), start + m.end())
        verdicts.append(Verdict(holds, where, m.group(), f"{year + 1}年", message, ()))
    return verdicts


def check_unit_name(rule: Rule, ctx: Context) -> list[Verdict]:
    """A report names its own town government throughout; one other town of the same county
    named once, in the report's own sentences, is a leftover from the report it was copied from.
    Three or more towns of one county are a list, not a slip, and are left alone."""
    verdicts = []
    for facts in by_subject(ctx.of("unit.name")).values():
        names = Counter(f.value for f in facts)
        if len(names) == 1 and len(facts) >= 2:
            f = facts[0]
            verdicts.append(
                Verdict(
                    True, (f.start, f.end), f.value, f.value, f"单位名称前后一致：{f.value}", ()
                )
            )
        if len(names) != 2:
            continue
        (own, own_count), (other, other_count) = names.most_common()
        if own_count < 2 or other_count != 1:
            continue
        stray = next(f for f in facts if f.value == other)
        message = f"报告单位为“{own}”（出现 {own_count} 次），此处写作“{other}”，疑似沿用其他单位报告的文字"
        first_own = next(f for f in facts if f.value == own)
        verdicts.append(
            Verdict(
                False,
                (stray.start, stray.end),
                other,
                own,
                message,
                ((first_own.start, first_own.end),),
            )
        )
    return verdicts
