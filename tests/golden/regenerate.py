"""Regenerate the golden outputs: python3 tests/golden/regenerate.py (then review the diff)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from auditor import __version__  # noqa: E402
from auditor.pipeline import Options, audit_file  # noqa: E402
from auditor.render.json import render_json  # noqa: E402

# Fixture report → golden file. Paths in the output are relative to the repository root.
GOLDEN = {"fixtures/seed/report.txt": "seed.json"}


def golden_json(relative: str) -> str:
    audit = audit_file(ROOT / relative, Options(strict=True))
    payload = json.loads(render_json([audit], __version__))
    document = payload["documents"][0]
    document["path"] = relative
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    for relative, name in GOLDEN.items():
        (HERE / name).write_text(golden_json(relative), encoding="utf-8")
        print(f"wrote tests/golden/{name}")


if __name__ == "__main__":
    main()
