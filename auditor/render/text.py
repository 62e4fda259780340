"""Findings as a compiler prints diagnostics: place, rule, what is stated and what it should be,
the source line with a marker under the figure (CJK characters are two columns wide)."""

from __future__ import annotations

import unicodedata

from auditor.model import Audit, Document, Finding
from auditor.render.excerpt import excerpt, locate

SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}
# Styles a terminal shows (rich style names); piped output is plain text.
STYLES = {
    "error": "bold red",
    "warning": "bold yellow",
    "info": "dim",
    "marker": "bold cyan",
    "detail": "",
    "source": "",
    "summary": "bold",
}
Line = tuple[str, str]  # text, style
HOLDS_WORDS = {True: "成立", False: "不成立", None: "无法判断"}


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def source_line(doc: Document, start: int, end: int) -> list[str]:
    """The line as it stands in the file, with ^ under the figure."""
    origin, last = doc.origin(start), doc.origin(max(start, end - 1))
    if origin is None:
        return []
    raw = next(
        (ln.text for ln in doc.lines if ln.page == origin.page and ln.line == origin.line), None
    )
    if raw is None:
        return []
    stop = last.column + 1 if last and last.line == origin.line else len(raw)
    gutter = f"{origin.line:>5} | "
    marker = (
        " " * (len(gutter) - 2)
        + "| "
        + " " * width(raw[: origin.column])
        + "^" * max(1, width(raw[origin.column : stop]))
    )
    return [gutter + raw.rstrip(), marker]


def place_name(place: dict) -> str:
    """line:column, as a compiler says it; a spreadsheet cell by its name (自评表!I17); a PDF page."""
    part = str(place.get("part", ""))
    if "!" in part:
        return part
    prefix = f"第{place['page']}页:" if "box" in place else ""
    return f"{prefix}{place['line']}:{place.get('column', 1)}"


def spoken_place(place: dict) -> str:
    """第 12 行, 第 4 页第 27 行, 自评表!I17: where a supporting figure stands, in words."""
    part = str(place.get("part", ""))
    if "!" in part:
        return part
    page = f"第 {place['page']} 页" if "box" in place else ""
    return f"{page}第 {place['line']} 行"


def render_finding(audit: Audit, finding: Finding) -> list[Line]:
    doc = audit.document
    place = locate(doc, finding.position) if doc else {"line": 0, "column": 0}
    head = f"{audit.path}:{place_name(place)}: {SEVERITY_WORDS[finding.severity]}[{finding.rule}] {finding.message}"
    if finding.holds is not False and HOLDS_WORDS[finding.holds] not in finding.message:
        head += f"（{HOLDS_WORDS[finding.holds]}）"
    lines: list[Line] = [(head, finding.severity)]
    if finding.stated or finding.expected:
        lines.append((f"      报告写：{finding.stated}    应为：{finding.expected}", "detail"))
    if finding.detail.get("explanation"):
        lines.append((f"      可能原因：{finding.detail['explanation']}", "detail"))
    if doc and finding.evidence:
        first = finding.evidence[0]
        shown = source_line(doc, first.start, first.end)
        lines += list(zip(shown, ("source", "marker"), strict=False))
        for ev in finding.evidence[1:4]:
            where = locate(doc, ev.start)
            lines.append(
                (f"      依据：{spoken_place(where)} “{excerpt(doc, ev.start, ev.end)}”", "detail")
            )
    return lines


def summary(audit: Audit, shown: list[Finding]) -> str:
    if audit.document is None:
        return f"{audit.path}: 无法读取：{'；'.join(audit.errors)}"
    counts = {
        s: sum(1 for f in shown if f.severity == s and f.holds is False)
        for s in ("error", "warning")
    }
    checked = sum(1 for f in audit.findings if f.holds is not None)
    partly = f"；部分内容未读：{'；'.join(audit.errors)}" if audit.errors else ""
    return f"{audit.path}: {counts['error']} 个错误，{counts['warning']} 个警告（共核对 {checked} 项关系）{partly}"


def grand_total(audits: list[Audit]) -> str:
    """One line for the whole run: how many reports, errors, warnings, unreadable files."""
    broken = [f for a in audits for f in a.findings if f.holds is False]
    errors = sum(1 for f in broken if f.severity == "error")
    warnings = sum(1 for f in broken if f.severity == "warning")
    unreadable = sum(1 for a in audits if a.document is None)
    clean = sum(
        1
        for a in audits
        if a.document is not None and not any(f.holds is False for f in a.findings)
    )
    tail = f"，{unreadable} 份无法读取" if unreadable else ""
    return (
        f"共 {len(audits)} 份报告：{errors} 个错误，{warnings} 个警告，{clean} 份未发现问题{tail}"
    )


def styled_lines(audits: list[Audit], show_all: bool = False) -> list[Line]:
    """Grouped by file, in the order the figures stand; a summary per file and one for the run."""
    out: list[Line] = []
    for audit in audits:
        shown = [
            f
            for f in audit.findings
            if show_all or f.holds is False or f.detail.get("reason") == "crash"
        ]
        for finding in shown:
            out += render_finding(audit, finding) + [("", "")]
        out.append((summary(audit, shown), "summary"))
    if len(audits) > 1:
        out.append((grand_total(audits), "summary"))
    return out


def render_text(audits: list[Audit], show_all: bool = False) -> str:
    return "\n".join(text for text, _ in styled_lines(audits, show_all))


def print_colored(audits: list[Audit], show_all: bool, stream) -> None:
    """The same lines, colored by severity on a terminal (rich)."""
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True, force_terminal=True)
    for text, style in styled_lines(audits, show_all):
        console.print(Text(text, style=STYLES.get(style, "")))
