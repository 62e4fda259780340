"""The marked-up copy of a report: DOCX with review comments, PDF with highlights, else HTML."""

from __future__ import annotations

from pathlib import Path

from auditor.model import Audit


def annotate(
    audit: Audit,
    target: Path,
    version: str,
    show_all: bool = False,
    kind: str = "",
    lang: str = "zh",
) -> None:
    """Write `audit`'s findings into a copy of its source file at `target` (never the source).
    `kind` is the format the file really is (".pdf" for a PDF named .docx); default its suffix."""
    suffix = kind or Path(audit.path).suffix.lower()
    if suffix == ".docx" and target.suffix.lower() == ".docx":
        from auditor.render.annotate_docx import annotate_docx

        annotate_docx(audit, target)
    elif suffix == ".pdf" and target.suffix.lower() == ".pdf":
        from auditor.render.annotate_pdf import annotate_pdf

        annotate_pdf(audit, target)
    else:
        from auditor.render.html import render_html

        target.write_text(render_html([audit], version, show_all, lang), encoding="utf-8")
