"""One self-contained HTML page: a summary per document, then its text with every flagged figure
marked in its severity's color and the note under its line. No network: inline CSS, system fonts,
no scripts. Everything that comes from a document or a message is escaped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from html import escape

from auditor.model import Audit, Document, Finding
from auditor.render.excerpt import evidence_document, excerpt, is_foreign, locate
from auditor.render.text import HOLDS_KEYS, spoken_place
from auditor.render.words import say

KIND_KEYS = {
    "department": "department",
    "project": "project",
    "table": "table",
    "unknown": "kind_unknown",
}
# why a figure is off, said only when the rule engine gives no explanation of its own (words.py)
REASONS = ("base", "truncation", "consequence", "completion", "boundary")
# error > warning > undecidable > holds: the class a figure flagged by several findings gets
RANK = {"error": 0, "warning": 1, "unknown": 2, "holds": 3}
EXCERPT_REACH = 80  # characters of a finding's line shown on each side of its figure (excerpts)

CSS = """
:root { --error: #c62828; --error-bg: #ffcdd2; --warning: #b26a00; --warning-bg: #ffe0a3;
  --unknown: #5e6b78; --unknown-bg: #e3e8ee; --holds: #2e7d32; --holds-bg: #d7efd8;
  --ink: #1f2328; --muted: #656d76; --rule: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #f6f8fa; line-height: 1.75; font-size: 16px;
  font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
  "Source Han Sans SC", "WenQuanYi Micro Hei", system-ui, sans-serif; }
