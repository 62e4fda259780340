"""What the scan summaries show, read from a scan database (the schema of `auditor scan --db`).

The XLSX (summary_xlsx.py) and the HTML page (summary_html.py) show the same rows: one per
document, one per finding, one per rule; this module reads them once, in a stable order.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

KIND_NAMES = {
    "department": "部门整体",
    "project": "项目支出",
    "table": "自评表",
    "unknown": "未识别",
}
STATUS_NAMES = {"ok": "正常", "unreadable": "无法读取", "timeout": "超时", "crashed": "处理出错"}
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
TOP_FINDINGS = 3  # the 主要问题 of a document: its first error/warning messages
PROBLEMS = ("error", "warning")


@dataclass(slots=True)
class FindingRow:
    document_id: int
    path: str
    rule: str
    severity: str
    holds: int | None
    message: str
    stated: str
    expected: str
    page: int | None
    line: int | None
    part: str

    @property
    def is_problem(self) -> bool:
        """An error or warning about a relation that does not hold (not one that holds)."""
        return self.severity in PROBLEMS and self.holds != 1

    @property
    def place(self) -> str:
        bits = []
        if self.page is not None:
            bits.append(f"第{self.page}页")
        if self.line is not None:
            bits.append(f"第{self.line}行")
        if self.part:
            bits.append(self.part)
        return " ".join(bits)


@dataclass(slots=True)
class DocumentRow:
    id: int
    path: str
    status: str
    error: str
    kind: str
    year: int | None
    unit: str
    score_stated: str
    score_expected: str
    grade: str
    errors: int
    warnings: int
    findings: list[FindingRow] = field(default_factory=list)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    @property
    def state(self) -> str:
        """状态/原因: 正常, or what went wrong and why."""
        name = STATUS_NAMES.get(self.status, self.status)
        return f"{name}：{self.error}" if self.error and self.status != "ok" else name

    @property
    def top_findings(self) -> list[str]:
        return [f.message for f in self.findings if f.is_problem][:TOP_FINDINGS]

    @property
    def severity(self) -> str:
        """The row's color class: failed (not read), error, warning or ok."""
        if self.status != "ok":
            return "failed"
        if self.errors:
            return "error"
        if self.warnings:
            return "warning"
        return "ok"

    @property
    def score(self) -> float | None:
        """The overall score for the histogram: the recomputed one, else the stated one."""
        return number(self.score_expected) if self.score_expected else number(self.score_stated)


@dataclass(frozen=True, slots=True)
class RuleCount:
    rule: str
    errors: int
    warnings: int
    documents: int

    @property
    def total(self) -> int:
        return self.errors + self.warnings


@dataclass(slots=True)
class Summary:
    documents: list[DocumentRow]
    findings: list[FindingRow]

    def rule_counts(self) -> list[RuleCount]:
        """Per rule, its errors, warnings and the reports they are in; most frequent first."""
        errors: Counter[str] = Counter()
        warnings: Counter[str] = Counter()
        documents: dict[str, set[int]] = {}
        for f in self.findings:
            if not f.is_problem:
                continue
            (errors if f.severity == "error" else warnings)[f.rule] += 1
            documents.setdefault(f.rule, set()).add(f.document_id)
        counts = [
            RuleCount(rule, errors[rule], warnings[rule], len(docs))
            for rule, docs in documents.items()
        ]
        return sorted(counts, key=lambda c: (-c.total, -c.errors, c.rule))


def number(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return float(Decimal(str(text).strip().rstrip("分")))
    except (InvalidOperation, ValueError):
        return None


def text(value: object) -> str:
    return "" if value is None else str(value)


def load_summary(db_path: str | Path) -> Summary:
    """Every document (by path) and its findings (in the order the scan wrote them)."""
    uri = Path(db_path).resolve().as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        docs = conn.execute(
            "SELECT id, path, status, error, kind, year, unit, score_stated, score_expected,"
            " grade, errors, warnings FROM documents ORDER BY path, id"
        ).fetchall()
        rows = conn.execute(
            "SELECT f.document_id, d.path, f.rule, f.severity, f.holds, f.message, f.stated,"
            " f.expected, f.page, f.line, f.part FROM findings f"
            " JOIN documents d ON d.id = f.document_id ORDER BY d.path, d.id, f.rowid"
        ).fetchall()
    conn.close()
    documents = [
        DocumentRow(
            id=r[0],
            path=text(r[1]),
            status=text(r[2]) or "ok",
            error=text(r[3]),
            kind=text(r[4]) or "unknown",
            year=r[5],
            unit=text(r[6]),
            score_stated=text(r[7]),
            score_expected=text(r[8]),
            grade=text(r[9]),
            errors=int(r[10] or 0),
            warnings=int(r[11] or 0),
        )
        for r in docs
    ]
    by_id = {d.id: d for d in documents}
    findings = [
        FindingRow(
            document_id=r[0],
            path=text(r[1]),
            rule=text(r[2]),
            severity=text(r[3]),
            holds=None if r[4] is None else int(r[4]),
            message=text(r[5]),
            stated=text(r[6]),
            expected=text(r[7]),
            page=r[8],
            line=r[9],
            part=text(r[10]),
        )
        for r in rows
    ]
    for f in findings:
        by_id[f.document_id].findings.append(f)
    return Summary(documents, findings)
