"""The Python front end: a `.railway/railway.py` file (`railway_sdk`), read with the standard library's `ast`.

Owns: the statements. Parsing (and saying where a syntax error is), binding the file's names in their
scopes (and which bindings sit in a loop, an `if` or a `try`), finding the `@define_railway` programs and
the values they return, scanning the whole file for imports, mutations and resources built dynamically,
and following the file's own helper functions through their parameters. Expressions are evaluated by
`python_expressions`, which this reader extends. Building a syntax tree runs nothing; unlike libcst's
native parser, which overflows the C stack and crashes the process on a long `a and b and ...` chain,
`ast` reports deep nesting as an error.
"""

from __future__ import annotations

import ast
import sys
import warnings
from collections.abc import Iterator

from railcheck.sources.iac.python_expressions import COMPREHENSIONS, PYTHON_SDK_EXPORTS, PythonExpressions
from railcheck.sources.iac.reader import MUTATING_METHODS, PROGRAM_DEFINERS
from railcheck.sources.iac.scopes import Binding, Scope
from railcheck.sources.iac.values import IacFile, Unknown, Value
from railcheck.sources.text import ParseFailure

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


class PythonReader(PythonExpressions):
    """Reads a Python IaC file (`railway_sdk`) through the standard library's `ast`."""

    BOUND = "assigned"
    SDK_FUNCTION = "the railway_sdk function"
    NO_PROGRAM = "no function decorated with @define_railway was found; reading project(...) calls at module level"
    MANY_PROGRAMS = "more than one @define_railway function; railcheck reads them all"

    # entry

    def read(self) -> IacFile | ParseFailure:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escapes in the file are not railcheck's to report
                tree = ast.parse(self.source)
        except SyntaxError as error:
            return self.syntax_failure(error)
        except ValueError:  # "source code string cannot contain null bytes"
            at = self.text.find("\0")
            return ParseFailure("invalid Python: the file contains a null byte", max(at, 0), max(at, 0) + 1)
        except UnicodeError as error:  # lone surrogates cannot be encoded for the parser
            at = self.base + getattr(error, "start", 0)
            return ParseFailure("invalid Python: the text contains an unpaired surrogate", at, at + 1)
        except (RecursionError, MemoryError):
            return ParseFailure("invalid Python: nesting too deep to parse", 0, min(1, len(self.text)))
        self.bind_body(self.module, tree.body)
        self.find_programs(tree)
        self.scan(tree)  # after finding the programs: calls inside them are not dynamic
        self.read_programs(self.project_calls(tree))
        return self.finish("railway_sdk", "when run", "PARTIAL")

    def syntax_failure(self, error: SyntaxError) -> ParseFailure:
        message = f"invalid Python: {error.msg}"
        if not error.lineno:
            at = self.text.find("\0")  # "source code string cannot contain null bytes" has no position
            return (
                ParseFailure(message, max(at, 0), max(at, 0) + 1)
                if at >= 0
                else ParseFailure(message, 0, min(1, len(self.text)))
            )
        index = min(max(error.lineno, 1), len(self.starts)) - 1
        line_start = self.starts[index]
        line_end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.source)
        # SyntaxError columns are 1-based code points (since 3.10), unlike node columns.
        start = min(line_start + max((error.offset or 1) - 1, 0), line_end)
        end = start
        if error.end_lineno == error.lineno and error.end_offset and error.end_offset > (error.offset or 0):
            end = min(line_start + error.end_offset - 1, line_end)
        if end <= start:
            end = min(start + 1, len(self.source))
            start = min(start, end)
        return ParseFailure(message, self.base + start, self.base + end)

    # bindings

    def bind_body(self, scope: Scope, body: list[ast.stmt]) -> None:
        stack: list[tuple[ast.stmt, str | None]] = [(stmt, None) for stmt in reversed(body)]
        while stack:
            stmt, where = stack.pop()
            line = stmt.lineno

            def push(statements: list[ast.stmt], why: str, where: str | None = where) -> None:
                stack.extend((s, where or why) for s in reversed(statements))

            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    self.bind_target(scope, target, stmt.value, where, line)
            elif isinstance(stmt, ast.AnnAssign):
                if stmt.value is not None:
                    self.bind_target(scope, stmt.target, stmt.value, where, line)
            elif isinstance(stmt, ast.AugAssign):
                self.bind_target(scope, stmt.target, None, where, line, "is changed by an augmented assignment")
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                self.bind_target(scope, stmt.target, None, where, line, "comes from a loop")
                push(stmt.body + stmt.orelse, "inside a loop")
            elif isinstance(stmt, ast.While):
                push(stmt.body + stmt.orelse, "inside a loop")
            elif isinstance(stmt, ast.If):
                push(stmt.body + stmt.orelse, "inside an if statement")
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                for item in stmt.items:
                    if item.optional_vars is not None:
                        self.bind_target(scope, item.optional_vars, None, where, line, "is bound by a with statement")
                push(stmt.body, "inside a with statement")
            elif isinstance(stmt, (ast.Try, ast.TryStar)):
                handlers = getattr(stmt, "handlers", [])
                for handler in handlers:
                    if handler.name:
                        scope.add(handler.name, Binding("other", None, "is bound by an except clause", line))
                    push(handler.body, "inside a try statement")
                push(stmt.body + stmt.orelse + stmt.finalbody, "inside a try statement")
            elif isinstance(stmt, ast.Match):
                for case in stmt.cases:
                    for node in ast.walk(case.pattern):
                        for name in (getattr(node, "name", None), getattr(node, "rest", None)):
                            if isinstance(name, str):
                                scope.add(name, Binding("other", None, "is bound by a match pattern", line))
                    push(case.body, "inside a match statement")
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                scope.add(stmt.name, Binding("other", stmt, "is a function", line))
            elif isinstance(stmt, ast.ClassDef):
                scope.add(stmt.name, Binding("other", None, "is a class", line))
            elif isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    local = alias.asname or alias.name.split(".")[0]
                    if alias.name == "railway_sdk" or (alias.asname is None and alias.name.startswith("railway_sdk.")):
                        scope.add(local, Binding("sdkmodule", None, None, line))
                    else:
                        scope.add(local, Binding("other", None, f"is the module {alias.name}", line))
            elif isinstance(stmt, ast.ImportFrom):
                from_sdk = stmt.level == 0 and stmt.module == "railway_sdk"
                origin = "." * stmt.level + (stmt.module or "")
                for alias in stmt.names:
                    if alias.name == "*":
                        if from_sdk:
                            scope.star = True
                        continue
                    local = alias.asname or alias.name
                    if from_sdk and alias.name in PYTHON_SDK_EXPORTS:
                        scope.add(local, Binding("sdk", alias.name, None, line))
                    else:
                        scope.add(local, Binding("other", None, f"is imported from {origin}", line))
            elif isinstance(stmt, (ast.Global, ast.Nonlocal)):
                for name in stmt.names:
                    scope.add(name, Binding("other", None, "is declared global", line))
            elif isinstance(stmt, ast.Delete):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        scope.add(target.id, Binding("other", None, "is deleted", line))

    def bind_target(
        self,
        scope: Scope,
        target: ast.expr,
        value: ast.expr | None,
        where: str | None,
        line: int,
        why: str = "is unpacked from a sequence",
    ) -> None:
        if isinstance(target, ast.Name):
            if value is None:
                scope.add(target.id, Binding("other", None, why, line))
            else:
                scope.add(target.id, Binding("assign", value, where, line))
        elif isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    scope.add(node.id, Binding("other", None, why, line))

    # whole-file scan: imports, mutations, resources built dynamically

    def scan(self, tree: ast.Module) -> None:
        stack: list[tuple[ast.AST, str | None]] = [(tree, None)]
        while stack:
            node, context = stack.pop()
            if isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    if top != "railway_sdk" and top not in sys.stdlib_module_names:
                        self.output.problem(
                            f"imports {alias.name}, which railcheck does not read (a local module or "
                            "another package); values taken from it are unknown",
                            *self.span(alias),
                        )
            elif isinstance(node, ast.ImportFrom):
                top = (node.module or "").split(".")[0]
                origin = "." * node.level + (node.module or "")
                if node.level:
                    self.output.problem(
                        f"imports the local module {origin}; railcheck does not follow imports, so "
                        "values taken from it are unknown",
                        *self.span(node),
                    )
                elif top != "railway_sdk" and top not in sys.stdlib_module_names and top != "__future__":
                    self.output.problem(
                        f"imports from {origin}, which railcheck does not read (a local module or "
                        "another package); values taken from it are unknown",
                        *self.span(node),
                    )
            elif isinstance(node, ast.Call):
                callee = node.func
                if isinstance(callee, ast.Attribute) and callee.attr in MUTATING_METHODS:
                    self.mark(callee.value, f"is changed by .{callee.attr}() (line {node.lineno})")
                self.check_dynamic(self.sdk_name(callee, self.module, scanning=True), context, node)
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for target in targets:
                    if isinstance(target, (ast.Attribute, ast.Subscript)):
                        self.mark(target, f"is changed by an assignment (line {node.lineno})")
            elif isinstance(node, ast.NamedExpr):
                self.mutated.setdefault(node.target.id, f"is bound by := (line {node.lineno})")
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    self.mutated.setdefault(name, f"is declared global in a function (line {node.lineno})")

            for name, child in ast.iter_fields(node):
                inner = context
                if isinstance(node, _LOOPS) and name in ("body", "orelse"):
                    inner = context or "inside a loop"
                elif isinstance(node, COMPREHENSIONS):
                    inner = context or "inside a comprehension"
                elif isinstance(node, ast.Lambda) and id(node) not in self.program_ids and name == "body":
                    inner = context or "inside a lambda"
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and name == "body":
                    if id(node) not in self.program_ids and _helper_return(node) is None:
                        inner = context or f"inside the function {node.name}(), which railcheck does not follow"
                children = child if isinstance(child, list) else [child]
                stack.extend((c, inner) for c in reversed(children) if isinstance(c, ast.AST))

    def mark(self, node: ast.expr, why: str) -> None:
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        if isinstance(node, ast.Name):
            self.mutated.setdefault(node.id, why)

    # the program

    def is_program_definer(self, node: ast.expr) -> bool:
        return self.sdk_name(node, self.module) in PROGRAM_DEFINERS

    def is_program_function(self, node: ast.AST) -> bool:
        return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            self.is_program_definer(d) for d in node.decorator_list
        )

    def find_programs(self, tree: ast.Module) -> None:
        for stmt in tree.body:
            if self.is_program_function(stmt):
                self.add_program(stmt, id(stmt))
            value = stmt.value if isinstance(stmt, (ast.Assign, ast.Expr, ast.AnnAssign)) else None
            if isinstance(value, ast.Call) and self.is_program_definer(value.func) and value.args:
                argument = value.args[0]
                if isinstance(argument, ast.Lambda):
                    self.add_program(argument, id(argument))
                elif isinstance(argument, ast.Name):
                    bound = self.module.bindings.get(argument.id, [])
                    if len(bound) == 1 and isinstance(bound[0].node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self.add_program(bound[0].node, id(bound[0].node))

    def project_calls(self, tree: ast.Module) -> Iterator[ast.Call]:
        """The `project(...)` calls at module level, read when the file defines no program."""
        for stmt in tree.body:
            value = getattr(stmt, "value", None)
            if isinstance(value, ast.Call) and self.sdk_name(value.func, self.module) == "project":
                yield value

    def read_program(self, program: ast.AST) -> None:
        label = f"{program.name}()" if isinstance(program, (ast.FunctionDef, ast.AsyncFunctionDef)) else "the lambda"
        scope = Scope(label, self.module)
        # A program is a function or a lambda (reader.py's `_ProgramNode`); both have `args`.
        arguments: ast.arguments = program.args  # type: ignore[attr-defined]
        parameters = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
        parameters += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
        for parameter in parameters:
            scope.add(parameter.arg, Binding("other", None, f"is a parameter of {label}", parameter.lineno))
        if isinstance(program, ast.Lambda):
            self.output.program_result(self.evaluate(program.body, scope, 0), label)
            return
        # Not a lambda, so a function: its body is a list of statements.
        body: list[ast.stmt] = program.body  # type: ignore[attr-defined]
        self.bind_body(scope, body)
        returns: list[ast.Return] = []
        stack: list[ast.AST] = list(reversed(body))
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Return):
                returns.append(node)
            elif not isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
                stack.extend(reversed([c for c in ast.iter_child_nodes(node) if isinstance(c, ast.stmt)]))
        self.read_returns(label, program, [(node, node.value) for node in returns], scope)

    # the file's own helper functions

    def follow_helper(
        self, call: ast.Call, callee: ast.expr, scope: Scope, depth: int, start: int, end: int
    ) -> Value | None:
        if not isinstance(callee, ast.Name):
            return None
        helper = self.helper_of(callee.id, scope)
        if helper is None:
            return None
        function, owner = helper
        return self.call_helper(
            id(function),
            f"{function.name}()",
            owner,
            start,
            end,
            lambda inner: self.read_helper(function, call, scope, inner, depth),
        )

    def helper_of(self, name: str, scope: Scope) -> tuple[ast.FunctionDef, Scope] | None:
        """The function `name` calls when it is a helper railcheck follows, and the scope that defines it."""
        found = scope.find(name)
        if found is None or len(found[1]) != 1 or name in self.mutated:
            return None
        function = found[1][0].node
        if isinstance(function, ast.FunctionDef) and _helper_return(function) is not None:
            return function, found[0]
        return None

    def read_helper(self, function: ast.FunctionDef, call: ast.Call, caller: Scope, inner: Scope, depth: int) -> Value:
        """What `function` returns for `call`: its parameters bound to the arguments read in `caller`."""
        start, end = self.span(call)
        arguments = function.args
        positional = arguments.posonlyargs + arguments.args
        given: dict[str, Value] = {}
        for index, argument in enumerate(call.args):
            if isinstance(argument, ast.Starred):
                return Unknown(f"passes *arguments to {function.name}()", start, end)
            if index >= len(positional):
                return Unknown(f"passes more arguments than {function.name}() takes", start, end)
            given[positional[index].arg] = self.evaluate(argument, caller, depth + 1)
        named = {parameter.arg for parameter in positional[len(arguments.posonlyargs) :] + arguments.kwonlyargs}
        for keyword in call.keywords:
            if keyword.arg is None or keyword.arg not in named:
                passed = "**arguments" if keyword.arg is None else keyword.arg + "="
                return Unknown(
                    f"passes {passed} to {function.name}(), which railcheck does not match to its parameters",
                    start,
                    end,
                )
            given[keyword.arg] = self.evaluate(keyword.value, caller, depth + 1)
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
        defaults += arguments.defaults
        pairs = list(zip(positional, defaults, strict=True)) + list(
            zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        )
        for parameter, default in pairs:
            line = parameter.lineno
            if parameter.arg in given:
                inner.add(parameter.arg, Binding("value", given[parameter.arg], None, line))
            elif default is not None:  # defaults belong to the scope that defines the function
                value = self.evaluate(default, inner.parent or inner, depth + 1)
                inner.add(parameter.arg, Binding("value", value, None, line))
            else:
                why = f"is a parameter of {function.name}() this call leaves out"
                inner.add(parameter.arg, Binding("other", None, why, line))
        for rest in (arguments.vararg, arguments.kwarg):
            if rest is not None:
                why = f"collects extra arguments of {function.name}()"
                inner.add(rest.arg, Binding("other", None, why, rest.lineno))
        returned = _helper_return(function)
        assert returned is not None
        self.bind_body(inner, _helper_body(function)[:-1])
        return self.evaluate(returned, inner, depth + 1)


def _helper_body(function: ast.FunctionDef) -> list[ast.stmt]:
    body = function.body
    first = body[0] if body else None
    docstring = (
        isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
    )
    return body[1:] if docstring else body


def _helper_return(function: ast.AST) -> ast.expr | None:
    """What a helper function railcheck follows returns: one without decorators whose body is assignments to
    plain names and then one `return value` (a docstring allowed). Anything else may branch or loop."""
    if not isinstance(function, ast.FunctionDef) or function.decorator_list:
        return None
    body = _helper_body(function)
    if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
        return None
    for statement in body[:-1]:
        if isinstance(statement, ast.Assign) and all(isinstance(target, ast.Name) for target in statement.targets):
            continue
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.value is not None
        ):
            continue
        return None
    return body[-1].value
