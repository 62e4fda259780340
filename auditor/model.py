"""The plain data passed between the stages: documents, quantities, facts, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import regex

Severity = Literal["error", "warning", "info"]

# Units that count people and things: such figures are whole and exact (nobody rounds a head count).
COUNT_UNITS = {
    "个",
    "项",
    "名",
    "人",
    "人次",
    "件",
    "户",
    "户次",
    "次",
    "家",
    "起",
    "条",
    "处",
    "所",
    "座",
    "台",
    "辆",
    "批",
    "类",
    "份",
    "套",
    "场",
    "期",
    "篇",
    "张",
    "册",
    "间",
    "栋",
    "村",
    "镇",
    "乡",
    "株",
    "头",
    "只",
    "棵",
    "本",
}

# Every concept a fact may carry (DESIGN.md fixes the first ones; the others were added as
# needed). Rule files are checked against it, so a misspelt concept is an error, not a rule
# that silently never fires.
CONCEPTS = frozenset(
    {
        "budget.initial",
        "budget.initial.basic",
        "budget.initial.project",
        "budget.adjustment",
        "budget.adjusted",
        "budget.adjusted.basic",
        "budget.adjusted.project",
        "budget.adjustment_rate",
        "budget.basic.personnel",
        "budget.basic.public",
        "spending.total",
        "spending.basic",
        "spending.project",
        "spending.basic.personnel",
        "spending.basic.public",
        "execution.rate",
        "execution.rate.basic",
        "execution.rate.project",
        "execution.score",
        "execution.weight",
        "project.count",
        "project.budget",
        "project.spent",
        "indicator.weight",
        "indicator.score",
        "indicator.target",
        "indicator.actual",
        "indicator.completion",
        "indicator.mid",
        "indicator.level1_weight",
        "score.total",
        "score.weights_total",
        "grade",
        "funds.in_place",
        "funds.planned",
        "staff.authorized",
        "staff.actual",
        "procurement.budget",
        "procurement.actual",
        "three_public.budget",
        "three_public.actual",
        "survey.total",
        "survey.satisfied",
        "ratio.procurement",
        "ratio.satisfaction",
        "ratio.staff_control",
        "ratio.public_funds_control",
        "ratio.three_public_control",
        "ratio.three_public_change",
        "ratio.funds_in_place",
        "ratio.carryover",
        "ratio.carryover_change",
        "ratio.key_spending",
        "ratio.asset_use",
        "ratio.payment_progress",
        "ratio.disbursement",
        "ratio.named",
        "count.part",
        "count.base",
        "funding.split",
        "amount.named",
        "unit.name",
        # who and what a document is about, for grouping a unit's documents: the unit its
        # 单位名称/主管部门/实施单位 field or title names, and a table's 项目名称
        "report.unit",
        "project.name",
        # the title of a 项目支出绩效目标表 (the 年初 申报表: targets, no 实际完成值 or 得分)
        "report.target_table",
        "target.planned",
        "unbound",
        # 部门整体 framework rates (财预〔2013〕53号 附件2): their inputs, last year's figures
        # for the 变动率, and a score stated beside a rate for the regional band tables.
        "carryover.total",
        "carryover.previous",
        "three_public.previous",
        "three_public.previous_budget",
        "spending.key_project",
        "assets.in_use",
        "assets.total",
        "rate.score",
        "rate.weight",
    }
)

# A heading line: 一、 (三) 1. 第二章 ①. Readers keep headings on their own line; interpreters
# end a block at one.
HEADING = regex.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．](?!\d)|第[一二三四五六七八九十]+[章节部分]|[①-⑳])",
    regex.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where one character of the normalized text came from.

    Text files fill page/line/column; later readers add their own place: a PDF box,
    a DOCX paragraph/table cell/run, an XLSX sheet!cell (in `part`)."""

    page: int  # 1-based
    line: int  # 1-based: the line in a text file, the line on a PDF page
    column: int  # 0-based character column in that source line
    part: str = ""
    box: tuple[float, float, float, float] | None = None
    ocr: bool = False  # read by OCR from a scanned page: a digit may be misread


