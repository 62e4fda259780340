"""Facts that come from context rather than a dictionary word: the execution score, the
overall score, and the statements of each indicator."""

from __future__ import annotations

import regex

from auditor.interpret.context import label_window, sentence_bounds
from auditor.model import COUNT_UNITS, Fact, Indicator, Quantity

SPLIT = regex.compile(r"按(\p{Han}{2,8})分\s*:\s*$")
EXEC_SCORE_CUE = regex.compile(r"(?:执行率得分|执行得分|^得|^得分|^自评得分|,得)$")
EXEC_WEIGHT_CUE = regex.compile(r"(?:分值|权重|权重分值|满分)$")


def score_facts(text: str, numbers: list[Quantity], facts: list[Fact]) -> list[Fact]:
    """ "执行率为90.72%,得9.07分", "预算执行率为93.39%,该指标分值为10分,得分9.34分": the weight
    and the score right after the execution rate, in its sentence, are the execution item's."""
    rates = [f for f in facts if f.concept == "execution.rate"]
    found = []
    previous_end = 0
    for q in numbers:
        start, _ = label_window(text, q, previous_end)
        previous_end = q.end
        if q.unit != "分":
            continue
        window = regex.sub(r"^该指标|为$", "", text[start : q.start].strip())
        sentence_start, _ = sentence_bounds(text, q.start)
        if not any(sentence_start <= r.start < q.start for r in rates):
            continue
        meaning = (
            ("execution.score", "得")
            if EXEC_SCORE_CUE.search(window)
            else ("execution.weight", "分值")
            if EXEC_WEIGHT_CUE.search(window)
            else None
        )
        if meaning:
            concept, cue = meaning
            found.append(
                Fact(concept, str(q.value), q.start, q.end, window, start, quantity=q, cue=cue)
            )
    return found


PROJECT_TOTAL = regex.compile(r"(?:共|共有|共计|合计|总计|完成|分为|涉及|实施|安排|设立|下达)\s*$")


def count_facts(text: str, numbers: list[Quantity]) -> list[Fact]:
    """ "共完成5个项目", "共计5个项目": the stated number of projects (not "其中3个项目")."""
    found = []
    for q in numbers:
        if q.unit in ("个", "项") and text.startswith("项目", q.end) and not q.approximate:
            cue = PROJECT_TOTAL.search(text, max(0, q.start - 4), q.start)
            if cue and "其中" not in text[max(0, q.start - 4) : q.start]:
                found.append(
                    Fact(
                        "project.count",
                        str(q.value),
                        q.start,
                        q.end + 2,
                        cue.group(),
                        cue.start(),
                        quantity=q,
                        cue="个项目",
                    )
                )
    return found


def unbound_figures(text: str, numbers: list[Quantity], facts: list[Fact]) -> list[Fact]:
    """Figures no rule of meaning claimed: kept, with the words before them, rather than guessed."""
    claimed = {f.quantity.value_start for f in facts if f.quantity is not None}
    found = []
    previous_end = 0
    for q in numbers:
        start, _ = label_window(text, q, previous_end)
        previous_end = q.end
        if q.value_start not in claimed:
            found.append(
                Fact(
                    "unbound",
                    str(q.value),
                    q.start,
                    q.end,
                    text[start : q.start].strip(" |"),
                    start,
                    quantity=q,
                )
            )
    return found


NAMED_RATE = regex.compile(r"(\p{Han}{2,4})率(?:为|达|达到)?$")


def named_rates(
    text: str, numbers: list[Quantity], bound: set[int], indicators: list[Indicator]
) -> list[Fact]:
    """ "受理案件16件,结案16件,结案率100%": a rate named after the count just before it (结案 →
    结案率), over the count of the same unit before that. Each of the three gets the rate's name as
    subject, so the ratio rule pairs them."""
    found = []
    previous_end = 0
    for k, q in enumerate(numbers):
        start, _ = label_window(text, q, previous_end)
        previous_end = q.end
        rate = NAMED_RATE.search(text[start : q.start])
        inside = any(
            i.start <= q.start < i.end for i in indicators
        )  # 完成率 of an indicator is its own rule's
        if q.unit != "%" or q.start in bound or rate is None or inside:
            continue
        stem = rate.group(1)[-2:]
        sentence_start, _ = sentence_bounds(text, q.start)
        counts = [
            c
            for c in numbers[:k]
            if c.start >= sentence_start and c.unit in COUNT_UNITS and c.exact_figure
        ]
        part = next(
            (
                c
                for c in reversed(counts)
                if stem in text[max(sentence_start, c.start - 8) : c.start]
            ),
            None,
        )
        base = next(
            (c for c in reversed(counts) if part and c.end <= part.start and c.unit == part.unit),
            None,
        )
        if part is None or base is None:
            continue
        name = stem + "率"
        found += [
            Fact("ratio.named", str(q.value), q.start, q.end, name, start, name, q, "率"),
            Fact(
                "count.part",
                str(part.value),
                part.start,
                part.end,
                stem,
                part.start,
                name,
                part,
                "率",
            ),
            Fact(
                "count.base",
                str(base.value),
                base.start,
                base.end,
                "总数",
                base.start,
                name,
                base,
                "率",
            ),
        ]
    return found


def split_facts(text: str, numbers: list[Quantity]) -> list[Fact]:
    """ "按收入性质分:2030.12 | 按支出性质分:1925.67": one total split two ways."""
    found = []
    for q in numbers:
        m = SPLIT.search(text, max(0, q.start - 14), q.start)
        if m:
            found.append(
                Fact(
                    "funding.split",
                    str(q.value),
                    q.start,
                    q.end,
                    m.group().rstrip(": "),
                    m.start(),
                    quantity=q,
                    cue="按…分",
                )
            )
    return found


def indicator_facts(indicators: list[Indicator]) -> list[Fact]:
    facts = []
    for ind in indicators:
        for slot, q in (
            ("target", ind.target),
            ("mid", ind.mid),
            ("actual", ind.actual),
            ("completion", ind.completion),
            ("weight", ind.weight),
            ("score", ind.score),
        ):
            if q is not None:
                facts.append(
                    Fact(
                        f"indicator.{slot}",
                        str(q.value),
                        q.start,
                        q.end,
                        slot,
                        -1,
                        ind.name,
                        q,
                        "指标",
                    )
                )
    return facts
