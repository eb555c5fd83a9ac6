"""Folders of the checkout the tests read: found from this file, so a test module may live at any depth."""

from __future__ import annotations

from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
FIXTURES = CHECKOUT / "tests" / "fixtures"
EXAMPLE = CHECKOUT / "examples" / "monorepo"
