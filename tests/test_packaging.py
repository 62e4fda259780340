"""A normal (non-editable) install carries the rules and the domain dictionary with it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_rules_and_dictionary(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("auditor-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"auditor/rules/{p.name}" for p in (ROOT / "rules").glob("*.yaml")}
    assert shipped and shipped <= names
    assert "auditor/interpret/data/lexicon.yaml" in names
    page = ("templates/index.html", "static/page.js", "static/page.css", "static/favicon.svg")
    assert {f"auditor/serve/{p}" for p in page} <= names  # auditor serve's page, offline
