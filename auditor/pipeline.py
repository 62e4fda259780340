"""File → findings: read, recognize, interpret, check. The one place that composes the stages."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from auditor.checks.engine import run_rules
from auditor.checks.ocr_caveat import mark_ocr
from auditor.checks.ruleset import RuleSet, load_rules, load_unit_rules
from auditor.interpret import interpret
from auditor.model import Audit, Document, Finding
from auditor.readers import ReadError, document_from_text, read_document
from auditor.readers.limits import Limits
from auditor.recognize import find_quantities

DEFAULT_PROFILE = "national"


@dataclass(frozen=True, slots=True)
class Options:
    rules: str | Path | None = None  # a rule file, or a folder of kind files
    select: frozenset[str] = frozenset()  # only these rule ids
    ignore: frozenset[str] = frozenset()
    strict: bool = False  # a crashing rule raises (tests)
    lang: str = "zh"  # the language of the messages: zh or en
    profile: str | None = (
        None  # a regional profile (rules/profiles/); None: the region the report names
    )
    limits: Limits = Limits()  # how much a reader takes in (file size, pages, …) before refusing


def pick_rules(ruleset: RuleSet, options: Options) -> RuleSet:
    rules = tuple(
        r
        for r in ruleset.rules
        if (not options.select or r.id in options.select) and r.id not in options.ignore
    )
    return replace(ruleset, rules=rules)


def audit_document(document: Document, options: Options = Options()) -> Audit:
    quantities = find_quantities(document.text)
    facts = interpret(document, quantities)
    profile = options.profile or facts.profile or DEFAULT_PROFILE
    ruleset = pick_rules(load_rules(facts.kind, options.rules, profile), options)
    findings = run_rules(ruleset, facts, document.text, strict=options.strict, lang=options.lang)
    findings = mark_ocr(list(findings), document, options.lang)  # scanned pages: a caveat
    return Audit(
        document.path,
        document,
        facts,
        tuple(findings),
        document.errors,
        ruleset.version,
        ruleset.profile,
    )


def audit_file(path: str | Path, options: Options = Options()) -> Audit:
    """Audit one file; a file that cannot be read gives an Audit with its error, never an exception."""
    try:
        document = read_document(path, options.limits)
    except ReadError as exc:
        return Audit(str(path), None, None, errors=(exc.reason,))
    return audit_document(document, options)


def audit_text(text: str, options: Options = Options(), path: str = "<text>") -> Audit:
    """Audit text given directly (rule examples, tests)."""
    return audit_document(document_from_text(text, path), options)


def audit_units(audits: list[Audit], options: Options = Options()) -> list[Audit]:
    """The checks across a unit's documents (rules/unit.yaml), over files already audited:
    each finding joins the audit of the document holding its stated figure, which keeps the
    other documents its evidence points into (Audit.related)."""
    # imported here: a single report never needs them (and they cost start-up time)
    from auditor.checks.crossdoc import run_unit_rules
    from auditor.checks.targets import pair_targets, run_target_rules
    from auditor.checks.units import from_audit, group_documents

    ruleset = pick_rules(load_unit_rules(options.rules), options)
    documents = [d for a in audits if (d := from_audit(a)) is not None]
    found = run_unit_rules(ruleset, group_documents(documents), options.strict, options.lang)
    found += run_target_rules(ruleset, pair_targets(documents), options.strict, options.lang)
    by_path = {a.path: a for a in audits}
    result = []
    for audit in audits:
        mine = tuple(u.finding for u in found if u.owner == audit.path)
        if mine:
            own, added = merge_same_slip(audit.findings, mine)
            findings = sorted(own + added, key=lambda f: (f.position, f.rule))
            related = cited_documents(mine, audit.path, by_path)
            if audit.document is not None:  # a figure cited in a scanned document: the caveat
                others = {d.path: d for d in related}
                findings = mark_ocr(findings, audit.document, options.lang, others)
            audit = replace(audit, findings=tuple(findings), related=related)
        result.append(audit)
    return result


def merge_same_slip(
    own: tuple[Finding, ...], across: tuple[Finding, ...]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """A figure the document already contradicts itself on, with the same correct value, is one
    slip: the finding inside the document also cites the other document's figure, instead of a
    second finding on the same characters."""
    merged = list(own)
    added = []
    for f in across:
        k = next(
            (
                i
                for i, g in enumerate(merged)
                if g.holds is False
                and f.holds is False
                and g.position == f.position
                and g.expected == f.expected
            ),
            None,
        )
        if k is None:
            added.append(f)
            continue
        g = merged[k]
        merged[k] = replace(
            g,
            message=f"{g.message}；{f.message}",
            evidence=g.evidence + tuple(e for e in f.evidence[1:] if e.path),
        )
    return tuple(merged), tuple(added)


def cited_documents(
    findings: tuple[Finding, ...], own: str, audits: dict[str, Audit]
) -> tuple[Document, ...]:
    paths = sorted({ev.path for f in findings for ev in f.evidence if ev.path and ev.path != own})
    documents = (audits[p].document for p in paths if p in audits)
    return tuple(d for d in documents if d is not None)


def audit_unit_example(text: str, options: Options = Options()) -> list[Audit]:
    """A rule example of several documents (separated by a line of ===), audited together."""
    from auditor.checks.crossdoc import split_example

    texts = split_example(text)
    audits = [audit_text(t, options, path=f"<示例文件{k + 1}>") for k, t in enumerate(texts)]
    return audit_units(audits, options)
