"""A unit's documents: what each one is about (unit, year, project) and which belong together.

Plain data in and out: a document is its figures (facts with their places), taken from an
audit at hand (`auditor check`) or from the facts a scan stored (`auditor scan`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

import regex

from auditor.model import Audit, Fact, Quantity

PROJECT_KINDS = ("table", "project")  # documents about one project
TARGET_TABLE = "report.target_table"  # the marker of a 项目支出绩效目标表 (the 年初 targets)
# "东河街道办事处" is "哈密市伊州区东河街道办事处" without its city and district
UNIT_SUFFIX_MIN = 6
PUNCTUATION = regex.compile(r"[\p{P}\p{S}\s]+")


@dataclass(frozen=True, slots=True)
class Figure:
    """One fact of one document as the cross-document rules see it. `start`/`end` are offsets
    into the document's text when the document is at hand, else -1 and the place is the one a
    scan stored (`text`, `page`, `line`)."""

    path: str
    concept: str
    value: str
    subject: str = ""
    unit: str = ""
    label: str = ""
    start: int = -1
    end: int = -1
    text: str = ""
    page: int | None = None
    line: int | None = None
    part: str = ""
    comparator: str = ""  # of a target: ">=", "<=", … as the recognizer reads 不低于, ≥, 以上

    @property
    def shown(self) -> str:
        return self.value + self.unit

    def quantity(self) -> Quantity | None:
        """The figure with the decimals it was printed with (the value keeps them: "312.50")."""
        try:
            value = Decimal(self.value)
        except (InvalidOperation, ValueError):
            return None
        if not value.is_finite():
            return None
        exponent = value.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return Quantity(0, 0, 0, 0, value, decimals, self.unit)


@dataclass(frozen=True, slots=True)
class UnitDocument:
    path: str
    kind: str
    year: int | None
    figures: tuple[Figure, ...]

    def of(self, concepts: str | Iterable[str], subject: str | None = None) -> list[Figure]:
        wanted = {concepts} if isinstance(concepts, str) else set(concepts)
        return [
            f
            for f in self.figures
            if f.concept in wanted and (subject is None or f.subject == subject)
        ]

    @property
    def units(self) -> list[str]:
        """The units it names itself after, in document order (主管部门 before 实施单位)."""
        return [f.value for f in self.of("report.unit")]

    @property
    def project(self) -> Figure | None:
        names = self.of("project.name")
        return names[0] if names else None

    @property
    def sets_targets(self) -> bool:
        """A 绩效目标表: the targets of a project, not an evaluation of it."""
        return bool(self.of(TARGET_TABLE))


@dataclass(frozen=True, slots=True)
class UnitGroup:
    """The documents of one unit and year: its department report(s) and project documents."""

    unit: str  # as the (first) department report names it
    year: int
    departments: tuple[UnitDocument, ...]
    projects: tuple[UnitDocument, ...]


def normalize_name(name: str) -> str:
    """Full-width forms folded, spaces and punctuation dropped: "东河街道 (办事处)" = "东河街道办事处"."""
    return PUNCTUATION.sub("", unicodedata.normalize("NFKC", name))


def same_unit(a: str, b: str) -> bool:
    """The same unit, the one name possibly without its city/district prefix."""
    a, b = normalize_name(a), normalize_name(b)
    short, long = sorted((a, b), key=len)
    return a == b or (len(short) >= UNIT_SUFFIX_MIN and long.endswith(short))


def figure_span(fact: Fact) -> tuple[int, int]:
    """A figure from its digits to its unit (what per-document findings point at), a name whole;
    a target with its comparator ("≥95%"), which is part of what it says."""
    if fact.quantity is not None and fact.concept == "indicator.target":
        return fact.quantity.start, fact.quantity.end
    if fact.quantity is not None:
        return fact.quantity.value_start, fact.quantity.end
    return fact.start, fact.end


def from_audit(audit: Audit) -> UnitDocument | None:
    """The figures of an audited document, with offsets into its text."""
    if audit.facts is None or audit.document is None:
        return None
    figures = tuple(
        Figure(
            audit.path,
            f.concept,
            f.value,
            f.subject,
            f.unit,
            f.label,
            *figure_span(f),
            comparator=f.quantity.comparator if f.quantity else "",
        )
        for f in audit.facts.facts
        if f.concept != "unbound" and (f.quantity is None or f.quantity.exact_figure)
    )
    return UnitDocument(audit.path, audit.facts.kind, audit.facts.year, figures)


def from_rows(
    path: str, kind: str, year: int | None, rows: Iterable[Mapping[str, Any]]
) -> UnitDocument:
    """The figures a scan stored for a document (its rows of the facts table, as mappings)."""
    figures = tuple(
        Figure(
            path,
            str(r["concept"]),
            str(r.get("value") or ""),
            str(r.get("subject") or ""),
            str(r.get("unit") or ""),
            str(r.get("label") or ""),
            text=str(r.get("text") or ""),
            page=r.get("page"),
            line=r.get("line"),
            comparator=str(r.get("comparator") or ""),
        )
        for r in rows
    )
    return UnitDocument(path, kind, year, figures)


def distinct_copies(documents: Iterable[UnitDocument]) -> list[UnitDocument]:
    """One report saved in several formats (report.docx, report.pdf) counts once: the first."""
    seen: set[PurePath] = set()
    kept = []
    for d in sorted(documents, key=lambda d: d.path):
        stem = PurePath(d.path).with_suffix("")
        if stem not in seen:
            seen.add(stem)
            kept.append(d)
    return kept


def group_documents(documents: Iterable[UnitDocument]) -> list[UnitGroup]:
    """Department reports by (unit, year); each project document joins the group of its year
    whose unit its 主管部门/实施单位 names. Documents that name no unit or year, and groups
    without a department report or without a project document, are left out: nothing to compare."""
    usable = [d for d in distinct_copies(documents) if d.year is not None and d.units]
    groups: list[tuple[str, int, list[UnitDocument], list[UnitDocument]]] = []
    for d in usable:
        if d.kind != "department":
            continue
        home = next((g for g in groups if g[1] == d.year and same_unit(g[0], d.units[0])), None)
        if home is None:
            groups.append((d.units[0], d.year or 0, [d], []))
        else:
            home[2].append(d)
    for d in usable:
        if d.kind not in PROJECT_KINDS or d.project is None or d.sets_targets:
            continue  # a target table is paired with its own self-evaluation (checks/targets.py)
        home = best_group([g for g in groups if g[1] == d.year], d.units)
        if home is not None:
            home[3].append(d)
    return [UnitGroup(u, y, tuple(ds), tuple(ps)) for u, y, ds, ps in groups if ds and ps]


def best_group(groups: list[Any], names: list[str]) -> Any:
    """The one group whose unit the document names; an exact name wins over a shortened one;
    two equally good candidates leave the document out rather than guess."""
    exact = [g for g in groups if any(normalize_name(g[0]) == normalize_name(n) for n in names)]
    near = [g for g in groups if any(same_unit(g[0], n) for n in names)]
    for candidates in (exact, near):
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            return None
    return None