@dataclass(frozen=True, slots=True)
class SourceLine:
    """A line as it stands in the source, for showing a figure in its context."""

    page: int
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell: its span in Document.text and its place in the table."""

    start: int
    end: int
    row: int
    col: int


@dataclass(frozen=True, slots=True)
class Table:
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, slots=True)
class Document:
    """Normalized text with a source map: origins[i] says where text[i] came from."""

    path: str
    text: str
    origins: tuple[Origin, ...]
    lines: tuple[SourceLine, ...] = ()
    tables: tuple[Table, ...] = ()
    pages: int = 1
    errors: tuple[str, ...] = ()

    def origin(self, offset: int) -> Origin | None:
        if not self.origins:
            return None
        return self.origins[max(0, min(offset, len(self.origins) - 1))]

    def line_bounds(self, offset: int) -> tuple[int, int]:
        """The normalized line (paragraph or table row) holding `offset`."""
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        return start, len(self.text) if end < 0 else end

    def read_by_ocr(self, start: int, end: int) -> bool:
        """Whether a character of text[start:end] was read by OCR (a digit may be misread)."""
        return any(o.ocr for o in self.origins[max(0, start) : max(start + 1, end)])

    @property
    def ocr_pages(self) -> tuple[int, ...]:
        """The pages read by OCR (scanned pages of a PDF)."""
        return tuple(sorted({o.page for o in self.origins if o.ocr}))


@dataclass(frozen=True, slots=True)
class Quantity:
    """A figure as the report prints it.

    `start:end` covers the figure with its markers and unit ("不低于95%"); `value_start:
    value_end` only the digits. Only kind "number" enters arithmetic; years, dates, phone
    numbers, document numbers, section numbers and codes are kept to explain what was skipped."""

    start: int
    end: int
    value_start: int
    value_end: int
    value: Decimal
    decimals: int
    unit: str = ""
    kind: str = "number"
    comparator: str = ""
    approximate: bool = False
    upper: Decimal | None = None
    numeral: Literal["arabic", "chinese"] = "arabic"
    text: str = ""

    @property
    def exact_figure(self) -> bool:
        return self.kind == "number" and not self.approximate and self.upper is None


@dataclass(frozen=True, slots=True)
class Fact:
    """A figure (or a grade word) bound to a concept."""

    concept: str
    value: str
    start: int  # span of the figure
    end: int
    label: str = ""  # the words that gave it its meaning
    label_start: int = -1
    subject: str = ""  # indicator or project name
    quantity: Quantity | None = None
    cue: str = ""  # the dictionary entry or table header that bound it
    inferred: bool = False  # part of its meaning came from context (an earlier clause, 其中)

    @property
    def unit(self) -> str:
        return self.quantity.unit if self.quantity else ""

    @property
    def span_start(self) -> int:
        return self.label_start if 0 <= self.label_start < self.start else self.start


@dataclass(frozen=True, slots=True)
class Enumeration:
    """A stated count and the items listed for it (None when no list follows)."""

    count: Quantity
    noun: str
    items: tuple[tuple[int, int], ...]
    complete: bool  # closed by 即/分别为/: and not by 等
    marker: str
    end: int
    counted: int = 0  # items a sub-count already stands for ("其中3个…,剩余…")


@dataclass(frozen=True, slots=True)
class Breakdown:
    """A whole and the parts a 其中 / 为 / 分别 clause gives for it."""

    whole: Quantity
    parts: tuple[Quantity, ...]
    closed: bool  # the list claims to be complete (no 等, no 主要)
    marker: str
    label: str = ""
    exact: bool = False  # designed figures (weights): no rounding tolerance


@dataclass(frozen=True, slots=True)
class Indicator:
    """A performance indicator with whatever the report states about it."""

    name: str
    name_start: int
    name_end: int
    target: Quantity | None = None
    target_text: str = ""
    actual: Quantity | None = None
    actual_text: str = ""
    mid: Quantity | None = None  # 年中监控值
    measured_name: str = ""  # the measure the body names ("本次评价X 99.94%")
    measured_start: int = -1
    completion: Quantity | None = None
    weight: Quantity | None = None
    score: Quantity | None = None
    deviation_note: str = ""
    note_expected: bool = False  # the form has a 偏差原因 column or the prose a 偏差原因 cue
    start: int = 0
    end: int = 0
    not_applicable: bool = False  # marked 不适用 (score "/"): left out, the rest rescaled to 100


@dataclass(frozen=True, slots=True)
class StatedSetting:
    """A scoring setting the report states about itself ("90分（含）以上为优…"): `key` is a
    settings key (grade_bands, qualitative_bands, level1_weights), `value` as the settings hold it."""

    key: str
    value: Any
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Interpretation:
    facts: tuple[Fact, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    enumerations: tuple[Enumeration, ...] = ()
    breakdowns: tuple[Breakdown, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    kind: str = "unknown"
    year: int | None = None
    profile: str = ""  # the regional profile the report's head names ("" = national)
    stated_settings: tuple[StatedSetting, ...] = ()  # bands/weights the report states itself

    def of(self, concept: str) -> list[Fact]:
        return [f for f in self.facts if f.concept == concept]


@dataclass(frozen=True, slots=True)
class Evidence:
    start: int
    end: int
    role: str = ""  # stated, numerator, part …
    path: str = ""  # another document's, for a cross-document finding ("" = the audit's own)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    stated: str = ""
    expected: str = ""
    evidence: tuple[Evidence, ...] = ()
    holds: bool | None = False
    detail: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def position(self) -> int:
        return self.evidence[0].start if self.evidence else 0


@dataclass(frozen=True, slots=True)
class Audit:
    """One document's result: what was read, what it means, what was checked."""

    path: str
    document: Document | None
    facts: Interpretation | None
    findings: tuple[Finding, ...] = ()
    errors: tuple[str, ...] = ()
    rules_version: str = ""
    profile: str = ""  # the regional profile whose settings were applied
    related: tuple[Document, ...] = ()  # other documents its cross-document findings cite
