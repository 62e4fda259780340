"""Generate a synthetic folder tree of reports with planted slips, for `auditor scan`.

    python benchmarks/make_tree.py OUT [-n 500] [--seed 0]

writes OUT/reports/<省>/<批次>/<file> and OUT/expected.json: for every file (its path relative
to OUT/reports) the rule ids that must fire on it, or "unreadable" for a broken file.

The files come from the fixtures, nothing else:
- .txt: one of the consistent reports (fixtures/{dept,project,table}-consistent/report.txt)
  with one figure changed by a random case of its mutations.yaml (the case's `fires` must fire;
  cases marked xfail are skipped); about one in ten is left clean (nothing must fire). A short
  closing line with a random serial (Chinese characters, no figures) makes every file unique.
- .docx / .xlsx / .pdf: a form of fixtures/forms/*/ copied as it is; its expected.yaml slips
  (without xfail) must fire.
- broken files: random bytes named .pdf, a .docx cut short, an empty .txt.
Scan OUT/reports and check the database with benchmarks/check_tree.py.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CONSISTENT = ("dept-consistent", "project-consistent", "table-consistent")
FORM_FORMATS = ("docx", "xlsx", "pdf")
PROVINCES = ("安徽", "湖南", "云南", "广西", "四川", "甘肃", "江西", "河北")
SERIAL_CHARS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
PER_FOLDER = 40
CLEAN_SHARE = 0.1  # of the .txt reports, left without a slip
FORM_SHARE = 0.25  # of all reports, form copies (docx/xlsx/pdf)


@dataclass(frozen=True, slots=True)
class Mutation:
    fixture: str
    id: str
    find: str
    replace: str
    fires: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Form:
    name: str
    path: Path
    fires: tuple[str, ...]


def load_mutations() -> tuple[dict[str, str], list[Mutation]]:
    texts: dict[str, str] = {}
    cases: list[Mutation] = []
    for name in CONSISTENT:
        text = (FIXTURES / name / "report.txt").read_text(encoding="utf-8")
        texts[name] = text
        data = yaml.safe_load((FIXTURES / name / "mutations.yaml").read_text(encoding="utf-8"))
        for case in data:
            if case.get("xfail") or text.count(case["find"]) != 1:
                continue
            cases.append(
                Mutation(name, case["id"], case["find"], case["replace"], tuple(case["fires"]))
            )
    return texts, cases


def load_forms() -> list[Form]:
    forms = []
    for folder in sorted((FIXTURES / "forms").iterdir()):
        expected = folder / "expected.yaml"
        if not expected.is_file():
            continue
        data = yaml.safe_load(expected.read_text(encoding="utf-8")) or {}
        fires = tuple(sorted({s["rule"] for s in data.get("slips") or [] if "xfail" not in s}))
        for fmt in FORM_FORMATS:
            path = folder / f"report.{fmt}"
            if path.is_file():
                forms.append(Form(f"{folder.name}-{fmt}", path, fires))
    return forms


def serial(rng: random.Random) -> str:
    return "".join(rng.choice(SERIAL_CHARS) for _ in range(8))


def folder_for(i: int) -> Path:
    return Path(PROVINCES[(i // PER_FOLDER) % len(PROVINCES)]) / f"批次{i // PER_FOLDER:03d}"


def make_tree(out: Path, n: int, seed: int = 0, broken: int | None = None) -> dict[str, object]:
    """Write n reports (plus the broken files) under out/reports; return expected.json's content."""
    rng = random.Random(seed)
    texts, mutations = load_mutations()
    forms = load_forms()
    reports = out / "reports"
    if reports.exists():
        shutil.rmtree(reports)
    expected: dict[str, object] = {}

    def put(i: int, name: str, data: bytes, fires: object) -> None:
        rel = folder_for(i) / f"{i:05d}-{name}"
        target = reports / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        expected[rel.as_posix()] = fires

    for i in range(n):
        if forms and rng.random() < FORM_SHARE:
            form = rng.choice(forms)
            put(i, f"{form.name}{form.path.suffix}", form.path.read_bytes(), list(form.fires))
            continue
        closing = f"\n\n报送说明：本报告为批量核对样本，编号{serial(rng)}。\n"
        if rng.random() < CLEAN_SHARE:
            name = rng.choice(CONSISTENT)
            text = texts[name].rstrip("\n") + closing
            put(i, f"{name}-clean.txt", text.encode("utf-8"), [])
            continue
        case = rng.choice(mutations)
        text = texts[case.fixture].replace(case.find, case.replace).rstrip("\n") + closing
        put(i, f"{case.fixture}-{case.id}.txt", text.encode("utf-8"), sorted(set(case.fires)))

    count = max(1, n // 200) if broken is None else broken
    docx = next((f.path for f in forms if f.path.suffix == ".docx"), None)
    for j in range(count):
        i = n + 3 * j
        put(i, "broken-random.pdf", rng.randbytes(rng.randint(200, 5000)), "unreadable")
        if docx is not None:
            data = docx.read_bytes()
            put(i + 1, "broken-truncated.docx", data[: len(data) // 3], "unreadable")
        put(i + 2, "broken-empty.txt", b"", "unreadable")

    (out / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="writes OUT/reports/… and OUT/expected.json")
    parser.add_argument("-n", type=int, default=500, help="reports (default 500)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--broken", type=int, help="broken files of each kind (default n/200)")
    args = parser.parse_args(argv)
    expected = make_tree(args.out, args.n, args.seed, args.broken)
    unreadable = sum(1 for v in expected.values() if v == "unreadable")
    slips = sum(1 for v in expected.values() if isinstance(v, list) and v)
    print(
        f"{len(expected)} files under {args.out / 'reports'}: {slips} with planted slips, "
        f"{len(expected) - slips - unreadable} clean, {unreadable} broken; "
        f"expected results in {args.out / 'expected.json'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
