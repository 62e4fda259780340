"""Rule files: load, validate (file:line errors with the allowed values), select."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from auditor.checks.bandtables import TableError, parse_tables
from auditor.model import CONCEPTS

SEVERITIES = ("error", "warning", "info")
COMMON_KEYS = {
    "id",
    "kind",
    "title",
    "title_en",
    "severity",
    "source",
    "examples",
    "enabled",
    "formula",
    "tolerance",
}
# kind → {parameter: required?}
KIND_PARAMS: dict[str, dict[str, bool]] = {
    "ratio": {
        "stated": True,
        "numerator": True,
        "denominator": True,
        "percent": False,
        "fallback_parts": False,
        "alternatives": False,
    },
    "sum": {"total": True, "parts": True},
    "at-most": {"value": True, "limit": True},
    "difference": {"result": True, "base": True, "change": True},
    "execution-score": {
        "stated": True,
        "rate": True,
        "numerator": False,
        "denominator": False,
        "weight": False,
    },
    "indicator-score": {"mode": True},
    "completion": {},
    "score-cap": {},
    "qualitative": {},
    "level1-weights": {},
    "deviation-note": {},
    "execution-explained": {},
    "total": {"total": True, "parts": True},
    "weights": {"total": False, "parts": True},
    "grade": {"total": True},
    "total-range": {"total": True},
    "count": {},
    "breakdown": {},
    "repeat": {"concepts": True, "message": False},
    "subject-sum": {"total": True, "items": True, "count": False},
    "split-repeat": {},
    "label": {},
    "year": {},
    "filing-date": {},
    "unit-name": {},
    # 部门整体 framework (DOMAIN.md rules 23, 24, 27) and the bands a report states itself
    "change-rate": {"stated": True, "current": True, "previous": True, "alternatives": False},
    "banded-score": {},
    "rescale": {"total": True},
    "stated-settings": {},
    # across a unit's documents (rules/unit.yaml only)
    "project-listed": {},
    "restated": {"listed": True, "table": True, "alternatives": False},
    "unit-sum": {"total": True, "items": True, "listed": False, "count": False},
    # a 绩效目标表 against the 自评表 of its project (DOMAIN.md rule 28)
    "target-match": {"table": True},
    "target-listed": {"table": True, "items": True},
}
UNIT_KINDS = frozenset({"project-listed", "restated", "unit-sum", "target-match", "target-listed"})
UNIT_REPORT_KIND = "unit"  # the report_kind of the cross-document rule file
SETTING_KEYS = {
    "total_points",
    "exec_weight",
    "grade_bands",
    "year_window",
    "qualitative_bands",
    "level1_weights",
    "explain_below",
    "score_bands",
    "rule_params",
    "name_overlap",
}
DEFAULT_SETTINGS: dict[str, Any] = {
    "total_points": Decimal(100),
    "exec_weight": Decimal(10),
    "grade_bands": [
        (Decimal(90), "优"),
        (Decimal(80), "良"),
        (Decimal(60), "中"),
        (Decimal(0), "差"),
    ],
    "year_window": 1,
    "qualitative_bands": [Decimal("0.8"), Decimal("0.6")],
    "level1_weights": {"产出": Decimal(50), "效益": Decimal(30), "满意度": Decimal(10)},
    "explain_below": None,  # an execution rate under this share needs a stated reason (四川 0.90)
    "score_bands": [],  # band tables for department scores (checks/bandtables.py; 湖南)
    "rule_params": {},  # rule id → concepts replacing the rule's own (a region's formula base)
    "name_overlap": 6,  # project names match when one contains the other in this many characters
}
DISABLED = "disabled"  # origin of a rule switched off with enabled: false
RULES_DIR_IN_PACKAGE = Path(__file__).resolve().parent.parent / "rules"
RULES_DIR_IN_SOURCE = Path(__file__).resolve().parent.parent.parent / "rules"


class RuleFileError(Exception):
    """A rule file that cannot be used: names the file, the line and the rule."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kind: str
    title: str
    severity: str
    params: dict[str, Any]
    source: str = ""
    formula: str = ""
    tolerance: str = ""
    examples: dict[str, list[str]] = field(default_factory=dict)
    origin: str = ""  # file:line
    title_en: str = ""  # the English title (--lang en); a rule file without one gets the id


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    settings: dict[str, Any]
    report_kind: str = ""
    version: str = ""
    profile: str = ""  # the regional profile whose settings were applied (rules/profiles/)


