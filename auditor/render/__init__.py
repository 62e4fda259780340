"""Views of the same findings: terminal text and JSON (later HTML, annotated DOCX/PDF, XLSX)."""
