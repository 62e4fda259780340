"""The layering DESIGN.md fixes, checked on the imports: model and interval import nothing of
ours; readers, recognize, interpret, checks and render import only model and interval (interpret
may use recognize); only pipeline composes the stages; cli, batch and serve sit above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "auditor"
ALLOWED = {
    "model": set(),
    "interval": set(),
    "readers": {"model", "interval"},
    "recognize": {"model", "interval"},
    "interpret": {"model", "interval", "recognize"},
    "checks": {"model", "interval"},
    "render": {"model", "interval"},
    "pipeline": {"model", "interval", "readers", "recognize", "interpret", "checks"},
}
# The one exception, and why: a Word comment must land on the paragraph the reader counted as
# "p12" or "t1.r3.c2.p1", so the annotator walks the document with the reader's own walk.
EXCEPTIONS = {("render.annotate_docx", "readers")}


def wing_of(path: Path) -> tuple[str, str]:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0], ".".join(parts)


def imported_wings(path: Path) -> set[str]:
    wings = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        wings |= {n.split(".")[1] for n in names if n.startswith("auditor.")}
    return wings


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.stem)
def test_a_stage_imports_only_what_lies_below_it(path: Path) -> None:
    wing, module = wing_of(path)
    if wing not in ALLOWED:
        return  # cli, batch, serve and the package root sit above the pipeline
    extra = imported_wings(path) - ALLOWED[wing] - {wing}
    extra = {w for w in extra if (module, w) not in EXCEPTIONS}
    assert not extra, f"auditor/{module} imports {sorted(extra)}"
