"""The JSON contract of DESIGN.md: stable, additive."""

from __future__ import annotations

import json
from typing import Any

from auditor.model import Audit, Fact, Finding
from auditor.render.excerpt import evidence_document, excerpt, locate


def fact_json(audit: Audit, fact: Fact) -> dict[str, Any]:
    doc = audit.document
    start = fact.span_start
    item: dict[str, Any] = {"concept": fact.concept}
    if fact.subject:
        item["subject"] = fact.subject
    item.update(
        {
            "label": fact.label,
            "value": fact.value,
            "unit": fact.unit,
            "text": excerpt(doc, fact.start, fact.end) if doc else "",
            **(locate(doc, start) if doc else {}),
        }
    )
    if fact.inferred:
        item["inferred"] = True
    if doc and doc.read_by_ocr(fact.start, fact.end):
        item["ocr"] = True  # read from a scanned page: a digit may be misread
    return item


def finding_json(audit: Audit, finding: Finding) -> dict[str, Any]:
    evidence = []
    for ev in finding.evidence:
        doc = evidence_document(audit, ev)
        if doc is None or ev.end <= ev.start:
            continue
        where = {"path": ev.path} if ev.path else {}  # a cross-document finding cites each file
        evidence.append(
            {
                **where,
                "text": excerpt(doc, ev.start, ev.end),
                **locate(doc, ev.start),
                "role": ev.role,
                **({"ocr": True} if doc.read_by_ocr(ev.start, ev.end) else {}),
            }
        )
    item: dict[str, Any] = {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "stated": finding.stated,
        "expected": finding.expected,
        "evidence": evidence,
        "holds": finding.holds,
    }
    if finding.detail:
        item["detail"] = finding.detail
    return item


def document_json(audit: Audit, show_all: bool) -> dict[str, Any]:
    facts = audit.facts
    findings = [f for f in audit.findings if show_all or f.holds is False]
    return {
        "path": audit.path,
        "kind": facts.kind if facts else "unknown",
        "pages": audit.document.pages if audit.document else 0,
        "year": facts.year if facts else None,
        "profile": audit.profile,
        "facts": [fact_json(audit, f) for f in facts.facts] if facts else [],
        "findings": [finding_json(audit, f) for f in findings],
        **ocr_pages(audit),
        "errors": list(audit.errors),
    }


def ocr_pages(audit: Audit) -> dict[str, list[int]]:
    """The pages read by OCR, listed only when there are some (an addition to the contract)."""
    pages = audit.document.ocr_pages if audit.document else ()
    return {"ocr_pages": list(pages)} if pages else {}


def render_json(audits: list[Audit], version: str, show_all: bool = False) -> str:
    rules = next((a.rules_version for a in audits if a.rules_version), "")
    payload = {
        "tool": {"name": "auditor", "version": version, "rules": rules},
        "documents": [document_json(a, show_all) for a in audits],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)
