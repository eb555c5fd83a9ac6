"""Load rule modules by path, index rules by code, name and prefix, and resolve selections."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

from railcheck._resources import resource_dir
from railcheck.codes import engine_codes_matching
from railcheck.rule import ProjectRule, Rule, ServiceRule, built_in_rules_loading

CODE_PREFIX = re.compile(r"^[A-Za-z]{2}\d{0,3}$")

# Renamed rules: old selector -> new code. Codes are never reused.
REDIRECTS: dict[str, str] = {"duplicate-requirement": "RQ002"}


class SelectionError(ValueError):
    """A selector names no rule."""


class Registry(NamedTuple):
    """The rules a run can select, sorted by code."""

    # A named tuple, not a frozen dataclass, for the cost at import (see run.CheckSettings).

    rules: tuple[type[Rule], ...]

    def find(self, selector: str) -> type[Rule] | None:
        selector = _normal(REDIRECTS.get(selector, selector))
        for rule in self.rules:
            if selector in (rule.code, rule.name):
                return rule
        return None

    def matching(self, selector: str) -> list[type[Rule]]:
        """Rules a selector names: `ALL`, a code, a code prefix (`RP`, `RP1`) or a rule name."""
        selector = _normal(REDIRECTS.get(selector, selector))
        if selector == "ALL":
            return list(self.rules)
        found = [rule for rule in self.rules if rule.code.startswith(selector) or rule.name == selector]
        if not found and not engine_codes_matching(selector):
            raise SelectionError(
                f"{selector!r} names no rule{self._did_you_mean(selector)} (run `railcheck rules` for the list)"
            )
        return found

    def _did_you_mean(self, selector: str) -> str:
        """A hint for a selector that names nothing: the range of its code family, or the closest rule name."""
        from railcheck.codes import ENGINE_CODES
        from railcheck.suggest import closest

        codes = sorted({rule.code for rule in self.rules} | set(ENGINE_CODES))
        family = [code for code in codes if code[:2] == selector[:2].upper()]
        if family and selector[2:].isdigit():
            # A code of a known family: string similarity would pick an arbitrary neighbour, so name the range.
            return f"; the {selector[:2].upper()} codes are {family[0]} to {family[-1]}"
        names = [rule.name for rule in self.rules] + [name for name, _, _ in ENGINE_CODES.values()]
        suggestion = closest(selector, names)
        return f"; did you mean {suggestion}?" if suggestion else ""

    def select(self, select: Iterable[str] | None, extend: Iterable[str], ignore: Iterable[str]) -> list[type[Rule]]:
        chosen: dict[str, type[Rule]] = {}
        for selector in ("ALL",) if select is None else select:
            chosen.update((rule.code, rule) for rule in self.matching(selector))
        for selector in extend:
            chosen.update((rule.code, rule) for rule in self.matching(selector))
        for selector in ignore:
            for rule in self.matching(selector):
                chosen.pop(rule.code, None)
        return sorted(chosen.values(), key=lambda rule: rule.code)

    def specificity(self, selector: str) -> int:
        """How specific a selector is, for severity overrides: longer prefixes and exact names win."""
        selector = REDIRECTS.get(selector, selector)
        return 100 if self.find(selector) else len(selector)


def _normal(selector: str) -> str:
    """Codes and prefixes are upper case (`rp001` means RP001); names stay as written."""
    return selector.upper() if CODE_PREFIX.match(selector) else selector


def load_registry(extra_dirs: Iterable[Path] = ()) -> Registry:
    """Every rule in the built-in rules folder plus `extra_dirs`; raises TypeError on clashing codes or names."""
    rules: list[type[Rule]] = []
    with built_in_rules_loading():
        rules += _rules_in_folder(resource_dir("rules"), "railcheck._rules")
    for folder in extra_dirs:
        import hashlib  # extra folders only: it loads OpenSSL

        # A namespace per folder: an extra `railpack.py` is its own module, not the built-in one of that name.
        digest = hashlib.sha256(os.fsencode(os.path.abspath(folder))).hexdigest()[:12]
        rules += _rules_in_folder(folder, f"railcheck._extra_rules.f{digest}")
    _check_unique(rules)
    return Registry(tuple(sorted(rules, key=lambda rule: rule.code)))


def _rules_in_folder(folder: Path, namespace: str) -> list[type[Rule]]:
    return [
        rule
        for path in sorted(folder.glob("*.py"))
        if not path.name.startswith("_")
        for rule in _rules_in(_import_by_path(path, namespace))
    ]


def _import_by_path(path: Path, namespace: str) -> ModuleType:
    # Loaded under a private namespace so that a top-level `rules` folder never shadows another package.
    name = f"{namespace}.{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _rules_in(module: ModuleType) -> list[type[Rule]]:
    family = getattr(module, "FAMILY", None)
    found: list[type[Rule]] = []
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, (ServiceRule, ProjectRule))
            and value.__module__ == module.__name__
            and not value.__dict__.get("abstract", False)
        ):
            if family is None or not value.code.startswith(family):
                raise TypeError(f"rule {value.code} in {module.__name__} does not belong to its family {family}")
            found.append(value)
    return found


def _check_unique(rules: list[type[Rule]]) -> None:
    seen: dict[str, type[Rule]] = {}
    for rule in rules:
        for key in (rule.code, rule.name):
            if key in seen and seen[key] is not rule:
                raise TypeError(f"rules {seen[key].__qualname__} and {rule.__qualname__} share {key!r}")
            seen[key] = rule