header.page, section.document { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header.page { padding-top: 20px; color: var(--muted); font-size: 14px; }
h1 { font-size: 24px; margin: 4px 0 0; color: var(--ink); }
h2 { font-size: 20px; margin: 32px 0 8px; word-break: break-all; }
h3 { font-size: 16px; margin: 20px 0 8px; }
section.document { background: #fff; border: 1px solid var(--rule); border-radius: 8px;
  margin-top: 20px; margin-bottom: 28px; padding-bottom: 16px; }
.meta { color: var(--muted); font-size: 14px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--rule); border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.card b { display: block; font-size: 22px; line-height: 1.3; }
.card.error b { color: var(--error); } .card.warning b { color: var(--warning); }
.card.score b { font-size: 18px; }
table.summary { border-collapse: collapse; font-size: 14px; margin: 8px 0; }
table.summary th, table.summary td { border: 1px solid var(--rule); padding: 3px 10px;
  text-align: left; }
table.summary th { background: #f6f8fa; font-weight: 600; }
ol.findings { padding-left: 24px; font-size: 15px; }
ol.findings li { margin: 4px 0; }
.tag { display: inline-block; font-size: 12px; line-height: 1.6; padding: 0 6px;
  border-radius: 4px; color: #fff; margin-right: 4px; white-space: nowrap; }
.tag.error { background: var(--error); } .tag.warning { background: var(--warning); }
.tag.unknown { background: var(--unknown); } .tag.holds { background: var(--holds); }
code.rule { font-size: 13px; color: var(--muted); }
.text { font-size: 16px; border-top: 1px solid var(--rule); margin-top: 12px;
  padding-top: 8px; }
.line { display: flex; gap: 12px; white-space: pre-wrap; word-break: break-all; }
.line .no { flex: 0 0 64px; text-align: right; color: #8c959f; font-size: 12px;
  padding-top: 4px; user-select: none; font-variant-numeric: tabular-nums; }
.line .body { flex: 1; min-width: 0; }
.line.row .body { font-variant-numeric: tabular-nums; }
.sep { color: #8c959f; }
mark { padding: 1px 2px; border-radius: 3px; color: inherit; }
mark.error { background: var(--error-bg); box-shadow: inset 0 -2px 0 var(--error); }
mark.warning { background: var(--warning-bg); box-shadow: inset 0 -2px 0 var(--warning); }
mark.unknown { background: var(--unknown-bg); box-shadow: inset 0 -2px 0 var(--unknown); }
mark.holds { background: var(--holds-bg); box-shadow: inset 0 -2px 0 var(--holds); }
.ev { text-decoration: underline dotted #57606a; text-underline-offset: 4px; }
mark a.ref, .ev a.ref { color: inherit; text-decoration: none; }
:target { outline: 2px solid #0969da; outline-offset: 2px; }
aside.note { margin: 4px 0 10px 76px; padding: 6px 12px; border-left: 4px solid var(--rule);
  background: #fafbfc; font-size: 14px; line-height: 1.7; white-space: normal; }
aside.note.error { border-color: var(--error); background: #fff5f5; }
aside.note.warning { border-color: var(--warning); background: #fffaf0; }
aside.note.unknown { border-color: var(--unknown); }
aside.note.holds { border-color: var(--holds); background: #f6fbf6; }
.note .values { margin: 2px 0; }
.note .stated { color: var(--error); font-weight: 600; }
.note .expected { color: var(--holds); font-weight: 600; }
.note.holds .stated, .note.unknown .stated, .note.unknown .expected { color: inherit; }
.note .inputs { margin: 2px 0 0; padding-left: 18px; color: var(--muted); }
.note a { color: #0969da; }
.note a.message { color: inherit; text-decoration: none; font-weight: 600; }
.errors { color: var(--error); }
footer { max-width: 1100px; margin: 0 auto 24px; padding: 0 24px; color: var(--muted);
  font-size: 12px; }
@media print { body { background: #fff; } section.document { border: none; } }
"""


@dataclass(frozen=True, slots=True)
class Shown:
    """A finding as the page shows it: its number, its class and the ids it links."""

    number: int
    finding: Finding  # its evidence in this document only
    level: str  # error | warning | unknown | holds
    cited: tuple[str, ...] = ()  # where a cross-document finding points into other files

    @property
    def id(self) -> str:
        return f"f{self.number}"


def level(finding: Finding) -> str:
    if finding.holds is True:
        return "holds"
    if finding.holds is None:
        return "unknown"
    return "error" if finding.severity == "error" else "warning"


def level_words(lv: str, lang: str = "zh") -> str:
    return say(lang, lv)


def span_id(prefix: str, start: int, end: int) -> str:
    return f"{prefix}-{start}-{end}"


def summary_html(
    audit: Audit, shown: list[Shown], prefix: str, lang: str = "zh", listed: bool = True
) -> str:
    """Counts, the score, findings per rule, and (`listed`) one line per finding."""
    broken = [s for s in shown if s.finding.holds is False]
    severities = Counter(s.finding.severity for s in broken)
    facts = audit.facts
    parts = ['<div class="cards">']
    parts.append(
        f'<div class="card error">{say(lang, "errors_head")}<b>{severities.get("error", 0)}</b></div>'
    )
    parts.append(
        f'<div class="card warning">{say(lang, "warnings_head")}<b>{severities.get("warning", 0)}</b></div>'
    )
    checked = sum(1 for f in audit.findings if f.holds is not None)
    parts.append(f'<div class="card">{say(lang, "relations_checked")}<b>{checked}</b></div>')
    parts.append(score_card(audit, lang))
    parts.append("</div>")
    rules = Counter(s.finding.rule for s in broken)
    if rules:
        parts.append(
            f'<table class="summary"><tr><th>{say(lang, "rule")}</th>'
            f"<th>{say(lang, 'errors_head')}</th><th>{say(lang, 'warnings_head')}</th></tr>"
        )
        for rule, _ in rules.most_common():
            errors = sum(
                1 for s in broken if s.finding.rule == rule and s.finding.severity == "error"
            )
            warnings = sum(
                1 for s in broken if s.finding.rule == rule and s.finding.severity == "warning"
            )
            parts.append(
                f'<tr><td><code class="rule">{escape(rule)}</code></td>'
                f"<td>{errors}</td><td>{warnings}</td></tr>"
            )
        parts.append("</table>")
    if shown and listed:
        parts.append(f'<h3>{say(lang, "findings")}</h3><ol class="findings">')
        for s in shown:
            f = s.finding
            where = ""
            if audit.document is not None and f.evidence:
                where = spoken_place(locate(audit.document, f.position), lang)
            parts.append(
                f'<li><span class="tag {s.level}">{level_words(s.level, lang)}</span>'
                f'<a href="#{prefix}-{s.id}">{escape(where)}</a> '
                f'<code class="rule">[{escape(f.rule)}]</code> {escape(f.message)}</li>'
            )
        parts.append("</ol>")
    elif not shown and facts is not None and not audit.errors:
        parts.append(f"<p>{say(lang, 'nothing_broken')}</p>")
    return "".join(parts)


def score_card(audit: Audit, lang: str = "zh") -> str:
    """The overall score as stated and as recomputed from the item scores."""
    total = next((f for f in audit.findings if f.rule == "total-score"), None)
    if total is not None:
        stated, expected = total.stated, total.expected or "—"
    else:
        facts = audit.facts.of("score.total") if audit.facts else []
        if not facts:
            return (
                f'<div class="card score">{say(lang, "total_score")}'
                f"<b>{say(lang, 'not_stated')}</b></div>"
            )
        stated = facts[0].value + facts[0].unit
        expected = say(lang, "not_recomputed")
    return (
        f'<div class="card score">{say(lang, "total_score_pair")}'
        f"<b>{escape(stated)} → {escape(expected)}</b></div>"
    )


def note_html(doc: Document, s: Shown, prefix: str, lang: str = "zh") -> str:
    f = s.finding
    first = f.evidence[0] if f.evidence else None
    head = (
        f'<span class="tag {s.level}">{level_words(s.level, lang)}</span>'
        f'<code class="rule">[{escape(f.rule)}]</code> '
    )
    if first is not None:
        head += (
            f'<a class="message" href="#{span_id(prefix, first.start, first.end)}">'
            f"{escape(f.message)}</a>"
        )
    else:
        head += escape(f.message)
    parts = [f'<aside class="note {s.level}" id="{prefix}-{s.id}">{head}']
    if f.stated or f.expected:
        parts.append(
            f'<div class="values">{say(lang, "stated_arrow")}<span class="stated">{escape(f.stated)}</span>'
            f'{say(lang, "should_arrow")}<span class="expected">{escape(f.expected)}</span>'
            f"{say(lang, 'paren', x=say(lang, HOLDS_KEYS[f.holds]))}</div>"
        )
    explanation = f.detail.get("explanation", "")
    code = f.detail.get("reason", "")
    reason = say(lang, f"reason_{code}") if code in REASONS else ""
    why = explanation or reason
    if why:
        parts.append(f'<div class="why">{escape(why)}</div>')
    inputs = [ev for ev in f.evidence[1:] if ev.end > ev.start]
    if inputs or s.cited:
        parts.append('<ul class="inputs">')
        parts += [f"<li>{say(lang, 'evidence')}{escape(c)}</li>" for c in s.cited]
        for ev in inputs:
            place = spoken_place(locate(doc, ev.start), lang)
            parts.append(
                f'<li>{say(lang, "evidence")}<a href="#{span_id(prefix, ev.start, ev.end)}">{escape(place)}'
                f"</a> “{escape(excerpt(doc, ev.start, ev.end))}”</li>"
            )
        parts.append("</ul>")
    parts.append("</aside>")
    return "".join(parts)


def text_html(doc: Document, shown: list[Shown], prefix: str, lang: str = "zh") -> str:
    """The document line by line, the flagged figures marked, each note under its line."""
    text = doc.text
    stated: dict[tuple[int, int], list[Shown]] = {}
    inputs: set[tuple[int, int]] = set()
    for s in shown:
        for i, ev in enumerate(s.finding.evidence):
            a, b = max(0, ev.start), min(len(text), ev.end)
            if b <= a:
                continue
            if i == 0:
                stated.setdefault((a, b), []).append(s)
            else:
                inputs.add((a, b))
    notes_at: dict[int, list[Shown]] = {}
    for (a, _b), group in stated.items():
        line_end = doc.line_bounds(a)[1]
        notes_at.setdefault(line_end, []).extend(group)
    spans = sorted(set(stated) | inputs)
    cuts = sorted({0, len(text)} | {p for sp in spans for p in sp} | line_breaks(text))
    out: list[str] = ['<div class="text">']
    line_start = 0
    body: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        segment = text[a:b]
        if segment == "\n":
            out.append(line_html(doc, line_start, body))
            out += notes_for(doc, notes_at.get(a, []), prefix, lang)
            body, line_start = [], b
            continue
        body.append(segment_html(segment, a, b, spans, stated, inputs, prefix, lang))
    out.append(line_html(doc, line_start, body))
    out += notes_for(doc, notes_at.get(len(text), []), prefix, lang)
    out.append("</div>")
    return "".join(out)


def line_breaks(text: str) -> set[int]:
    cuts: set[int] = set()
    i = text.find("\n")
    while i >= 0:
        cuts |= {i, i + 1}
        i = text.find("\n", i + 1)
    return cuts


def notes_for(doc: Document, group: list[Shown], prefix: str, lang: str = "zh") -> list[str]:
    return [note_html(doc, s, prefix, lang) for s in sorted(group, key=lambda s: s.number)]


def line_html(doc: Document, start: int, body: list[str]) -> str:
    place = locate(doc, start) if doc.origins else {"line": 0}
    number = f"{place['page']}:{place['line']}" if "box" in place else str(place.get("line", ""))
    content = "".join(body) or "&#8203;"
    row = " row" if " | " in content else ""
    return f'<div class="line{row}"><span class="no">{escape(number)}</span><span class="body">{content}</span></div>'


def segment_html(
    segment: str,
    a: int,
    b: int,
    spans: list[tuple[int, int]],
    stated: dict[tuple[int, int], list[Shown]],
    inputs: set[tuple[int, int]],
    prefix: str,
    lang: str = "zh",
) -> str:
    covering = [sp for sp in spans if sp[0] <= a and b <= sp[1]]
    inner = escape(segment).replace(" | ", '<span class="sep"> | </span>')
    if not covering:
        return inner
    starting = [sp for sp in covering if sp[0] == a]
    anchors = [span_id(prefix, *sp) for sp in starting]
    flagged = [s for sp in covering if sp in stated for s in stated[sp]]
    if flagged:
        best = min(flagged, key=lambda s: (RANK[s.level], s.number))
        lv = best.level
        classes = lv + (" ev" if any(sp in inputs for sp in covering) else "")
        title = say(lang, "list_sep").join(
            f"{level_words(s.level, lang)}[{s.finding.rule}] {s.finding.message}" for s in flagged
        )
        own_id = f' id="{anchors[0]}"' if anchors else ""
        extra = "".join(f'<a id="{x}"></a>' for x in anchors[1:])
        return (
            f'{extra}<mark class="{classes}"{own_id} title="{escape(title)}">'
            f'<a class="ref" href="#{prefix}-{best.id}">{inner}</a></mark>'
        )
    own_id = f' id="{anchors[0]}"' if anchors else ""
    extra = "".join(f'<a id="{x}"></a>' for x in anchors[1:])
    return f'{extra}<span class="ev"{own_id}>{inner}</span>'


def document_html(
    audit: Audit, index: int, show_all: bool, lang: str = "zh", excerpts: bool = False
) -> str:
    """One document's section: the summary, then its whole text with the notes, or (`excerpts`)
    only each finding's line with its note."""
    prefix = f"d{index}"
    findings = [f for f in audit.findings if show_all or f.holds is False]
    shown = [shown_finding(audit, i + 1, f, lang) for i, f in enumerate(findings)]
    facts = audit.facts
    code = facts.kind if facts else "unknown"
    kind = say(lang, KIND_KEYS[code]) if code in KIND_KEYS else code
    meta = [kind]
    if facts is not None and facts.year:
        meta.append(say(lang, "year", year=facts.year))
    if audit.document is not None:
        meta.append(say(lang, "pages", pages=audit.document.pages))
        if audit.document.ocr_pages:  # scanned pages: their figures are to be checked by eye
            listed = say(lang, "page_sep").join(map(str, audit.document.ocr_pages))
            meta.append(say(lang, "ocr_meta", pages=listed))
    if audit.rules_version:
        meta.append(say(lang, "rules", version=audit.rules_version))
    parts = [
        f'<section class="document" id="{prefix}">',
        f"<h2>{escape(audit.path)}</h2>",
        f'<div class="meta">{escape(" · ".join(meta))}</div>',
    ]
    if audit.errors:
        parts.append('<ul class="errors">')
        parts += [f"<li>{escape(say(lang, 'cannot_read', error=e))}</li>" for e in audit.errors]
        parts.append("</ul>")
    if audit.document is not None:
        parts.append(summary_html(audit, shown, prefix, lang, listed=not excerpts))
        body = excerpts_html if excerpts else text_html
        parts.append(body(audit.document, shown, prefix, lang))
    parts.append("</section>")
    return "\n".join(parts)


def shown_finding(audit: Audit, number: int, f: Finding, lang: str = "zh") -> Shown:
    """A finding as this document's section shows it: evidence in another file of the unit is
    named with its file and place instead of marked in this text."""
    own = tuple(ev for ev in f.evidence if not is_foreign(audit, ev))
    cited = []
    for ev in f.evidence:
        source = evidence_document(audit, ev) if is_foreign(audit, ev) else None
        if source is not None and ev.end > ev.start:
            place = spoken_place(locate(source, ev.start), lang)
            cited.append(f"{ev.path} {place} “{excerpt(source, ev.start, ev.end)}”")
    return Shown(number, replace(f, evidence=own), level(f), tuple(cited))


def render_fragment(audit: Audit, index: int, lang: str = "zh") -> str:
    """One document's section without the page around it (auditor serve shows several on its
    own page, styled by CSS): the summary, then each finding under its source line."""
    return document_html(audit, index, False, lang, excerpts=True)


def excerpts_html(doc: Document, shown: list[Shown], prefix: str, lang: str = "zh") -> str:
    """Each finding as the full text would show it, under its own line only."""
    if not shown:
        return ""
    parts = [f'<h3>{say(lang, "findings")}</h3><div class="text excerpts">']
    for s in shown:
        parts.append(excerpt_line_html(doc, s, prefix, lang))
        parts.append(note_html(doc, s, prefix, lang))
    parts.append("</div>")
    return "".join(parts)


def excerpt_line_html(doc: Document, s: Shown, prefix: str, lang: str = "zh") -> str:
    """The line a finding's stated figure stands on, cut to EXCERPT_REACH characters around the
    figure (a DOCX paragraph is one line), its figures marked as in the full text."""
    evidence = [ev for ev in s.finding.evidence if ev.end > ev.start]
    if not evidence or evidence[0] is not s.finding.evidence[0]:
        return ""
    first = evidence[0]
    line_start, line_end = doc.line_bounds(first.start)
    start = max(line_start, first.start - EXCERPT_REACH)
    end = min(line_end, first.end + EXCERPT_REACH)
    for ev in evidence[1:]:  # a figure the cut would halve is shown whole
        if line_start <= ev.start < end and start < ev.end <= line_end:
            start, end = min(start, ev.start), max(end, ev.end)
    stated = {(first.start, min(first.end, line_end)): [s]}
    inputs = {(ev.start, ev.end) for ev in evidence[1:] if start <= ev.start and ev.end <= end}
    spans = sorted(set(stated) | inputs)
    cuts = sorted({start, end} | {p for sp in spans for p in sp if start <= p <= end})
    body = ["…"] if start > line_start else []
    body += [
        segment_html(doc.text[a:b], a, b, spans, stated, inputs, prefix, lang)
        for a, b in zip(cuts, cuts[1:], strict=False)
    ]
    if end < line_end:
        body.append("…")
    return line_html(doc, first.start, body)  # numbered where the figure stands


def render_html(audits: list[Audit], version: str, show_all: bool = False, lang: str = "zh") -> str:
    broken = [f for a in audits for f in a.findings if f.holds is False]
    errors = sum(1 for f in broken if f.severity == "error")
    warnings = sum(1 for f in broken if f.severity == "warning")
    heading = say(lang, "page_title")
    title = heading
    if len(audits) == 1:
        title = say(lang, "file_title", path=audits[0].path)
    toc = ""
    if len(audits) > 1:
        items = "".join(
            f'<li><a href="#d{i}">{escape(a.path)}</a>'
            + say(
                lang,
                "toc_counts",
                errors=sum(1 for f in a.findings if f.holds is False and f.severity == "error"),
                warnings=sum(1 for f in a.findings if f.holds is False and f.severity == "warning"),
            )
            + "</li>"
            for i, a in enumerate(audits)
        )
        toc = f"<ol>{items}</ol>"
    body = "\n".join(document_html(a, i, show_all, lang) for i, a in enumerate(audits))
    counts = say(lang, "page_counts", files=len(audits), errors=errors, warnings=warnings)
    counts += say(lang, "with_holding") if show_all else ""
    footer = escape(say(lang, "footer", version=version))
    return f"""<!DOCTYPE html>
<html lang="{say(lang, "html_lang")}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{escape(title)}</title>
<style>{CSS}</style>
</head>
<body>
<header class="page">
<h1>{escape(heading)}</h1>
<div>{counts}</div>
{toc}
</header>
{body}
<footer>{footer}</footer>
</body>
</html>
"""
