"""The report's own DOCX back, with a Word review comment on each flagged figure.

Each finding that does not hold becomes a comment (author "auditor") anchored on exactly the
characters of its stated figure. Offsets come from the reader's source map: an Origin's `part`
names the paragraph ("p12", "t1.r3.c8.p1") and its `column` is the offset in that paragraph's
text as `run_pieces` defines it. Where the figure starts or ends inside a run, the run is split
in two, both halves keeping its formatting (w:rPr), so the text of the document does not change;
only comment range marks, comment reference runs and the comments part are added.

The paragraph numbering and the paragraph text are the reader's (auditor.readers.docx): this
module walks the body with the reader's own BodyReader and run_pieces rather than a copy of them,
so that a part name and a column mean here exactly what they meant when the report was read.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.text.run import Run
from lxml import etree

from auditor.model import Audit, Document, Finding
from auditor.readers.docx import BR, RENDERED_BREAK, RUN_TEXT, BodyReader, inside_text, run_pieces
from auditor.readers.normalize import RawLine

AUTHOR = "auditor"
INITIALS = "AU"
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
R, T = qn("w:r"), qn("w:t")
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Children of a run that carry its formatting, not its content: kept in both halves of a split.
PROPERTIES = {qn("w:rPr")}


@dataclass(slots=True)
class ParagraphIndex(BodyReader):
    """The reader's walk of the body, remembering which element each part name stands for."""

    elements: dict[str, etree._Element] = field(default_factory=dict)

    def read_paragraph(self, element: etree._Element, part: str) -> RawLine:
        self.elements[part] = element
        return BodyReader.read_paragraph(self, element, part)


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a comment goes: a paragraph and a column range in its text, and a note saying
    how far that range falls short of the figure (empty when it is the figure exactly)."""

    paragraph: etree._Element
    start: int
    end: int
    note: str = ""


def annotate_docx(audit: Audit, target: Path) -> None:
    """Write a copy of `audit.path` to `target` with a review comment on each broken finding."""
    word = docx.Document(str(audit.path))
    index = ParagraphIndex(rendered_pages=False)
    index.read_blocks(word.element.body, "")
    if audit.document is not None:
        for finding in sorted(shown(audit.findings), key=lambda f: f.position):
            anchor = locate(finding, audit.document, index.elements)
            if anchor is None:
                continue
            first, last = anchor_runs(anchor.paragraph, anchor.start, anchor.end)
            word.add_comment(
                [Run(first, word), Run(last, word)],
                text=comment_text(finding, audit.document, anchor.note),
                author=AUTHOR,
                initials=INITIALS,
            )
    word.save(str(target))


def shown(findings: tuple[Finding, ...]) -> list[Finding]:
    """The findings a reader of the report must see: relations that do not hold."""
    return [f for f in findings if f.holds is False and f.severity in ("error", "warning")]


def comment_text(finding: Finding, document: Document, note: str = "") -> str:
    """ "错误 [rule]：报告写 X，应为 Y。" followed by the finding's own message (which names the
    figures it was computed from) and, if the figure could not be marked exactly, a note."""
    stated = finding.stated
    if not stated and finding.evidence:
        evidence = finding.evidence[0]
        stated = document.text[evidence.start : evidence.end].strip()
    head = f"{SEVERITY.get(finding.severity, finding.severity)} [{finding.rule}]："
    if stated and finding.expected:
        head += f"报告写 {stated}，应为 {finding.expected}。"
    elif stated:
        head += f"报告写 {stated}。"
    return head + finding.message + (f"（{note}）" if note else "")


def locate(
    finding: Finding, document: Document, elements: dict[str, etree._Element]
) -> Anchor | None:
    """The paragraph and columns of the finding's stated figure (evidence[0]).

    A figure that runs over two paragraphs is marked in the first from its start to the end of
    that paragraph; one whose place is unknown is marked on the first paragraph with text. Either
    way the comment says so."""
    evidence = finding.evidence[0] if finding.evidence else None
    first = document.origin(evidence.start) if evidence else None
    if evidence is None or first is None or first.part not in elements:
        return fallback(elements, "未能在文档中定位所指数字，批注标在正文开头")
    paragraph = elements[first.part]
    length = paragraph_length(paragraph)
    last = document.origin(max(evidence.start, evidence.end - 1))
    start = min(first.column, length)
    if last is not None and last.part == first.part and last.column >= first.column:
        end = min(last.column + 1, length)
        note = ""
    else:
        end = length
        note = "所指数字跨越多个段落，批注只标在其所在的第一段"
    if end <= start:  # nothing left to mark at that place: mark the whole paragraph
        start, end = 0, length
        note = note or "未能准确定位所指数字，批注标在其所在段落"
    return Anchor(paragraph, start, end, note)


def fallback(elements: dict[str, etree._Element], note: str) -> Anchor | None:
    for paragraph in elements.values():
        length = paragraph_length(paragraph)
        if length:
            return Anchor(paragraph, 0, length, note)
    return None


def paragraph_length(paragraph: etree._Element) -> int:
    return sum(len(text) for _, text, _ in run_pieces(paragraph))


def text_runs(paragraph: etree._Element) -> list[etree._Element]:
    """The runs run_pieces numbers, in its order: run k of its output is element k here."""
    return [r for r in paragraph.iter(R) if inside_text(r, paragraph)]


def run_spans(paragraph: etree._Element) -> list[tuple[etree._Element, int, int]]:
    """(run, start column, end column) for every text run of the paragraph."""
    runs = text_runs(paragraph)
    lengths = [0] * len(runs)
    for k, text, _ in run_pieces(paragraph):
        lengths[k] += len(text)
    spans = []
    offset = 0
    for run, length in zip(runs, lengths, strict=True):
        spans.append((run, offset, offset + length))
        offset += length
    return spans


def anchor_runs(
    paragraph: etree._Element, start: int, end: int
) -> tuple[etree._Element, etree._Element]:
    """The first and the last run covering exactly columns [start, end) of the paragraph,
    splitting the runs where the range begins or ends inside one."""
    split_at(paragraph, start, outside_left=True)
    split_at(paragraph, end, outside_left=False)
    inside = [r for r, s, e in run_spans(paragraph) if e > s and s >= start and e <= end]
    if inside:
        return inside[0], inside[-1]
    runs = text_runs(paragraph)
    if runs:  # an empty range: the run at that place (a comment needs a run to hang on)
        return runs[0], runs[-1]
    run = paragraph.makeelement(R, {})  # a paragraph without runs: an empty one, no text added
    paragraph.append(run)
    return run, run


def split_at(paragraph: etree._Element, column: int, outside_left: bool) -> None:
    """Make `column` a run boundary: split the run whose text strictly contains it in two."""
    for run, start, end in run_spans(paragraph):
        if start < column < end:
            split_run(run, column - start, outside_left)
            return


def piece_length(child: etree._Element) -> int:
    """How many characters of the paragraph text a run's child stands for (as run_pieces)."""
    if child.tag in RUN_TEXT:
        text = RUN_TEXT[child.tag]
        return len(child.text or "") if text is None else len(text)
    if child.tag == BR:
        return 1
    return 0  # w:lastRenderedPageBreak, drawings, field characters, …


