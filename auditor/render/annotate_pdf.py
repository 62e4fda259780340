"""The PDF back with every flagged figure highlighted and the explanation in its popup note.

The boxes come from the reader's source map (pdfplumber: x0, top, x1, bottom in points from the
top of the page); PDF user space counts from the bottom, so they are turned over with the page's
height. Pages, text and the annotations already there are kept: the copy only gains annotations."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Highlight, Popup
from pypdf.generic import ArrayObject, FloatObject, NameObject, NumberObject, TextStringObject

from auditor.model import Audit, Document, Finding

SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}
COLORS = {"error": "ff6b6b", "warning": "ffc83d", "info": "8fd18f"}
AUTHOR = "auditor"
PAD = 1.0  # points around the characters, so that the highlight covers them whole


@dataclass(frozen=True, slots=True)
class Mark:
    """One highlight: a finding's stated figure on one page, one rectangle per line it spans."""

    finding: Finding
    page: int  # 1-based
    rects: tuple[tuple[float, float, float, float], ...]  # x0, top, x1, bottom (pdfplumber)

    def rects_in(self, left: float, top: float) -> list[tuple[float, float, float, float]]:
        """The rectangles in PDF user space of a page whose top-left corner is (left, top)."""
        return [to_user_space(r, float(left), float(top)) for r in self.rects]


def figure_marks(doc: Document, finding: Finding) -> list[Mark]:
    """The boxes of the stated figure's characters, united line by line, grouped by page."""
    if not finding.evidence:
        return []
    ev = finding.evidence[0]
    lines: dict[tuple[int, int], list[float]] = {}
    for i in range(max(0, ev.start), min(ev.end, len(doc.origins))):
        origin = doc.origins[i]
        if origin.box is None or doc.text[i].isspace():
            continue
        x0, top, x1, bottom = origin.box
        key = (origin.page, origin.line)
        if key in lines:
            box = lines[key]
            lines[key] = [min(box[0], x0), min(box[1], top), max(box[2], x1), max(box[3], bottom)]
        else:
            lines[key] = [x0, top, x1, bottom]
    pages: dict[int, list[tuple[float, float, float, float]]] = {}
    for (page, _line), box in sorted(lines.items()):
        pages.setdefault(page, []).append((box[0], box[1], box[2], box[3]))
    return [Mark(finding, page, tuple(rects)) for page, rects in sorted(pages.items())]


def note_text(finding: Finding) -> str:
    """What the popup says: the rule, the stated figure, what it should be, the message."""
    parts = [f"{SEVERITY_WORDS[finding.severity]}[{finding.rule}]"]
    if finding.stated or finding.expected:
        parts.append(f"报告写：{finding.stated}  应为：{finding.expected}")
    parts.append(finding.message)
    explanation = finding.detail.get("explanation", "")
    if explanation:
        parts.append(explanation)
    return "\n".join(parts)


def to_user_space(
    rect: tuple[float, float, float, float], left: float, top: float
) -> tuple[float, float, float, float]:
    """pdfplumber (x0, top, x1, bottom) from the page's top-left → PDF (x0, y0, x1, y1)."""
    x0, t, x1, b = rect
    return (left + x0 - PAD, top - b - PAD, left + x1 + PAD, top - t + PAD)


def highlight(mark: Mark, left: float, top: float) -> Highlight:
    rects = mark.rects_in(left, top)
    quads: list[float] = []
    for x0, y0, x1, y1 in rects:  # upper left, upper right, lower left, lower right
        quads += [x0, y1, x1, y1, x0, y0, x1, y0]
    union = (
        min(r[0] for r in rects),
        min(r[1] for r in rects),
        max(r[2] for r in rects),
        max(r[3] for r in rects),
    )
    annotation = Highlight(
        rect=union,
        quad_points=ArrayObject(FloatObject(round(q, 3)) for q in quads),
        highlight_color=COLORS[mark.finding.severity],
    )
    annotation[NameObject("/F")] = NumberObject(4)  # print it too
    annotation[NameObject("/Contents")] = TextStringObject(note_text(mark.finding))
    annotation[NameObject("/T")] = TextStringObject(AUTHOR)
    annotation[NameObject("/Subj")] = TextStringObject(mark.finding.rule)
    annotation[NameObject("/NM")] = TextStringObject(
        f"auditor-{mark.finding.rule}-{mark.finding.position}-{mark.page}"
    )
    return annotation


def annotate_pdf(audit: Audit, target: Path) -> None:
    """Write the annotated copy of `audit`'s PDF to `target` (never over the source)."""
    source = Path(audit.path)
    target = Path(target)
    if target.resolve() == source.resolve() or (
        target.exists() and os.path.samefile(target, source)
    ):
        raise ValueError(f"标注副本不能覆盖原文件 {source}")
    doc = audit.document
    findings = [f for f in audit.findings if f.holds is False]
    writer = PdfWriter(clone_from=PdfReader(source))
    if doc is not None:
        for finding in findings:
            for mark in figure_marks(doc, finding):
                if not 1 <= mark.page <= len(writer.pages):
                    continue
                page = writer.pages[mark.page - 1]
                box = page.mediabox
                annotation = highlight(mark, float(box.left), float(box.top))
                added = writer.add_annotation(mark.page - 1, annotation)
                x1, y1 = (max(r[i] for r in mark.rects_in(box.left, box.top)) for i in (2, 3))
                right = min(x1 + 220, float(box.right))
                popup = Popup(
                    rect=(right - 220, y1 - 120, right, y1),
                    parent=added,
                    open=False,
                )
                writer.add_annotation(mark.page - 1, popup)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".auditor-", suffix=".pdf", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            writer.write(stream)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