class LineLoader(yaml.SafeLoader):
    """Records the line of every mapping, so that errors can say where a rule stands."""


def construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)


def rules_dir() -> Path:
    """rules/ inside the installed package, else beside the package in a source checkout."""
    return RULES_DIR_IN_PACKAGE if RULES_DIR_IN_PACKAGE.is_dir() else RULES_DIR_IN_SOURCE


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=LineLoader)  # noqa: S506 (SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise RuleFileError(
            f"{path}{line}: YAML 格式错误：{getattr(exc, 'problem', exc)}"
        ) from None
    except OSError as exc:
        raise RuleFileError(f"{path}: 无法读取规则文件：{exc.strerror}") from None
    if not isinstance(data, dict):
        raise RuleFileError(f"{path}:1: 规则文件应为映射（report_kind/settings/rules）")
    return data


def key_line(path: Path, key: str) -> int:
    """The line of a top-level key (top-level keys stand at column 0 in block YAML); 1 if not found."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    return next(
        (n for n, text in enumerate(lines, start=1) if text.startswith((f"{key}:", f'"{key}":'))), 1
    )


def nested_key_line(path: Path, key: str, after: int | str) -> int | str:
    """The line of `key` inside a block mapping starting at line `after` (that line if not found)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return after
    start = after if isinstance(after, int) else 1
    for n, text in enumerate(lines[start - 1 :], start=start):
        stripped = text.lstrip(" {,")
        if stripped.startswith((f"{key}:", f'"{key}":')):
            return n
    return after


def check_keys(
    where: str, rule_id: str, keys: set[str], allowed: set[str], required: set[str]
) -> None:
    unknown = sorted(keys - allowed)
    if unknown:
        raise RuleFileError(
            f"{where}: 规则 {rule_id}: 未知的键 {', '.join(unknown)}（可用：{', '.join(sorted(allowed))}）"
        )
    missing = sorted(required - keys)
    if missing:
        raise RuleFileError(f"{where}: 规则 {rule_id}: 缺少 {', '.join(missing)}")


CONCEPT_PARAMS = {
    "stated",
    "numerator",
    "denominator",
    "alternatives",
    "total",
    "parts",
    "result",
    "base",
    "change",
    "rate",
    "weight",
    "value",
    "limit",
    "items",
    "count",
    "concepts",
    "current",
    "previous",
    "listed",
    "table",
}


def check_concepts(where: str, rule_id: str, raw: dict[str, Any]) -> None:
    """Every concept a rule names must be one the interpreter can bind (model.CONCEPTS)."""
    for key in CONCEPT_PARAMS & set(raw):
        names = raw[key] if isinstance(raw[key], list) else [raw[key]]
        unknown = [n for n in names if n not in CONCEPTS]
        if unknown:
            raise RuleFileError(
                f"{where}: 规则 {rule_id}: {key} 中未知的概念 {', '.join(map(str, unknown))}"
                f"（可用：{', '.join(sorted(CONCEPTS))}）"
            )


