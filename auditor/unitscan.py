"""The checks across a unit's documents at the end of `auditor scan`: from the facts the scan
stored, group the documents by unit and year, run rules/unit.yaml, and store the findings.

Each finding becomes a row of `findings` on the document holding its stated figure (a department
report, or a project table no report lists), its `evidence` citing every document with its
`path`; that document's `errors`/`warnings` count it. The pass reads only the database, so it
runs again after every scan: the rows of the unit rules for this rule set are replaced in one
transaction, and a re-run that skips every file still brings them up to date."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from auditor.checks.crossdoc import LISTED, UnitFinding, run_unit_rules
from auditor.checks.ruleset import CONCEPT_PARAMS, RuleSet, load_unit_rules
from auditor.checks.targets import pair_targets, run_target_rules
from auditor.checks.units import TARGET_TABLE, UnitDocument, from_rows, group_documents
from auditor.recognize import find_quantities

IDENTITY = ("report.unit", "project.name", TARGET_TABLE)
PROBLEMS = ("error", "warning")


@dataclass(frozen=True, slots=True)
class UnitPass:
    """What the pass found: groups compared, and the change in error/warning rows it made."""

    groups: int = 0
    errors: int = 0  # error rows of the unit rules now stored
    warnings: int = 0
    errors_delta: int = 0  # minus those the previous pass had stored
    warnings_delta: int = 0


def concepts_used(ruleset: RuleSet) -> set[str]:
    """The concepts the pass must read back: identity, project lists, and every rule's."""
    used = set(IDENTITY) | set(LISTED) | {"project.count"}
    for rule in ruleset.rules:
        for key in CONCEPT_PARAMS & set(rule.params):
            value = rule.params[key]
            used |= set(value) if isinstance(value, list) else {value}
    return used


def stored_documents(
    conn: sqlite3.Connection, version: str, concepts: set[str]
) -> list[UnitDocument]:
    docs = conn.execute(
        "SELECT id, path, kind, year FROM documents WHERE rules_version = ? AND status = 'ok'",
        (version,),
    ).fetchall()
    marks = ", ".join("?" for _ in concepts)
    rows = conn.execute(
        "SELECT f.document_id, f.concept, f.subject, f.label, f.value, f.unit, f.page, f.line,"
        f" f.text FROM facts f JOIN documents d ON d.id = f.document_id WHERE d.rules_version = ?"
        f" AND d.status = 'ok' AND f.concept IN ({marks}) ORDER BY f.rowid",
        (version, *sorted(concepts)),
    ).fetchall()
    columns = ("concept", "subject", "label", "value", "unit", "page", "line", "text")
    facts: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        fact = dict(zip(columns, row[1:], strict=True))
        if fact["concept"] == "indicator.target":
            fact["comparator"] = stored_comparator(fact["text"], fact["value"])
        facts.setdefault(row[0], []).append(fact)
    return [
        from_rows(path, kind or "unknown", year, facts.get(i, [])) for i, path, kind, year in docs
    ]


def stored_comparator(text: str | None, value: str | None) -> str:
    """A target's comparator (≥, 不低于 …), which the facts table does not keep: read again from
    the excerpt stored with it, which ends with the figure ("维修响应及时率 | ≥95%")."""
    try:
        wanted = Decimal(value or "")
    except InvalidOperation:
        return ""
    figures = [q for q in find_quantities(text or "") if q.kind == "number"]
    last = next((q for q in reversed(figures) if q.value == wanted), None)
    return last.comparator if last else ""


def evidence_json(found: UnitFinding) -> list[dict[str, Any]]:
    """The evidence as the JSON contract has it, each item with the file it stands in."""
    items = []
    for ev, figure in zip(found.finding.evidence, found.figures, strict=True):
        item: dict[str, Any] = {"path": figure.path, "text": figure.text}
        item.update(
            {k: v for k, v in (("page", figure.page), ("line", figure.line)) if v is not None}
        )
        items.append({**item, "role": ev.role})
    return items


def stored(found: UnitFinding) -> bool:
    """The rows a scan keeps: errors and warnings that do not hold, and rules that crashed."""
    f = found.finding
    return (f.holds is False and f.severity in PROBLEMS) or f.detail.get("reason") == "crash"


