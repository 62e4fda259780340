"""Findings that rest on text read by OCR say so: a digit of a scanned figure may be misread.

The severity stays what the rule gives. OCR misreads are rare in figures (none of the ~400 of
the scanned seed report) and an arithmetic error in a scanned report is as real as in a typed
one; lowering it to a warning would let `auditor check` exit 0 and a batch scan rank a scanned
report as sound. What changes is the wording: the finding asks for the original to be checked
before the slip is called the preparer's, as a careful auditor would."""

from __future__ import annotations

from dataclasses import replace

from auditor.model import Document, Finding

CAVEAT = {
    "zh": "（扫描页经 OCR 识别，数字可能误读，请核对原件）",
    "en": " (read by OCR from a scanned page: a figure may be misread; check the original)",
}


def rests_on_ocr(finding: Finding, documents: dict[str, Document], own: str) -> bool:
    """Whether a figure or word the finding cites was read by OCR, in its own document or in
    another one its evidence points into (a finding across a unit's documents)."""
    for ev in finding.evidence:
        document = documents.get(ev.path or own)
        if document is not None and document.ocr_pages and document.read_by_ocr(ev.start, ev.end):
            return True
    return False


def mark_ocr(
    findings: list[Finding],
    document: Document,
    lang: str = "zh",
    others: dict[str, Document] | None = None,
) -> list[Finding]:
    """Each finding citing OCR'd text gets detail["ocr"]; a broken relation also the caveat.
    `others`: the documents cross-document findings cite, by path."""
    documents = {**(others or {}), document.path: document}
    if not any(d.ocr_pages for d in documents.values()):
        return findings
    marked = []
    for finding in findings:
        if "ocr" not in finding.detail and rests_on_ocr(finding, documents, document.path):
            message = finding.message
            if finding.holds is False:
                message += CAVEAT.get(lang, CAVEAT["zh"])
            finding = replace(finding, message=message, detail={**finding.detail, "ocr": "true"})
        marked.append(finding)
    return marked
