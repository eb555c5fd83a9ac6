"""The Python front end: a `.railway/railway.py` file (`railway_sdk`), read with the standard library's `ast`.

Owns: parsing (and saying where a syntax error is), offsets from `ast` positions (UTF-8 byte columns,
universal newlines, a BOM), binding the file's names, finding the `@define_railway` programs, scanning for
imports, mutations and resources built dynamically, and evaluating expressions and SDK calls into the
neutral values. Building a syntax tree runs nothing; unlike libcst's native parser, which overflows the C
stack and crashes the process on a long `a and b and ...` chain, `ast` reports deep nesting as an error.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from collections.abc import Iterator

from railcheck.sources.iac.reader import _DEFINE, _MUTATORS, _Binding, _Reader, _Scope, _sdk_binding
from railcheck.sources.iac.values import (
    _DATABASE_KINDS, _DYNAMIC, _MAX_DEPTH, _MAX_ITEMS, _RESOURCE_KINDS, _SOURCE_KINDS, IacFile, _Arr, _first, _is_none,
    _Lit, _lookup, _Obj, _Res, _source_obj, _splice, _spread_entries, _Unk, _V, _either, _joined,
)
from railcheck.sources.text import ParseFailure

# The exports of railway_sdk 0.7.0 that a project file calls.
_PY_SDK = frozenset({
    "bucket", "createRailwayContext", "create_railway_context", "database", "defineRailway", "define_railway",
    "empty", "fn", "function_image", "function_start_command", "github", "group", "image", "mongo", "mysql",
    "postgres", "preserve", "project", "redis", "ref", "service", "template", "volume", "ServiceCdn",
    "ScheduleWindow",
})
_PY_NEWLINE = re.compile(r"\r\n|\r|\n")  # Python's universal newlines, which ast positions count in
_PY_STRING = re.compile(r"([rRbBuUfF]{0,2})('''|\"\"\"|'|\")")
_PY_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_PY_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_PY_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


class _PyReader(_Reader[ast.AST]):
    """Reads a Python IaC file (`railway_sdk`) through the standard library's `ast`."""

    BOUND = "assigned"
    SDK_FUNCTION = "the railway_sdk function"
    NO_PROGRAM = "no function decorated with @define_railway was found; reading project(...) calls at module level"
    MANY_PROGRAMS = "more than one @define_railway function; railcheck reads them all"

    def __init__(self, text: str) -> None:
        super().__init__(text, python=True)
        # A decoded file may keep its BOM; Python drops it when reading, and ast rejects it in a string.
        self.base = 1 if text.startswith("\ufeff") else 0
        self.source = text[self.base :]
        self.starts = [0] + [m.end() for m in _PY_NEWLINE.finditer(self.source)]
        self.columns: dict[int, list[int]] = {}  # per non-ASCII line, UTF-8 byte index -> code-point index

    # positions

    def offset(self, line: int, column: int) -> int:
        """Offset of a 1-based line and a UTF-8 byte column (as ast gives them)."""
        index = min(max(line, 1), len(self.starts)) - 1
        start = self.starts[index]
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.source)
        table = self.columns.get(index)
        if table is None:
            chunk = self.source[start:end]
            table = [] if chunk.isascii() else [i for i, char in enumerate(chunk) for _ in char.encode("utf-8")]
            self.columns[index] = table
        if table:  # a non-ASCII line: byte column to code-point column
            column = table[column] if column < len(table) else end - start
        return self.base + min(start + column, end)

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end_line = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
        end_col = getattr(node, "end_col_offset", None)
        end = self.offset(end_line, end_col if end_col is not None else node.col_offset)  # type: ignore[attr-defined]
        return start, max(start, end)

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
            return ParseFailure(message, max(at, 0), max(at, 0) + 1) if at >= 0 else \
                ParseFailure(message, 0, min(1, len(self.text)))
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

    def bind_body(self, scope: _Scope, body: list[ast.stmt]) -> None:
        stack: list[tuple[ast.stmt, str | None]] = [(stmt, None) for stmt in reversed(body)]
        while stack:
            stmt, where = stack.pop()
            line = stmt.lineno

            def push(statements: list[ast.stmt], why: str) -> None:
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
            elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
                handlers = getattr(stmt, "handlers", [])
                for handler in handlers:
                    if handler.name:
                        scope.add(handler.name, _Binding("other", None, "is bound by an except clause", line))
                    push(handler.body, "inside a try statement")
                push(stmt.body + stmt.orelse + stmt.finalbody, "inside a try statement")  # type: ignore[attr-defined]
            elif isinstance(stmt, ast.Match):
                for case in stmt.cases:
                    for node in ast.walk(case.pattern):
                        for name in (getattr(node, "name", None), getattr(node, "rest", None)):
                            if isinstance(name, str):
                                scope.add(name, _Binding("other", None, "is bound by a match pattern", line))
                    push(case.body, "inside a match statement")
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                scope.add(stmt.name, _Binding("other", stmt, "is a function", line))
            elif isinstance(stmt, ast.ClassDef):
                scope.add(stmt.name, _Binding("other", None, "is a class", line))
            elif isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    local = alias.asname or alias.name.split(".")[0]
                    if alias.name == "railway_sdk" or (alias.asname is None and alias.name.startswith("railway_sdk.")):
                        scope.add(local, _Binding("sdkmodule", None, None, line))
                    else:
                        scope.add(local, _Binding("other", None, f"is the module {alias.name}", line))
            elif isinstance(stmt, ast.ImportFrom):
                from_sdk = stmt.level == 0 and stmt.module == "railway_sdk"
                origin = "." * stmt.level + (stmt.module or "")
                for alias in stmt.names:
                    if alias.name == "*":
                        if from_sdk:
                            scope.star = True
                        continue
                    local = alias.asname or alias.name
                    if from_sdk and alias.name in _PY_SDK:
                        scope.add(local, _Binding("sdk", alias.name, None, line))
                    else:
                        scope.add(local, _Binding("other", None, f"is imported from {origin}", line))
            elif isinstance(stmt, (ast.Global, ast.Nonlocal)):
                for name in stmt.names:
                    scope.add(name, _Binding("other", None, "is declared global", line))
            elif isinstance(stmt, ast.Delete):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        scope.add(target.id, _Binding("other", None, "is deleted", line))

    def bind_target(self, scope: _Scope, target: ast.expr, value: ast.expr | None, where: str | None, line: int,
                    why: str = "is unpacked from a sequence") -> None:
        if isinstance(target, ast.Name):
            if value is None:
                scope.add(target.id, _Binding("other", None, why, line))
            else:
                scope.add(target.id, _Binding("assign", value, where, line))
        elif isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    scope.add(node.id, _Binding("other", None, why, line))

    # whole-file scan: imports, mutations, resources built dynamically

    def scan(self, tree: ast.Module) -> None:
        stack: list[tuple[ast.AST, str | None]] = [(tree, None)]
        while stack:
            node, context = stack.pop()
            if isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    if top != "railway_sdk" and top not in sys.stdlib_module_names:
                        self.back.problem(f"imports {alias.name}, which railcheck does not read (a local module or "
                                          "another package); values taken from it are unknown", *self.span(alias))
            elif isinstance(node, ast.ImportFrom):
                top = (node.module or "").split(".")[0]
                origin = "." * node.level + (node.module or "")
                if node.level:
                    self.back.problem(f"imports the local module {origin}; railcheck does not follow imports, so "
                                      "values taken from it are unknown", *self.span(node))
                elif top != "railway_sdk" and top not in sys.stdlib_module_names and top != "__future__":
                    self.back.problem(f"imports from {origin}, which railcheck does not read (a local module or "
                                      "another package); values taken from it are unknown", *self.span(node))
            elif isinstance(node, ast.Call):
                callee = node.func
                if isinstance(callee, ast.Attribute) and callee.attr in _MUTATORS:
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
                if isinstance(node, _PY_LOOPS) and name in ("body", "orelse"):
                    inner = context or "inside a loop"
                elif isinstance(node, _PY_COMPREHENSIONS):
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

    def is_define(self, node: ast.expr) -> bool:
        return self.sdk_name(node, self.module) in _DEFINE

    def is_program_def(self, node: ast.AST) -> bool:
        return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            self.is_define(d) for d in node.decorator_list)

    def find_programs(self, tree: ast.Module) -> None:
        for stmt in tree.body:
            if self.is_program_def(stmt):
                self.add_program(stmt, id(stmt))
            value = stmt.value if isinstance(stmt, (ast.Assign, ast.Expr, ast.AnnAssign)) else None
            if isinstance(value, ast.Call) and self.is_define(value.func) and value.args:
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
        scope = _Scope(label, self.module)
        arguments: ast.arguments = program.args  # type: ignore[attr-defined]
        parameters = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
        parameters += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
        for parameter in parameters:
            scope.add(parameter.arg, _Binding("other", None, f"is a parameter of {label}", parameter.lineno))
        if isinstance(program, ast.Lambda):
            self.back.program_result(self.ev(program.body, scope, 0), label)
            return
        body: list[ast.stmt] = program.body  # type: ignore[attr-defined]
        self.bind_body(scope, body)
        returns: list[ast.Return] = []
        stack: list[ast.AST] = list(reversed(body))
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Return):
                returns.append(node)
            elif not isinstance(node, (*_PY_FUNCTIONS, ast.ClassDef)):
                stack.extend(reversed([c for c in ast.iter_child_nodes(node) if isinstance(c, ast.stmt)]))
        self.read_returns(label, program, [(node, node.value) for node in returns], scope)

    # names

    def sdk_name(self, node: ast.expr, scope: _Scope, scanning: bool = False) -> str | None:
        """The railway_sdk function that `node` names, if it does."""
        if isinstance(node, ast.Name):
            found = scope.find(node.id)
            if found is None:
                if node.id in _PY_SDK:
                    # Unbound, so the file means the SDK's function (a star import, or a forgotten import).
                    if not self.module.star and not scanning:
                        self.undeclared.setdefault(node.id, self.span(node))
                    return node.id
                return None
            return _sdk_binding(found[1]) if node.id not in self.mutated else None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr in _PY_SDK:
            if scope.is_sdk_module(node.value.id):
                return node.attr
        return None

    def resolve(self, node: ast.Name, scope: _Scope, depth: int) -> _V:
        return self.bound_value(node.id, scope, depth, *self.span(node))

    # expressions

    def ev(self, node: ast.expr, scope: _Scope, depth: int) -> _V:
        start, end = self.span(node)
        if depth > _MAX_DEPTH:
            return _Unk("is nested too deeply to read", start, end)
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, str):
                return _Lit(value, start, end, self.text_start(start, end, value))
            if value is None or isinstance(value, (bool, int, float)):
                return _Lit(value, start, end)
            return _Unk(f"is a {type(value).__name__} literal", start, end)
        if isinstance(node, ast.JoinedStr):
            if all(isinstance(part, ast.Constant) and isinstance(part.value, str) for part in node.values):
                value = "".join(part.value for part in node.values)  # type: ignore[attr-defined]
                return _Lit(value, start, end, self.text_start(start, end, value))
            return _joined([self.placeholder(part, scope, depth) for part in node.values], start, end, True,
                           "is an f-string with placeholders")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.ev(node.left, scope, depth + 1), self.ev(node.right, scope, depth + 1)
            if all(isinstance(side, _Unk) or (isinstance(side, _Lit) and isinstance(side.value, str)) for side in (left, right)):
                # str + str only: Python adds no number to a text
                return _joined([left, right], start, end, True, "is computed with an operator")
            if isinstance(left, _Arr) and isinstance(right, _Arr):  # `resources=[db, api] + WORKERS`
                joined = _Arr(list(left.items), start, end, None, list(left.holes))
                _splice(joined, right, *self.span(node.right))
                return joined
            return _Unk("is computed with an operator", start, end)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            number = node.operand.value if isinstance(node.operand, ast.Constant) else None
            if type(number) in (int, float):
                assert isinstance(number, (int, float))
                return _Lit(-number if isinstance(node.op, ast.USub) else number, start, end)
            return _Unk("is computed with an operator", start, end)
        if isinstance(node, ast.Name):
            return self.resolve(node, scope, depth)
        if isinstance(node, (ast.List, ast.Tuple)):
            array = _Arr([], start, end)
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    _splice(array, self.ev(element.value, scope, depth + 1), *self.span(element))
                else:
                    array.items.append(self.ev(element, scope, depth + 1))
            return array
        if isinstance(node, ast.Dict):
            entries: list[tuple[str | None, _V]] = []
            for key_node, value_node in zip(node.keys, node.values):
                if key_node is None:
                    entries.extend(_spread_entries(self.ev(value_node, scope, depth + 1), "the spread value"))
                    if len(entries) > _MAX_ITEMS:
                        return _Unk("is too large to read", start, end)
                    continue
                key = self.ev(key_node, scope, depth + 1)
                item = self.ev(value_node, scope, depth + 1)
                if isinstance(key, _Lit) and isinstance(key.value, str):
                    entries.append((key.value, item))
                else:
                    why = key.reason if isinstance(key, _Unk) else "is not a string"
                    entries.append((None, _Unk(f"has a key that {why}", key.start, key.end)))
            return _Obj(entries, start, end)
        if isinstance(node, ast.Call):
            return self.call(node, scope, depth, start, end)
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            return self.access(node, scope, depth, start, end)
        if isinstance(node, _PY_COMPREHENSIONS):
            if any(isinstance(c, ast.Call) and self.sdk_name(c.func, scope) in _RESOURCE_KINDS for c in ast.walk(node)):
                return _Unk(_DYNAMIC, start, end)
            return _Unk("comes from a comprehension", start, end)
        if isinstance(node, ast.Set):
            return _Unk("is a set", start, end)
        if isinstance(node, (ast.BinOp, ast.BoolOp, ast.UnaryOp, ast.Compare)):
            return _Unk("is computed with an operator", start, end)
        if isinstance(node, ast.IfExp):
            return _either(self.ev(node.body, scope, depth + 1), self.ev(node.orelse, scope, depth + 1), start, end)
        if isinstance(node, ast.Lambda):
            return _Unk("is a lambda", start, end)
        if isinstance(node, ast.Await):
            return _Unk("is awaited", start, end)
        if isinstance(node, ast.NamedExpr):
            return _Unk("is an assignment expression", start, end)
        return _Unk(f"is not a literal ({type(node).__name__})", start, end)

    def placeholder(self, part: ast.expr, scope: _Scope, depth: int) -> _V:
        """One part of an f-string: its text, or the value of a `{name}` with no conversion or format spec."""
        if isinstance(part, ast.FormattedValue):
            if part.format_spec is not None or part.conversion not in (-1, ord("s")):
                return _Unk("is formatted", *self.span(part))
            return self.ev(part.value, scope, depth + 1)
        return self.ev(part, scope, depth + 1)

    def text_start(self, start: int, end: int, value: str) -> int | None:
        written = self.text[start:end]
        match = _PY_STRING.match(written)
        if match is None:
            return None
        quote = match.group(2)
        body_start = match.end()
        body = written[body_start : len(written) - len(quote)]
        if written.endswith(quote) and len(written) >= body_start + len(quote) and body == value:
            return start + body_start
        return None

    def access(self, node: ast.Attribute | ast.Subscript, scope: _Scope, depth: int, start: int, end: int) -> _V:
        dotted = _py_dotted(node)
        chain: list[str] = []
        base: ast.expr = node
        while isinstance(base, (ast.Attribute, ast.Subscript)):
            chain.append(base.attr if isinstance(base, ast.Attribute) else "[...]")
            base = base.value
        chain.reverse()
        if dotted is not None and (dotted.startswith("os.environ") or dotted.startswith("environ")):
            return _Unk(f"reads {dotted}", start, end)
        target: _V | None = None
        if isinstance(base, ast.Name) and chain[:1] == ["env"]:
            found = scope.find(base.id)
            if found is not None and len(found[1]) == 1 and found[1][0].kind == "assign":
                target = self.resolve(base, scope, depth + 1)
        name = base.id if isinstance(base, ast.Name) else None
        return self.attribute_read(chain, name, target, dotted or "an attribute", start, end)

    def call(self, node: ast.Call, scope: _Scope, depth: int, start: int, end: int) -> _V:
        kind = self.sdk_name(node.func, scope)
        if kind is None and isinstance(node.func, ast.Name):
            helper = self.helper_of(node.func.id, scope)
            if helper is not None:
                function, owner = helper
                return self.call_helper(id(function), f"{function.name}()", owner, start, end,
                                        lambda inner: self.read_helper(function, node, scope, inner, depth))
        if kind is None and isinstance(node.func, ast.Attribute) and node.func.attr == "with_fields":
            made = self.ev(node.func.value, scope, depth + 1)
            if isinstance(made, _Res):
                return _with_fields(made, start, end)
        if kind is None:
            dotted = _py_dotted(node.func)
            if dotted == "dict" and scope.find("dict") is None and not node.args:
                return self.keywords(node, scope, depth, start, end)
            if any(isinstance(c, ast.Call) and self.sdk_name(c.func, scope) in _RESOURCE_KINDS
                   for c in ast.walk(node) if c is not node):
                return _Unk(_DYNAMIC, start, end)  # map(lambda n: service(n), ...), list(make_services())
            return _Unk(f"calls {dotted or 'a function'}", start, end)
        args: list[_V] = []
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                return _Unk(f"passes *arguments to {kind}(...)", start, end)
            args.append(self.ev(argument, scope, depth + 1))
        options = self.keywords(node, scope, depth, start, end)

        def take(index: int, name: str) -> _V | None:
            if index < len(args):
                return args[index]
            found = _lookup(options, name)
            if found is not None:
                options.entries = [(k, v) for k, v in options.entries if k != name]
            return found

        if kind in ("service", "fn") or kind in _DATABASE_KINDS or kind in ("volume", "bucket"):
            name = take(0, "name")
            most = {"fn": 3, "database": 2, "volume": 2, "bucket": 2}.get(kind, 1)
            if len(args) > most:
                self.back.problem(f"{kind}() takes its settings as keyword arguments; the extra positional "
                                  "argument would fail when the file runs", args[most].start, args[-1].end)
            if kind == "fn":
                code_file, runtime = take(1, "code_file"), take(2, "runtime")
                if not _is_none(code_file) or not _is_none(runtime):
                    if _is_none(_lookup(options, "source")):
                        image = _source_obj("image", None, _Obj([], start, end), start, end, True)
                        options.entries.append(("source", image))  # fn() runs its code on the function image
                if not _is_none(code_file):
                    assert code_file is not None
                    options.entries.append(("start", _Unk("is built by fn() from its code file",
                                                          code_file.start, code_file.end)))
            return _Res(kind, name, options, None, start, end, kind)
        if kind in _SOURCE_KINDS:
            return _source_obj(kind, take(0, "name") if kind != "empty" else None, options, start, end, True)
        if kind == "project":
            name = take(0, "name")
            definition = take(1, "definition")
            payload = _Obj(_spread_entries(definition, "the definition") + options.entries, start, end)
            resources = _lookup(payload, "resources")
            if _is_none(resources):
                resources = _first([_lookup(payload, "services")], True)
            return _Res("project", name, payload, resources, start, end, kind)
        if kind == "group":
            name = take(0, "name")
            resources = take(1, "resources")
            if isinstance(resources, _Obj):
                resources = None  # group(name, {options}): no resources
            return _Res("group", name, options, resources, start, end, kind)
        return self.helper_call(kind, start, end)

    def helper_of(self, name: str, scope: _Scope) -> tuple[ast.FunctionDef, _Scope] | None:
        """The function `name` calls when it is a helper railcheck follows, and the scope that defines it."""
        found = scope.find(name)
        if found is None or len(found[1]) != 1 or name in self.mutated:
            return None
        function = found[1][0].node
        if isinstance(function, ast.FunctionDef) and _helper_return(function) is not None:
            return function, found[0]
        return None

    def read_helper(self, function: ast.FunctionDef, call: ast.Call, caller: _Scope, inner: _Scope, depth: int) -> _V:
        """What `function` returns for `call`: its parameters bound to the arguments read in `caller`."""
        start, end = self.span(call)
        arguments = function.args
        positional = arguments.posonlyargs + arguments.args
        given: dict[str, _V] = {}
        for index, argument in enumerate(call.args):
            if isinstance(argument, ast.Starred):
                return _Unk(f"passes *arguments to {function.name}()", start, end)
            if index >= len(positional):
                return _Unk(f"passes more arguments than {function.name}() takes", start, end)
            given[positional[index].arg] = self.ev(argument, caller, depth + 1)
        named = {parameter.arg for parameter in positional[len(arguments.posonlyargs):] + arguments.kwonlyargs}
        for keyword in call.keywords:
            if keyword.arg is None or keyword.arg not in named:
                return _Unk(f"passes {'**arguments' if keyword.arg is None else keyword.arg + '='} to {function.name}(), "
                            "which railcheck does not match to its parameters", start, end)
            given[keyword.arg] = self.ev(keyword.value, caller, depth + 1)
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
        pairs = list(zip(positional, defaults)) + list(zip(arguments.kwonlyargs, arguments.kw_defaults))
        for parameter, default in pairs:
            line = parameter.lineno
            if parameter.arg in given:
                inner.add(parameter.arg, _Binding("value", given[parameter.arg], None, line))
            elif default is not None:  # defaults belong to the scope that defines the function
                inner.add(parameter.arg, _Binding("value", self.ev(default, inner.parent or inner, depth + 1), None, line))
            else:
                inner.add(parameter.arg, _Binding("other", None, f"is a parameter of {function.name}() this call leaves out", line))
        for rest in (arguments.vararg, arguments.kwarg):
            if rest is not None:
                inner.add(rest.arg, _Binding("other", None, f"collects extra arguments of {function.name}()", rest.lineno))
        returned = _helper_return(function)
        assert returned is not None
        self.bind_body(inner, _helper_body(function)[:-1])
        return self.ev(returned, inner, depth + 1)

    def keywords(self, node: ast.Call, scope: _Scope, depth: int, start: int, end: int) -> _Obj:
        # Python rejects a keyword given twice, so explicit keywords are definite whatever their order
        # relative to `**spread`: put spreads first so that lookups see the explicit ones.
        spreads: list[tuple[str | None, _V]] = []
        explicit: list[tuple[str | None, _V]] = []
        for keyword in node.keywords:
            value = self.ev(keyword.value, scope, depth + 1)
            if keyword.arg is None:
                spreads.extend(_spread_entries(value, "the ** value"))
            else:
                explicit.append((keyword.arg, value))
        return _Obj(spreads + explicit, start, end)


def _with_fields(made: _Res, start: int, end: int) -> _Res:
    """`resource.with_fields(...)`: the same resource with raw fields replaced. A database stays the database
    it names; a service's settings may all have changed, so they read as unknown."""
    if made.kind in _DATABASE_KINDS:
        return _Res(made.kind, made.name, made.config, made.items, start, end, made.callee)
    hidden = _Unk("may be replaced by .with_fields(...)", start, end)
    return _Res(made.kind, made.name, _Obj([*made.config.entries, (None, hidden)], start, end), made.items, start,
                end, made.callee)


def _py_dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            parts.append("[...]")
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return ".".join(reversed(parts)).replace(".[...]", "[...]")
        else:
            return None


def _helper_body(function: ast.FunctionDef) -> list[ast.stmt]:
    body = function.body
    docstring = body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)
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
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value is not None:
            continue
        return None
    return body[-1].value
