"""Where the built-in `rules/` and `schemas/` folders are: inside an installed wheel, or beside a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """The folder `name` ("rules" or "schemas"): the wheel's copy if installed, else the checkout's."""
    installed = _PACKAGE / "_builtin" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name
