"""Shared test helpers: paths to fixtures, and auditing text with crashing rules re-raised."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.model import Audit
from auditor.pipeline import Options, audit_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED = FIXTURES / "seed" / "report.txt"
STRICT = Options(strict=True)


def broken(audit: Audit) -> list:
    """Findings about relations that do not hold (errors and warnings)."""
    return [f for f in audit.findings if f.holds is False and f.severity in ("error", "warning")]


@pytest.fixture
def check_text():
    def run(text: str, **options) -> Audit:
        return audit_text(text, Options(strict=True, **options))

    return run
