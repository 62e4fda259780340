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


def rests_on_ocr(finding: Finding, document: Document) -> bool:
    """Whether a figure or word the finding cites (in this document) was read by OCR."""
    return any(
        document.read_by_ocr(ev.start, ev.end)
        for ev in finding.evidence
        if not ev.path or ev.path == document.path
    )


def mark_ocr(findings: list[Finding], document: Document, lang: str = "zh") -> list[Finding]:
    """Each finding citing OCR'd text gets detail["ocr"]; a broken relation also the caveat."""
    if not document.ocr_pages:
        return findings
    marked = []
    for finding in findings:
        if rests_on_ocr(finding, document):
            message = finding.message
            if finding.holds is False:
                message += CAVEAT.get(lang, CAVEAT["zh"])
            finding = replace(finding, message=message, detail={**finding.detail, "ocr": "true"})
        marked.append(finding)
    return marked
