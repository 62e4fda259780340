"""docs/rules.md, made from the rule files: what each rule checks, how, why, and an example of
each outcome. `auditor rules --format md` prints it; a test keeps the committed copy in sync."""

from __future__ import annotations

from auditor.checks.ruleset import Rule, RuleSet

SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
DEFAULT_TOLERANCE = "每个数按其印出的小数位取 ±½ 个末位；人数、件数、分值、目标值为精确值"


def quoted(text: str) -> str:
    """An example as a block the Markdown keeps as it is (rows of a table included)."""
    return "\n".join("    " + line for line in text.splitlines())


def rule_section(rule: Rule) -> list[str]:
    lines = [f'<a id="{rule.id}"></a>', "", f"## `{rule.id}` — {rule.title}", ""]
    if rule.title_en:
        lines += [f"*{rule.title_en}*", ""]
    lines += [
        f"- 严重程度：{SEVERITY.get(rule.severity, rule.severity)}（`{rule.severity}`）；规则类型：`{rule.kind}`",
        f"- 公式：{rule.formula or rule.title}",
        f"- 容差：{rule.tolerance or DEFAULT_TOLERANCE}",
        f"- 依据：{rule.source or '—'}",
        "",
    ]
    for outcome, label in (("pass", "成立的例子"), ("fail", "不成立的例子")):
        for example in rule.examples.get(outcome, []):
            lines += [f"{label}：", "", quoted(example), ""]
    return lines


def rules_markdown(ruleset: RuleSet, unit: RuleSet | None = None) -> str:
    """The rules of one report kind, then (`unit`) the rules across a unit's documents."""
    text = kind_markdown(ruleset)
    if unit is None or not unit.rules:
        return text
    head = [
        "",
        "# 跨文件规则",
        "",
        "由 `rules/unit.yaml` 生成：同一单位、同一年度的部门整体支出绩效自评报告与项目支出绩效自评表之间的核对"
        f"（`auditor check` 给出多个文件时、`auditor scan` 结束时运行），共 {len(unit.rules)} 条。"
        "示例中的 `===` 行分隔各份文件。",
        "",
        "| 规则 | 严重程度 | 类型 | 标题 |",
        "|---|---|---|---|",
    ]
    head += [rule_row(r) for r in unit.rules]
    body = [line for rule in unit.rules for line in ["", *rule_section(rule)]]
    return text + "\n".join(head + body).rstrip() + "\n"


def rule_row(r: Rule) -> str:
    return (
        f"| [`{r.id}`](#{r.id}) | {SEVERITY.get(r.severity, r.severity)} | `{r.kind}` | {r.title} |"
    )


def kind_markdown(ruleset: RuleSet) -> str:
    head = [
        "# 规则一览",
        "",
        "由 `auditor rules --format md` 从 `rules/` 中的规则文件生成（请勿手工修改）。"
        f"规则集版本 {ruleset.version or '—'}，共 {len(ruleset.rules)} 条。",
        "",
        "| 规则 | 严重程度 | 类型 | 标题 |",
        "|---|---|---|---|",
    ]
    head += [rule_row(r) for r in ruleset.rules]
    body = [line for rule in ruleset.rules for line in ["", *rule_section(rule)]]
    return "\n".join(head + body).rstrip() + "\n"
