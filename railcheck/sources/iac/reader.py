"""The steps of reading an IaC program that the Python and TypeScript front ends share.

Owns: `Reader`, the base of both front ends, which resolves a name to the value it is bound to (once,
memoised, refusing names that are changed or refer to themselves), follows calls of the file's own helper
functions (refusing recursion, within a budget), reads the program functions a file defines and what they
return, and reports SDK functions the file forgot to import. A front end supplies the syntax: positions
(`span`), evaluation (`evaluate`, in `python_expressions`/`typescript_expressions`) and the statements
(`read_program`, `follow_helper`, in `python`/`typescript`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar, cast

from railcheck.sources.iac.scopes import Scope
from railcheck.sources.iac.settings import IacFileBuilder
from railcheck.sources.iac.values import (
    BUILT_DYNAMICALLY,
    RESOURCE_KINDS,
    IacFile,
    Resource,
    Unknown,
    Value,
    seen_through_name,
)

PROGRAM_DEFINERS = frozenset({"define_railway", "defineRailway", "define"})
# Methods that change a list, dict or set in place (Python's and JavaScript's): a name they are called on is
# not bound to a literal any more.
MUTATING_METHODS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "update",
        "setdefault",
        "pop",
        "popitem",
        "remove",
        "clear",
        "sort",
        "reverse",
        "add",
        "discard",
        "push",
        "unshift",
        "shift",
        "splice",
        "fill",
        "set",
        "delete",
        "copyWithin",
        "__setitem__",
    }
)

_ProgramNode = TypeVar("_ProgramNode")  # a front end's syntax node for a program function
# Calls of the file's own helper functions followed in one file: helpers calling helpers could otherwise
# multiply the work (`a() { return [b(), b()] }`, `b() { return [c(), c()] }`, ...).
_MAX_HELPER_CALLS = 2_000


class Reader(Generic[_ProgramNode]):
    """The steps of reading one IaC file that do not depend on its language; a front end subclasses it."""

    # How a front end words its messages (set by each subclass).
    BOUND = ""  # the verb for binding a name: "assigned", "declared"
    SDK_FUNCTION = ""  # what an SDK import is called: "the railway_sdk function"
    NO_PROGRAM = ""  # the problem when the file defines no program
    MANY_PROGRAMS = ""  # the problem when it defines more than one

    def __init__(self, text: str, python: bool) -> None:
        self.text = text
        self.output = IacFileBuilder(python=python)
        self.module = Scope("the module", None)
        self.mutated: dict[str, str] = {}
        # Keyed by the scope itself (hashed by identity), never by id(): a program's scope is freed once read,
        # and the next program's scope may get its address, and with it the first program's values.
        self.resolving: set[tuple[Scope, str]] = set()
        self.memo: dict[tuple[Scope, str], Value] = {}
        self.programs: list[_ProgramNode] = []
        self.program_ids: set[int] = set()
        self.undeclared: dict[str, tuple[int, int]] = {}
        self.helpers_running: set[int] = set()
        self.helper_calls_left = _MAX_HELPER_CALLS

    # What a front end supplies: positions and evaluation (`python_expressions`, `typescript_expressions`),
    # and the statements (`python`, `typescript`).

    def span(self, node: Any) -> tuple[int, int]:
        """The offsets of `node` in the text."""
        raise NotImplementedError

    def evaluate(self, node: Any, scope: Scope, depth: int) -> Value:
        """The value of the expression `node`, its names looked up in `scope`; `depth` bounds the recursion."""
        raise NotImplementedError

    def read_program(self, program: _ProgramNode) -> None:
        """Read one program function: bind its parameters and body, and collect what it returns."""
        raise NotImplementedError

    def follow_helper(self, call: Any, callee: Any, scope: Scope, depth: int, start: int, end: int) -> Value | None:
        """What `call` returns when `callee` names a helper function of the file railcheck follows, else None."""
        raise NotImplementedError

    # names

    def bound_value(self, name: str, scope: Scope, depth: int, start: int, end: int) -> Value:
        """The value of the name `name` used at start:end, or why it has none that can be read."""
        found = scope.find(name)
        if found is None:
            return Unknown(f"uses the name {name}, which is not defined in this file", start, end)
        owner, bindings = found
        if len(bindings) > 1:
            lines = ", ".join(str(b.line) for b in bindings[:4])
            return Unknown(f"uses the name {name}, which is {self.BOUND} more than once (lines {lines})", start, end)
        binding = bindings[0]
        if binding.kind == "value":  # a helper's parameter: where the argument is written is the place to point at
            return copy.copy(cast(Value, binding.node))  # a "value" binding holds the argument's value, already read
        if binding.kind in ("sdk", "sdkmodule"):
            return Unknown(f"is {self.SDK_FUNCTION} {name}, not a value", start, end)
        if binding.kind != "assign":
            return Unknown(f"uses the name {name}, which {binding.why}", start, end)
        if binding.why is not None:
            return Unknown(f"uses the name {name}, which is {self.BOUND} {binding.why}", start, end)
        if name in self.mutated:
            return Unknown(f"uses the name {name}, which {self.mutated[name]}", start, end)
        key = (owner, name)
        if key in self.resolving:
            return Unknown(f"uses the name {name}, which refers to itself", start, end)
        value = self.memo.get(key)
        if value is None:  # memoised: `B = [A, A]; C = [B, B]; ...` must not cost 2**n evaluations
            self.resolving.add(key)
            try:
                value = self.evaluate(binding.node, owner, depth + 1)
            finally:
                self.resolving.discard(key)
            self.memo[key] = value
        return seen_through_name(value, start, end, name)

    def attribute_read(
        self, chain: list[str], base: str | None, target: Value | None, written: str, start: int, end: int
    ) -> Unknown:
        """Reading `chain` (attribute names, "[...]" for an index) off `base`, which is bound to `target`."""
        if chain[:1] == ["env"] and isinstance(target, Resource):
            return Unknown(
                f"is a reference to a variable of {target.callee}(...) {base}, resolved by Railway", start, end
            )
        if chain[:1] == ["shared"]:
            return Unknown("is a shared variable reference, resolved by Railway", start, end)
        return Unknown(f"reads {written}", start, end)

    @staticmethod
    def other_sdk_call(kind: str, start: int, end: int) -> Unknown:
        """A call of an SDK function that makes neither a resource nor a source: what it stands for."""
        if kind == "ref":
            return Unknown("is a reference to another resource's variable, resolved by Railway", start, end)
        if kind == "preserve":
            return Unknown("is preserve(): Railway keeps the value it already holds", start, end)
        return Unknown(f"calls {kind}", start, end)

    def check_dynamic(self, kind: str | None, context: str | None, node: Any) -> None:
        """A resource made `context` (in a loop, a function railcheck does not follow, ...) cannot be read."""
        if kind in RESOURCE_KINDS and context is not None:
            self.output.problem(f"{BUILT_DYNAMICALLY}: {kind}(...) is called {context}", *self.span(node))

    # the file's own helper functions

    def call_helper(
        self, key: int, label: str, owner: Scope, start: int, end: int, read: Callable[[Scope], Value]
    ) -> Value:
        """A call of a helper function the file defines: `read` binds its parameters in the scope it is given
        and reads what the helper returns. Services it returns point at this call, not inside the helper."""
        if key in self.helpers_running:
            return Unknown(f"calls {label}, which calls itself", start, end)
        if self.helper_calls_left <= 0:
            return Unknown(f"calls {label} more often than railcheck follows", start, end)
        self.helper_calls_left -= 1
        scope = Scope(label, owner)
        self.helpers_running.add(key)
        try:
            value = read(scope)
        finally:
            self.helpers_running.discard(key)
        if isinstance(value, Resource):
            value = copy.copy(value)
            value.start, value.end = start, end
        elif isinstance(value, Unknown) and not value.reason.startswith(BUILT_DYNAMICALLY):
            value = Unknown(f"calls {label}, whose result {value.reason}", start, end)
        return value

    # the program

    def add_program(self, program: _ProgramNode, key: int) -> None:
        if key not in self.program_ids:
            self.program_ids.add(key)
            self.programs.append(program)

    def read_programs(self, project_calls: Iterator[Any]) -> None:
        """Read every program; without one, the `project(...)` calls at the top level (evaluated as they come)."""
        if not self.programs:
            self.output.problem(self.NO_PROGRAM, 0, 0)
            for call in project_calls:
                self.output.program_result(self.evaluate(call, self.module, 0), "the module")
            return
        if len(self.programs) > 1:
            self.output.problem(self.MANY_PROGRAMS, 0, 0)
        for program in self.programs:
            self.read_program(program)

    def read_returns(self, label: str, program: _ProgramNode, returns: list[tuple[Any, Any]], scope: Scope) -> None:
        """What `program` returns: `returns` holds each return statement and its value (None when it has none)."""
        if not returns:
            self.output.problem(f"{label} never returns project(...)", *self.span(program))
        if len(returns) > 1:
            self.output.problem(
                f"{label} returns in {len(returns)} places; services from every return are read", *self.span(program)
            )
        for statement, value in returns:
            if value is None:
                self.output.problem(f"{label} returns nothing here", *self.span(statement))
            else:
                self.output.program_result(self.evaluate(value, scope, 0), label)

    def finish(self, sdk: str, failure: str, partial_name: str) -> IacFile:
        """The result, after a problem for each SDK function used without an import from `sdk`; the file is
        partial when its module binds `partial_name`."""
        for name, (start, end) in self.undeclared.items():
            self.output.problem(
                f"{name} is used but never imported from {sdk}; the file would fail {failure}", start, end
            )
        return self.output.finish(partial=partial_name in self.module.bindings)
