"""Counting the calls of a real function, to show that a value is worked out once and not once per rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


def counting(monkeypatch: pytest.MonkeyPatch, target: str) -> list[object]:
    """Count the calls of the real function at `target` (module.name); returns the list of first arguments."""
    module_name, _, name = target.rpartition(".")
    module = __import__(module_name, fromlist=[name])
    real: Callable[..., Any] = getattr(module, name)
    calls: list[object] = []

    def counted(*args: Any) -> Any:
        calls.append(args[0])
        return real(*args)

    monkeypatch.setattr(module, name, counted)
    return calls
