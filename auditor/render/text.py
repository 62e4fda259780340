"""Findings as a compiler prints diagnostics: place, rule, what is stated and what it should be,
the source line with a marker under the figure (CJK characters are two columns wide)."""

from __future__ import annotations

import unicodedata

from auditor.model import Audit, Document, Finding
from auditor.render.excerpt import evidence_document, excerpt, is_foreign, locate
from auditor.render.words import say

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
HOLDS_KEYS = {True: "holds", False: "broken", None: "unknown"}


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
    # control characters (a terminal escape planted in a document) show as blanks, one for one
    raw = "".join(" " if unicodedata.category(c) == "Cc" else c for c in raw)
    stop = last.column + 1 if last and last.line == origin.line else len(raw)
    gutter = f"{origin.line:>5} | "
    marker = (
        " " * (len(gutter) - 2)
        + "| "
        + " " * width(raw[: origin.column])
        + "^" * max(1, width(raw[origin.column : stop]))
    )
    return [gutter + raw.rstrip(), marker]


def place_name(place: dict, lang: str = "zh") -> str:
    """line:column, as a compiler says it; a spreadsheet cell by its name (自评表!I17); a PDF page."""
    part = str(place.get("part", ""))
    if "!" in part:
        return part
    prefix = say(lang, "page_prefix", page=place["page"]) if "box" in place else ""
    return f"{prefix}{place['line']}:{place.get('column', 1)}"


def spoken_place(place: dict, lang: str = "zh") -> str:
    """第 12 行, 第 4 页第 27 行, 自评表!I17: where a supporting figure stands, in words."""
    part = str(place.get("part", ""))
    if "!" in part:
        return part
    if "box" in place:
        return say(lang, "line_on_page", page=place["page"], line=place["line"])
    return say(lang, "line", line=place["line"])


def render_finding(audit: Audit, finding: Finding, lang: str = "zh") -> list[Line]:
    doc = audit.document
    place = locate(doc, finding.position) if doc else {"line": 0, "column": 0}
    head = f"{audit.path}:{place_name(place, lang)}: {say(lang, finding.severity)}[{finding.rule}] {finding.message}"
    holds = say(lang, HOLDS_KEYS[finding.holds])
    if finding.holds is not False and holds not in finding.message:
        head += say(lang, "paren", x=holds)
    lines: list[Line] = [(head, finding.severity)]
    if finding.stated or finding.expected:
        words = say(lang, "stated_expected", stated=finding.stated, expected=finding.expected)
        lines.append(("      " + words, "detail"))
    if finding.detail.get("explanation"):
        lines.append(("      " + say(lang, "cause", why=finding.detail["explanation"]), "detail"))
    if doc and finding.evidence:
        first = finding.evidence[0]
        shown = source_line(doc, first.start, first.end)
        lines += list(zip(shown, ("source", "marker"), strict=False))
        for ev in finding.evidence[1:4]:
            source = evidence_document(audit, ev)
            if source is None:
                continue
            where = spoken_place(locate(source, ev.start), lang)
            if is_foreign(audit, ev):  # another file of the unit: name it
                where = f"{ev.path} {where}"
            lines.append(
                (
                    f"      {say(lang, 'evidence')}{where} “{excerpt(source, ev.start, ev.end)}”",
                    "detail",
                )
            )
    return lines


def summary(audit: Audit, shown: list[Finding], lang: str = "zh") -> str:
    sep = say(lang, "list_sep")
    if audit.document is None:
        return say(lang, "unreadable", path=audit.path, errors=sep.join(audit.errors))
    counts = {
        s: sum(1 for f in shown if f.severity == s and f.holds is False)
        for s in ("error", "warning")
    }
    checked = sum(1 for f in audit.findings if f.holds is not None)
    partly = say(lang, "partly_unread", errors=sep.join(audit.errors)) if audit.errors else ""
    partly += ocr_note(audit.document, lang)
    return say(
        lang,
        "file_summary",
        path=audit.path,
        errors=counts["error"],
        warnings=counts["warning"],
        checked=checked,
        partly=partly,
    )


def ocr_note(doc: Document, lang: str = "zh") -> str:
    """Which pages were read by OCR (scanned), so that their figures are checked by eye."""
    if not doc.ocr_pages:
        return ""
    return say(lang, "ocr_read", pages=say(lang, "page_sep").join(map(str, doc.ocr_pages)))


def grand_total(audits: list[Audit], lang: str = "zh") -> str:
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
    tail = say(lang, "run_unreadable", n=unreadable) if unreadable else ""
    return say(
        lang,
        "run_summary",
        reports=len(audits),
        errors=errors,
        warnings=warnings,
        clean=clean,
        tail=tail,
    )


def styled_lines(audits: list[Audit], show_all: bool = False, lang: str = "zh") -> list[Line]:
    """Grouped by file, in the order the figures stand; a summary per file and one for the run."""
    out: list[Line] = []
    for audit in audits:
        shown = [
            f
            for f in audit.findings
            if show_all or f.holds is False or f.detail.get("reason") == "crash"
        ]
        for finding in shown:
            out += render_finding(audit, finding, lang) + [("", "")]
        out.append((summary(audit, shown, lang), "summary"))
    if len(audits) > 1:
        out.append((grand_total(audits, lang), "summary"))
    return out


def render_text(audits: list[Audit], show_all: bool = False, lang: str = "zh") -> str:
    return "\n".join(text for text, _ in styled_lines(audits, show_all, lang))


def print_colored(audits: list[Audit], show_all: bool, stream, lang: str = "zh") -> None:
    """The same lines, colored by severity on a terminal (rich)."""
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True, force_terminal=True)
    for text, style in styled_lines(audits, show_all, lang):
        console.print(Text(text, style=STYLES.get(style, "")))