def parse_rule(raw: Any, path: Path) -> Rule:
    if not isinstance(raw, dict):
        raise RuleFileError(f"{path}: 每条规则应为映射")
    where = f"{path}:{raw.pop('__line__', '?')}"
    rule_id = str(raw.get("id", "?"))
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise RuleFileError(
            f"{where}: 规则 {rule_id}: enabled 应为 true 或 false，而不是 {enabled!r}"
        )
    # "- {id: grade-band, enabled: false}" switches a rule off without repeating it
    if not enabled and "kind" not in raw:
        check_keys(where, rule_id, set(raw), COMMON_KEYS, {"id"})
        return Rule(rule_id, "", "", "info", {"where": where}, origin=DISABLED)
    kind = raw.get("kind")
    if kind not in KIND_PARAMS:
        raise RuleFileError(
            f"{where}: 规则 {rule_id}: 未知的 kind {kind!r}（可用：{', '.join(KIND_PARAMS)}）"
        )
    params = KIND_PARAMS[kind]
    check_keys(
        where,
        rule_id,
        set(raw),
        COMMON_KEYS | set(params),
        {"id", "kind", "title", "severity"} | {k for k, req in params.items() if req},
    )
    if raw["severity"] not in SEVERITIES:
        raise RuleFileError(
            f"{where}: 规则 {rule_id}: 未知的 severity {raw['severity']!r}（可用：{', '.join(SEVERITIES)}）"
        )
    examples = raw.get("examples") or {}
    if isinstance(examples, dict):
        examples.pop("__line__", None)
    if set(examples) - {"pass", "fail"}:
        raise RuleFileError(f"{where}: 规则 {rule_id}: examples 只能有 pass 和 fail")
    as_list = {k: v if isinstance(v, list) else [v] for k, v in examples.items()}
    check_concepts(where, rule_id, raw)
    return (
        Rule(
            id=rule_id,
            kind=kind,
            title=str(raw["title"]),
            severity=raw["severity"],
            params={k: raw[k] for k in params if k in raw},
            source=str(raw.get("source", "")),
            formula=str(raw.get("formula", "")),
            tolerance=str(raw.get("tolerance", "")),
            examples=as_list,
            origin=where,
            title_en=str(raw.get("title_en") or rule_id),
        )
        if enabled
        else Rule(rule_id, kind, "", "info", {"where": where}, origin=DISABLED)
    )


