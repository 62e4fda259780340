"""The seed report's whole JSON document (facts and findings) against its reviewed golden copy.
Regenerate with tests/golden/regenerate.py and review the diff; never edit the golden by hand."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "golden"
spec = importlib.util.spec_from_file_location("regenerate", HERE / "regenerate.py")
regenerate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(regenerate)


@pytest.mark.parametrize("relative,name", sorted(regenerate.GOLDEN.items()))
def test_golden_document(relative: str, name: str) -> None:
    expected = json.loads((HERE / name).read_text(encoding="utf-8"))
    actual = json.loads(regenerate.golden_json(relative))
    assert actual["findings"] == expected["findings"]
    assert actual["facts"] == expected["facts"]
    assert actual == expected
