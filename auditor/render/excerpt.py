"""Short excerpts of the document around a figure, and where they stand in the source."""

from __future__ import annotations

from auditor.model import Audit, Document, Evidence

MAX_EXCERPT = 40
LEAD = 30  # characters of label kept before a figure
CLAUSE_STARTS = ",;:。、"


def excerpt_bounds(doc: Document, start: int, end: int) -> tuple[int, int]:
    """The figure with the words that say what it is, within one line: from its clause start
    (at most LEAD characters back) or, in a table row, from the row's start when that is short."""
    line_start, line_end = doc.line_bounds(start)
    end = min(max(end, start + 1), line_end)
    if " | " in doc.text[line_start:line_end] and end - line_start <= MAX_EXCERPT:
        return line_start, end
    clause = max(doc.text.rfind(ch, line_start, start) for ch in CLAUSE_STARTS) + 1
    begin = max(clause, line_start, start - LEAD)
    if (
        doc.text[begin:start].strip() == "" and start > line_start and doc.text[start].isdigit()
    ):  # a bare figure: show what precedes it
        begin = max(line_start, start - 12)
    if end - begin > MAX_EXCERPT + 20:
        end = begin + MAX_EXCERPT + 20
    return begin, end


def excerpt(doc: Document, start: int, end: int) -> str:
    a, b = excerpt_bounds(doc, start, end)
    return doc.text[a:b].strip(" |")


def locate(doc: Document, start: int) -> dict[str, int | str]:
    """page and line (1-based) of a character, plus the format's own place when it has one."""
    origin = doc.origin(start)
    if origin is None:
        return {"page": 1, "line": 1}
    place: dict[str, int | str] = {
        "page": origin.page,
        "line": origin.line,
        "column": origin.column + 1,
    }
    if origin.part:
        place["part"] = origin.part
    if origin.box:
        place["box"] = [round(v, 1) for v in origin.box]  # type: ignore[assignment]
    return place


def evidence_document(audit: Audit, ev: Evidence) -> Document | None:
    """The document an evidence item points into: the audit's own, or (a cross-document
    finding) one of the documents it cites."""
    if not ev.path or ev.path == audit.path:
        return audit.document
    return next((d for d in audit.related if d.path == ev.path), None)


def is_foreign(audit: Audit, ev: Evidence) -> bool:
    """Evidence in another document than the audit's own (its offsets are not into this text)."""
    return bool(ev.path) and ev.path != audit.path
