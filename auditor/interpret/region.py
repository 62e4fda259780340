"""The region a report names in its title and first paragraphs: picks the regional profile
(rules/profiles/) whose scoring rules apply to it."""

from __future__ import annotations

import regex

HEAD = 300  # the title and the opening paragraph: where a report names its unit and region

# (profile, what the head must name); the first that fits wins.
REGIONS: tuple[tuple[str, tuple[regex.Pattern[str], ...]], ...] = (
    ("xinjiang", (regex.compile(r"新疆|乌鲁木齐"),)),
    ("sichuan", (regex.compile(r"四川"),)),
    ("hunan_dept", (regex.compile(r"湖南"), regex.compile(r"部门整体|单位整体|整体支出"))),
)


def region_profile(text: str) -> str:
    """The profile of the region the report names at its head, or "" (the national rules)."""
    head = text[:HEAD]
    for name, patterns in REGIONS:
        if all(p.search(head) for p in patterns):
            return name
    return ""