def finding_row(doc_id: int, found: UnitFinding) -> tuple[Any, ...]:
    f = found.finding
    first = found.figures[0]
    return (
        doc_id,
        f.rule,
        f.severity,
        None if f.holds is None else int(f.holds),
        f.message,
        f.stated,
        f.expected,
        first.page,
        first.line,
        first.part or None,
        json.dumps(evidence_json(found), ensure_ascii=False),
    )


def problem_counts(conn: sqlite3.Connection, version: str, rules: list[str]) -> Counter[str]:
    marks = ", ".join("?" for _ in rules)
    rows = conn.execute(
        "SELECT f.severity, COUNT(*) FROM findings f JOIN documents d ON d.id = f.document_id"
        f" WHERE d.rules_version = ? AND f.rule IN ({marks}) AND f.holds = 0 GROUP BY f.severity",
        (version, *rules),
    ).fetchall()
    return Counter({severity: n for severity, n in rows})


def replace_rows(
    conn: sqlite3.Connection, version: str, rules: list[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """The unit rules' rows of this rule set replaced, and the documents' counts recomputed, in
    one transaction: a pass stopped half-way leaves the previous pass's rows."""
    marks = ", ".join("?" for _ in rules)
    mine = "SELECT id FROM documents WHERE rules_version = ?"
    conn.execute("BEGIN IMMEDIATE")
    try:
        owners = {
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT document_id FROM findings WHERE rule IN ({marks})"
                f" AND document_id IN ({mine})",
                (*rules, version),
            )
        }
        conn.execute(
            f"DELETE FROM findings WHERE rule IN ({marks}) AND document_id IN ({mine})",
            (*rules, version),
        )
        rows = list(rows)
        conn.executemany(
            "INSERT INTO findings (document_id, rule, severity, holds, message, stated, expected,"
            " page, line, part, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        for doc_id in owners | {r[0] for r in rows}:
            conn.execute(
                "UPDATE documents SET"
                " errors = (SELECT COUNT(*) FROM findings WHERE document_id = :id AND holds = 0"
                " AND severity = 'error'),"
                " warnings = (SELECT COUNT(*) FROM findings WHERE document_id = :id AND holds = 0"
                " AND severity = 'warning') WHERE id = :id",
                {"id": doc_id},
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def slip_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A finding row's document, stated and expected figures, page and line."""
    return (row[0], row[5], row[6], row[7], row[8])


def own_slips(conn: sqlite3.Connection, version: str, rules: list[str]) -> set[tuple[Any, ...]]:
    """The slips documents already state against themselves: a unit finding on the same figure
    with the same correct value is the same slip (`auditor check` merges the two into one
    finding), so it is not stored or counted a second time."""
    marks = ", ".join("?" for _ in rules)
    return set(
        conn.execute(
            "SELECT f.document_id, f.stated, f.expected, f.page, f.line FROM findings f"
            " JOIN documents d ON d.id = f.document_id WHERE d.rules_version = ?"
            f" AND f.holds = 0 AND f.rule NOT IN ({marks})",
            (version, *rules),
        ).fetchall()
    )


def check_stored_units(
    conn: sqlite3.Connection, version: str, rules: str | Path | None = None, lang: str = "zh"
) -> UnitPass:
    """Run the unit rules over every document of this rule set in the database; see the module doc."""
    ruleset = load_unit_rules(rules)
    ids = [r.id for r in ruleset.rules]
    if not ids:
        return UnitPass()
    before = problem_counts(conn, version, ids)
    documents = stored_documents(conn, version, concepts_used(ruleset))
    groups = group_documents(documents)
    pairs = pair_targets(documents)
    found = [
        f
        for f in run_unit_rules(ruleset, groups, lang=lang)
        + run_target_rules(ruleset, pairs, lang=lang)
        if stored(f)
    ]
    id_of = dict(conn.execute("SELECT path, id FROM documents WHERE rules_version = ?", (version,)))
    known = own_slips(conn, version, ids)
    rows = (finding_row(id_of[f.owner], f) for f in found if f.owner in id_of)
    replace_rows(conn, version, ids, (r for r in rows if slip_key(r) not in known))
    after = problem_counts(conn, version, ids)
    return UnitPass(
        len(groups) + len(pairs),
        after["error"],
        after["warning"],
        after["error"] - before["error"],
        after["warning"] - before["warning"],
    )
