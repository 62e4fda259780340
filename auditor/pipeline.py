"""File → findings: read, recognize, interpret, check. The one place that composes the stages."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from auditor.checks.engine import run_rules
from auditor.checks.ruleset import RuleSet, load_rules
from auditor.interpret import interpret
from auditor.model import Audit, Document
from auditor.readers import ReadError, document_from_text, read_document
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
        document = read_document(path)
    except ReadError as exc:
        return Audit(str(path), None, None, errors=(exc.reason,))
    return audit_document(document, options)


def audit_text(text: str, options: Options = Options(), path: str = "<text>") -> Audit:
    """Audit text given directly (rule examples, tests)."""
    return audit_document(document_from_text(text, path), options)