def parse_settings(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    raw = dict(raw)
    line = raw.pop("__line__", "?")
    unknown = set(raw) - SETTING_KEYS
    if unknown:
        line = nested_key_line(path, sorted(unknown)[0], line)
        raise RuleFileError(
            f"{path}:{line}: settings: 未知的键 {', '.join(sorted(unknown))}（可用：{', '.join(sorted(SETTING_KEYS))}）"
        )
    settings: dict[str, Any] = {}
    for key, value in raw.items():
        try:
            settings[key] = setting_value(key, value)
        except TableError as exc:  # a band table says which table and what is wrong with it
            raise RuleFileError(f"{path}:{exc.line or line}: settings: {key}：{exc}") from None
        except (ArithmeticError, TypeError, ValueError, AttributeError):
            raise RuleFileError(f"{path}:{line}: settings: {key} 的值无法读取：{value!r}") from None
    return settings


def setting_value(key: str, value: Any) -> Any:
    """One setting as the checks use it (Decimal for every figure); raises on a malformed value."""
    if key == "grade_bands":
        bands = [(Decimal(str(low)), str(label)) for low, label in value]
        if not bands:
            raise ValueError("no bands")
        return bands
    if key in ("total_points", "exec_weight"):
        return Decimal(str(value))
    if key == "explain_below":
        if value is None:
            return None
        share = Decimal(str(value))
        if not 0 < share <= 1:
            raise ValueError("a share of 1")
        return share
    if key == "qualitative_bands":
        return [Decimal(str(v)) for v in value]
    if key == "name_overlap":
        chars = int(value)
        if chars < 2:
            raise ValueError("too short to tell projects apart")
        return chars
    if key == "level1_weights":
        return {str(k): Decimal(str(v)) for k, v in value.items() if k != "__line__"}
    if key == "score_bands":
        return parse_tables(value, CONCEPTS)
    if key == "rule_params":
        return rule_params_value(value)
    return value


def rule_params_value(value: Any) -> dict[str, dict[str, Any]]:
    """{rule id: {parameter: concept or [concepts]}}: a region's base for a rule's formula
    (湖南: 三公经费变动率 on 预算数). Which parameters a rule takes is checked when applied."""
    params: dict[str, dict[str, Any]] = {}
    for rule_id, given in value.items():
        if rule_id == "__line__":
            continue
        given = {k: v for k, v in given.items() if k != "__line__"}
        for key, names in given.items():
            listed = names if isinstance(names, list) else [names]
            if key not in CONCEPT_PARAMS or any(n not in CONCEPTS for n in listed):
                raise ValueError(f"{rule_id}: {key}: {names!r}")
        params[str(rule_id)] = given
    return params


TOP_KEYS = ("report_kind", "extends", "settings", "rules", "version")


def load_base(path: Path, data: dict[str, Any], chain: tuple[Path, ...]) -> RuleSet:
    """The rule set a file extends (its own folder is the base of a relative name)."""
    if not data.get("extends"):
        return RuleSet((), dict(DEFAULT_SETTINGS))
    where = f"{path}:{key_line(path, 'extends')}"
    base = path.parent / str(data["extends"])
    if base.resolve() in chain:  # resolved: a/../common.yaml is common.yaml
        cycle = " → ".join(p.name for p in chain[chain.index(base.resolve()) :] + (base.resolve(),))
        raise RuleFileError(f"{where}: extends 形成循环（{cycle}）")
    if not base.is_file():
        raise RuleFileError(f"{where}: extends 的文件不存在：{base}")
    return load_file(base, chain)


def replace_rule(rules: list[Rule], rule: Rule) -> list[Rule]:
    """A kind file may replace or disable a common rule by its id; the rule keeps its place, since
    the engine's order decides which of two findings on one figure is kept (engine.drop_repeats)."""
    at = next((k for k, r in enumerate(rules) if r.id == rule.id), None)
    if at is None:
        return rules + [rule]
    return rules[:at] + [rule] + rules[at + 1 :]


def place(rule: Rule) -> str:
    """file:line of a rule, also of one that only switches another off."""
    return rule.params.get("where", rule.origin) if rule.origin == DISABLED else rule.origin


def reject_unknown_keys(path: Path, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """A top-level key the file format does not know is an error at its line, not ignored."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise RuleFileError(
            f"{path}:{key_line(path, unknown[0])}: 未知的键 {', '.join(unknown)}"
            f"（可用：{', '.join(allowed)}）"
        )


def load_file(path: Path, chain: tuple[Path, ...] = ()) -> RuleSet:
    chain = chain + (path.resolve(),)
    data = read_yaml(path)
    data.pop("__line__", None)
    reject_unknown_keys(path, data, TOP_KEYS)
    base = load_base(path, data, chain)
    settings = {**base.settings, **parse_settings(data.get("settings") or {}, path)}
    raw_rules = data.get("rules") or []
    if not isinstance(raw_rules, list):
        raise RuleFileError(f"{path}:{key_line(path, 'rules')}: rules 应为规则列表")
    rules = list(base.rules)
    local: set[str] = set()
    for raw in raw_rules:
        rule = parse_rule(raw, path)
        if rule.id in local:
            raise RuleFileError(f"{place(rule)}: 规则 {rule.id} 重复")
        local.add(rule.id)
        if rule.origin == DISABLED and rule.kind == "" and all(r.id != rule.id for r in rules):
            known = ", ".join(r.id for r in rules) or "无"
            raise RuleFileError(
                f"{place(rule)}: 规则 {rule.id}: 要停用的规则不存在（可用：{known}）"
            )
        rules = replace_rule(rules, rule)
    rules = [r for r in rules if r.origin != DISABLED]
    report_kind = str(data.get("report_kind", base.report_kind))
    check_scope(rules, report_kind)
    return RuleSet(tuple(rules), settings, report_kind, str(data.get("version", base.version)))


def check_scope(rules: list[Rule], report_kind: str) -> None:
    """Cross-document kinds compare a unit's documents and run only from the unit rule file;
    the kinds that read one document run only from the others."""
    for rule in rules:
        if (rule.kind in UNIT_KINDS) != (report_kind == UNIT_REPORT_KIND):
            allowed = (
                UNIT_KINDS if report_kind == UNIT_REPORT_KIND else set(KIND_PARAMS) - UNIT_KINDS
            )
            raise RuleFileError(
                f"{rule.origin}: 规则 {rule.id}: kind {rule.kind} 不能用于 report_kind "
                f"{report_kind or '（未写）'} 的规则文件（可用：{', '.join(sorted(allowed))}）"
            )


@cache
def load_rules(
    report_kind: str, path: str | Path | None = None, profile: str | None = None
) -> RuleSet:
    """The rule set for a report kind: from `path` (a file, or a folder of kind files), with the
    settings of the regional `profile` (rules/profiles/<name>.yaml) applied over the file's."""
    ruleset = kind_rules(report_kind, path)
    if profile:
        chosen = load_profile(profile)
        ruleset = replace(
            ruleset, settings={**ruleset.settings, **chosen.settings}, profile=chosen.name
        )
    return with_rule_params(ruleset)


def with_rule_params(ruleset: RuleSet) -> RuleSet:
    """The rules with the concepts `rule_params` gives them. A rule id this kind of report does
    not have is passed over (a department profile also applies to a project report)."""
    overrides = ruleset.settings.get("rule_params") or {}
    if not overrides:
        return ruleset
    rules = []
    for rule in ruleset.rules:
        given = overrides.get(rule.id, {})
        wrong = sorted(set(given) - set(KIND_PARAMS[rule.kind]))
        if wrong:
            raise RuleFileError(
                f"{rule.origin}: settings: rule_params: 规则 {rule.id} 没有参数 {', '.join(wrong)}"
                f"（可用：{', '.join(sorted(KIND_PARAMS[rule.kind]))}）"
            )
        rules.append(replace(rule, params={**rule.params, **given}) if given else rule)
    return replace(ruleset, rules=tuple(rules))


@cache
def load_unit_rules(path: str | Path | None = None) -> RuleSet:
    """The cross-document rules: unit.yaml in the --rules folder, else the shipped one (a single
    --rules file holds one report kind's rules, never the unit's)."""
    where = Path(path) if path else rules_dir()
    candidate = where / f"{UNIT_REPORT_KIND}.yaml"
    if not where.is_dir() or not candidate.exists():
        candidate = rules_dir() / f"{UNIT_REPORT_KIND}.yaml"
    return load_file(candidate)


def kind_rules(report_kind: str, path: str | Path | None) -> RuleSet:
    where = Path(path) if path else rules_dir()
    if where.is_file():
        return load_file(where)
    candidate = where / f"{report_kind}.yaml"
    if not candidate.exists():
        candidate = where / "common.yaml"
    if not candidate.exists():
        raise RuleFileError(f"{where}: 找不到规则文件 {report_kind}.yaml 或 common.yaml")
    return load_file(candidate)


# ---------------------------------------------------------------------------- regional profiles

PROFILE_KEYS = ("description", "source", "status", "note", "settings")
PROFILE_STATUSES = ("verified", "unverified")


@dataclass(frozen=True, slots=True)
class Profile:
    """A region's scoring rules as settings overrides (DOMAIN.md: "Configuration knobs")."""

    name: str
    description: str
    source: str
    status: str  # verified: read from the region's own rule text; unverified: assumed
    settings: dict[str, Any]
    note: str = ""


def profiles_dir() -> Path:
    return rules_dir() / "profiles"


def profile_names() -> tuple[str, ...]:
    """The profiles shipped in rules/profiles/, by file name."""
    return tuple(sorted(p.stem for p in profiles_dir().glob("*.yaml")))


@cache
def load_profile(name: str) -> Profile:
    """rules/profiles/<name>.yaml, validated like a rule file (unknown key → file:line)."""
    path = profiles_dir() / f"{name}.yaml"
    if not path.is_file():
        raise RuleFileError(
            f"{path}: 找不到地区配置 {name}（可用：{', '.join(profile_names()) or '无'}）"
        )
    return parse_profile(path)


def parse_profile(path: Path) -> Profile:
    data = read_yaml(path)
    data.pop("__line__", None)
    reject_unknown_keys(path, data, PROFILE_KEYS)
    missing = [k for k in ("description", "status", "settings") if k not in data]
    if missing:
        raise RuleFileError(f"{path}:1: 地区配置缺少 {', '.join(missing)}")
    status = data["status"]
    if status not in PROFILE_STATUSES:
        raise RuleFileError(
            f"{path}:{key_line(path, 'status')}: 未知的 status {status!r}"
            f"（可用：{', '.join(PROFILE_STATUSES)}）"
        )
    settings = data["settings"] or {}
    if not isinstance(settings, dict):
        raise RuleFileError(f"{path}:{key_line(path, 'settings')}: settings 应为映射")
    return Profile(
        name=path.stem,
        description=str(data["description"]),
        source=str(data.get("source", "")),
        status=status,
        settings=parse_settings(settings, path),
        note=str(data.get("note", "")),
    )
