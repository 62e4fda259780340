"""A scoring standard the report states about itself, against the regional profile (DOMAIN.md
`region_overrides_from_report`): the report's own standard is what its checks use; that it
differs from the profile is said, as information."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from auditor.checks.figures import Context, Verdict, plain
from auditor.checks.ruleset import Rule

WHAT = {
    "grade_bands": "等级标准",
    "qualitative_bands": "定性指标分档",
    "level1_weights": "一级指标权重",
}


def shown(key: str, value: Any) -> str:
    """A setting as a person reads it: "90分及以上优、80–90分良、…"."""
    if key == "grade_bands":
        bands = sorted(value, reverse=True)
        parts = []
        for k, (low, label) in enumerate(bands):
            high = bands[k - 1][0] if k else None
            if high is None:
                parts.append(f"{plain(low)}分及以上{label}")
            elif low == 0:
                parts.append(f"{plain(high)}分以下{label}")
            else:
                parts.append(f"{plain(low)}–{plain(high)}分{label}")
        return "、".join(parts)
    if key == "qualitative_bands":
        a, b = (plain(Decimal(x) * 100) for x in value)
        return f"达成 {a}%–100%、部分达成 {b}%–{a}%、未达成 {b}% 以下"
    return "、".join(f"{name} {plain(v)}" for name, v in value.items())


def same(key: str, stated: Any, profile: Any) -> bool:
    if key == "level1_weights":  # a report may name only some of the 一级指标
        return all(profile.get(name) == v for name, v in stated.items())
    if key == "grade_bands":
        return sorted(stated) == sorted(profile)
    return [Decimal(x) for x in stated] == [Decimal(x) for x in profile]


def check_stated_settings(rule: Rule, ctx: Context) -> list[Verdict]:
    verdicts = []
    for s in ctx.facts.stated_settings:
        profile = ctx.settings[s.key]
        holds = same(s.key, s.value, profile)
        what = WHAT.get(s.key, s.key)
        message = (
            f"报告自述{what}（{shown(s.key, s.value)}）与所选地区规范一致"
            if holds
            else f"报告自述{what}与所选地区规范不同：报告为 {shown(s.key, s.value)}；"
            f"规范为 {shown(s.key, profile)}。本报告按其自述标准核对"
        )
        verdicts.append(
            Verdict(
                holds,
                (s.start, s.end),
                ctx.text[s.start : s.end].strip(),
                shown(s.key, profile),
                message,
                (),
            )
        )
    return verdicts
