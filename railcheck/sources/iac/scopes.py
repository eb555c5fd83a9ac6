"""Scopes of names in an IaC file, the same for both front ends.

Owns: `Scope` (the names bound in the module or in one function, looked up outwards) and `Binding` (one
place that binds a name, and how), kept as a list per name so that a name bound more than once, in a loop
or by an import is known as such; and which SDK function a name stands for.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Binding:
    """One place that binds a name: how (`kind`), to what (`node`), and what makes it not static (`why`)."""

    kind: str  # "assign" | "value" | "sdk" | "sdkmodule" | "other"
    node: object  # assign: the value expression; value: a helper's argument, already read; sdk: the SDK function name
    why: str | None  # assign: the compound statement it sits in, if any; other: why it is not static
    line: int


class Scope:
    """Names bound in one scope (the module, a program function, one call of a helper), each with every place
    that binds it."""

    __slots__ = ("bindings", "label", "parent", "star")

    def __init__(self, label: str, parent: Scope | None) -> None:
        self.label = label
        self.bindings: dict[str, list[Binding]] = {}
        self.parent = parent
        self.star = False  # `from railway_sdk import *`

    def add(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def find(self, name: str) -> tuple[Scope, list[Binding]] | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.bindings:
                return scope, scope.bindings[name]
            scope = scope.parent
        return None

    def is_sdk_module(self, name: str) -> bool:
        """Whether `name` is bound once here (or further out) to the SDK module (`import railway_sdk as r`)."""
        found = self.find(name)
        return found is not None and len(found[1]) == 1 and found[1][0].kind == "sdkmodule"


def bound_sdk_function(bindings: list[Binding]) -> str | None:
    """The SDK function a name is bound to, when every binding of it is the same SDK import."""
    names = {str(b.node) if b.kind == "sdk" else None for b in bindings}
    return names.pop() if len(names) == 1 and None not in names else None
