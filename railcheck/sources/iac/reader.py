"""What the Python and TypeScript front ends share: scopes of names, and the steps of reading a program.

Owns: `_Scope` and `_Binding` (every place a name is bound, so that a name bound more than once, in a loop
or by an import is known as such); and `_Reader`, the base of both front ends, which resolves a name to the
value it is bound to (once, memoised, refusing names that are changed or refer to themselves), reads the
program functions a file defines and what they return, and reports SDK functions the file forgot to
import. A front end supplies the syntax: positions (`span`), binding, scanning and evaluation (`ev`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from railcheck.sources.iac.settings import _Back
from railcheck.sources.iac.values import _DYNAMIC, _RESOURCE_KINDS, IacFile, _copy_at, _Res, _Unk, _V

_DEFINE = frozenset({"define_railway", "defineRailway", "define"})
# Methods that change a list, dict or set in place (Python's and JavaScript's): a name they are called on is
# not bound to a literal any more.
_MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault", "pop", "popitem", "remove", "clear",
                       "sort", "reverse", "add", "discard", "push", "unshift", "shift", "splice", "fill", "set",
                       "delete", "copyWithin", "__setitem__"})

_N = TypeVar("_N")  # a front end's syntax node for a program function
# Calls of the file's own helper functions followed in one file: helpers calling helpers could otherwise
# multiply the work (`a() { return [b(), b()] }`, `b() { return [c(), c()] }`, ...).
_MAX_HELPER_CALLS = 2_000


class _Scope:
    """Names bound in one scope (the module, or the program function), each with every place that binds it."""

    __slots__ = ("label", "bindings", "parent", "star")

    def __init__(self, label: str, parent: _Scope | None) -> None:
        self.label = label
        self.bindings: dict[str, list[_Binding]] = {}
        self.parent = parent
        self.star = False  # `from railway_sdk import *`

    def add(self, name: str, binding: _Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def find(self, name: str) -> tuple[_Scope, list[_Binding]] | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.bindings:
                return scope, scope.bindings[name]
            scope = scope.parent
        return None

    def is_sdk_module(self, name: str) -> bool:
        """Whether `name` is bound once here (or further out) to the SDK module (`import railway_sdk as r`)."""
        found = self.find(name)
        return found is not None and len(found[1]) == 1 and found[1][0].kind == "sdkmodule"


def _sdk_binding(bindings: list[_Binding]) -> str | None:
    """The SDK function a name is bound to, when every binding of it is the same SDK import."""
    names = {str(b.node) if b.kind == "sdk" else None for b in bindings}
    return names.pop() if len(names) == 1 and None not in names else None


@dataclass(slots=True)
class _Binding:
    kind: str  # "assign" | "value" | "sdk" | "sdkmodule" | "other"
    node: object  # assign: the value expression; value: a helper's argument, already read; sdk: the SDK function name
    why: str | None  # assign: the compound statement it sits in, if any; other: why it is not static
    line: int


class _Reader(Generic[_N]):
    """The steps of reading one IaC file that do not depend on its language; a front end subclasses it."""

    # How a front end words its messages (set by each subclass).
    BOUND = ""  # the verb for binding a name: "assigned", "declared"
    SDK_FUNCTION = ""  # what an SDK import is called: "the railway_sdk function"
    NO_PROGRAM = ""  # the problem when the file defines no program
    MANY_PROGRAMS = ""  # the problem when it defines more than one

    def __init__(self, text: str, python: bool) -> None:
        self.text = text
        self.back = _Back(python=python)
        self.module = _Scope("the module", None)
        self.mutated: dict[str, str] = {}
        # Keyed by the scope itself (hashed by identity), never by id(): a program's scope is freed once read,
        # and the next program's scope may get its address, and with it the first program's values.
        self.resolving: set[tuple[_Scope, str]] = set()
        self.memo: dict[tuple[_Scope, str], _V] = {}
        self.programs: list[_N] = []
        self.program_ids: set[int] = set()
        self.undeclared: dict[str, tuple[int, int]] = {}
        self.helpers_running: set[int] = set()
        self.helper_calls_left = _MAX_HELPER_CALLS

    def span(self, node: Any) -> tuple[int, int]:
        raise NotImplementedError

    def ev(self, node: Any, scope: _Scope, depth: int) -> _V:
        raise NotImplementedError

    def read_program(self, program: _N) -> None:
        raise NotImplementedError

    # names

    def bound_value(self, name: str, scope: _Scope, depth: int, start: int, end: int) -> _V:
        """The value of the name `name` used at start:end, or why it has none that can be read."""
        found = scope.find(name)
        if found is None:
            return _Unk(f"uses the name {name}, which is not defined in this file", start, end)
        owner, bindings = found
        if len(bindings) > 1:
            lines = ", ".join(str(b.line) for b in bindings[:4])
            return _Unk(f"uses the name {name}, which is {self.BOUND} more than once (lines {lines})", start, end)
        binding = bindings[0]
        if binding.kind == "value":  # a helper's parameter: where the argument is written is the place to point at
            return copy.copy(binding.node)  # type: ignore[arg-type]
        if binding.kind in ("sdk", "sdkmodule"):
            return _Unk(f"is {self.SDK_FUNCTION} {name}, not a value", start, end)
        if binding.kind != "assign":
            return _Unk(f"uses the name {name}, which {binding.why}", start, end)
        if binding.why is not None:
            return _Unk(f"uses the name {name}, which is {self.BOUND} {binding.why}", start, end)
        if name in self.mutated:
            return _Unk(f"uses the name {name}, which {self.mutated[name]}", start, end)
        key = (owner, name)
        if key in self.resolving:
            return _Unk(f"uses the name {name}, which refers to itself", start, end)
        value = self.memo.get(key)
        if value is None:  # memoised: `B = [A, A]; C = [B, B]; ...` must not cost 2**n evaluations
            self.resolving.add(key)
            try:
                value = self.ev(binding.node, owner, depth + 1)
            finally:
                self.resolving.discard(key)
            self.memo[key] = value
        return _copy_at(value, start, end, name)

    def attribute_read(self, chain: list[str], base: str | None, target: _V | None, written: str, start: int,
                       end: int) -> _Unk:
        """Reading `chain` (attribute names, "[...]" for an index) off `base`, which is bound to `target`."""
        if chain[:1] == ["env"] and isinstance(target, _Res):
            return _Unk(f"is a reference to a variable of {target.callee}(...) {base}, resolved by Railway",
                        start, end)
        if chain[:1] == ["shared"]:
            return _Unk("is a shared variable reference, resolved by Railway", start, end)
        return _Unk(f"reads {written}", start, end)

    @staticmethod
    def helper_call(kind: str, start: int, end: int) -> _Unk:
        """A call of an SDK function that makes neither a resource nor a source: what it stands for."""
        if kind == "ref":
            return _Unk("is a reference to another resource's variable, resolved by Railway", start, end)
        if kind == "preserve":
            return _Unk("is preserve(): Railway keeps the value it already holds", start, end)
        return _Unk(f"calls {kind}", start, end)

    def check_dynamic(self, kind: str | None, context: str | None, node: Any) -> None:
        """A resource made `context` (in a loop, a function railcheck does not follow, ...) cannot be read."""
        if kind in _RESOURCE_KINDS and context is not None:
            self.back.problem(f"{_DYNAMIC}: {kind}(...) is called {context}", *self.span(node))

    # the file's own helper functions

    def call_helper(self, key: int, label: str, owner: _Scope, start: int, end: int,
                    read: Callable[[_Scope], _V]) -> _V:
        """A call of a helper function the file defines: `read` binds its parameters in the scope it is given
        and reads what the helper returns. Services it returns point at this call, not inside the helper."""
        if key in self.helpers_running:
            return _Unk(f"calls {label}, which calls itself", start, end)
        if self.helper_calls_left <= 0:
            return _Unk(f"calls {label} more often than railcheck follows", start, end)
        self.helper_calls_left -= 1
        scope = _Scope(label, owner)
        self.helpers_running.add(key)
        try:
            value = read(scope)
        finally:
            self.helpers_running.discard(key)
        if isinstance(value, _Res):
            value = copy.copy(value)
            value.start, value.end = start, end
        elif isinstance(value, _Unk) and not value.reason.startswith(_DYNAMIC):
            value = _Unk(f"calls {label}, whose result {value.reason}", start, end)
        return value

    # the program

    def add_program(self, program: _N, key: int) -> None:
        if key not in self.program_ids:
            self.program_ids.add(key)
            self.programs.append(program)

    def read_programs(self, project_calls: Iterator[Any]) -> None:
        """Read every program; without one, the `project(...)` calls at the top level (evaluated as they come)."""
        if not self.programs:
            self.back.problem(self.NO_PROGRAM, 0, 0)
            for call in project_calls:
                self.back.program_result(self.ev(call, self.module, 0), "the module")
            return
        if len(self.programs) > 1:
            self.back.problem(self.MANY_PROGRAMS, 0, 0)
        for program in self.programs:
            self.read_program(program)

    def read_returns(self, label: str, program: _N, returns: list[tuple[Any, Any]], scope: _Scope) -> None:
        """What `program` returns: `returns` holds each return statement and its value (None when it has none)."""
        if not returns:
            self.back.problem(f"{label} never returns project(...)", *self.span(program))
        if len(returns) > 1:
            self.back.problem(f"{label} returns in {len(returns)} places; services from every return are read",
                              *self.span(program))
        for statement, value in returns:
            if value is None:
                self.back.problem(f"{label} returns nothing here", *self.span(statement))
            else:
                self.back.program_result(self.ev(value, scope, 0), label)

    def finish(self, sdk: str, failure: str, partial_name: str) -> IacFile:
        """The result, after a problem for each SDK function used without an import from `sdk`; the file is
        partial when its module binds `partial_name`."""
        for name, (start, end) in self.undeclared.items():
            self.back.problem(f"{name} is used but never imported from {sdk}; the file would fail {failure}",
                              start, end)
        return self.back.finish(partial=partial_name in self.module.bindings)