def split_run(run: etree._Element, offset: int, outside_left: bool) -> None:
    """Split `run` after `offset` characters into two runs with the same properties.

    A child with no text of its own standing right at the cut goes to the side outside the
    range being marked (`outside_left`: the cut is where the range starts)."""
    right = copy.deepcopy(run)
    left_children = [c for c in run if c.tag not in PROPERTIES]
    right_children = [c for c in right if c.tag not in PROPERTIES]
    position = 0
    for mine, theirs in zip(left_children, right_children, strict=True):
        length = piece_length(mine)
        if mine.tag == RENDERED_BREAK or length == 0:
            keep_left = position < offset or (position == offset and outside_left)
        elif position + length <= offset:
            keep_left = True
        elif position >= offset:
            keep_left = False
        else:  # the cut falls inside this w:t: text before it stays, text after it moves
            cut = offset - position
            text = mine.text or ""
            mine.text, theirs.text = text[:cut], text[cut:]
            for element in (mine, theirs):
                element.set(XML_SPACE, "preserve")
            position += length
            continue
        (run if not keep_left else right).remove(mine if not keep_left else theirs)
        position += length
    run.addnext(right)


def anchored_texts(word: WordDocument) -> dict[str, str]:
    """The text each comment of the body is anchored on, by comment id (for tests and checks)."""
    start, end = qn("w:commentRangeStart"), qn("w:commentRangeEnd")
    texts: dict[str, list[str]] = {}
    open_ids: list[str] = []
    for element in word.element.body.iter(start, end, T, qn("w:tab"), BR):
        ident = element.get(qn("w:id")) or ""
        if element.tag == start:
            open_ids.append(ident)
            texts[ident] = []
        elif element.tag == end:
            if ident in open_ids:
                open_ids.remove(ident)
        else:
            piece = (element.text or "") if element.tag == T else " " if element.tag == BR else "\t"
            for comment in open_ids:
                texts[comment].append(piece)
    return {comment: "".join(parts) for comment, parts in texts.items()}
