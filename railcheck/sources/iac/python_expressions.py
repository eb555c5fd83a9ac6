"""Python expressions in a `.railway/railway.py` file, evaluated into the neutral values of `values`.

Owns: offsets from `ast` positions (UTF-8 byte columns, universal newlines, a BOM), which SDK function a
callee names, and evaluating one expression in a scope: literals, names, lists and dicts with their
spreads, f-strings and `+`, conditionals, attribute reads, and calls of the SDK (`service(...)`,
`project(...)`, sources, ...). Calls of the file's own helper functions are followed by the statement
reader (`python.PythonReader.follow_helper`); nothing here binds names or walks statements.
"""

from __future__ import annotations

import ast
import re

from railcheck.sources.iac.reader import Reader
from railcheck.sources.iac.scopes import Scope, bound_sdk_function
from railcheck.sources.iac.values import (
    BUILT_DYNAMICALLY,
    DATABASE_KINDS,
    MAX_DEPTH,
    MAX_ITEMS,
    RESOURCE_KINDS,
    SOURCE_KINDS,
    Array,
    Dictionary,
    Literal,
    Resource,
    Unknown,
    Value,
    conditional_value,
    first_of_aliases,
    is_none,
    joined_text,
    lookup,
    source_dictionary,
    splice_spread,
    spread_entries,
)

# The exports of railway_sdk 0.7.0 that a project file calls.
PYTHON_SDK_EXPORTS = frozenset(
    {
        "bucket",
        "createRailwayContext",
        "create_railway_context",
        "database",
        "defineRailway",
        "define_railway",
        "empty",
        "fn",
        "function_image",
        "function_start_command",
        "github",
        "group",
        "image",
        "mongo",
        "mysql",
        "postgres",
        "preserve",
        "project",
        "redis",
        "ref",
        "service",
        "template",
        "volume",
        "ServiceCdn",
        "ScheduleWindow",
    }
)
_NEWLINE = re.compile(r"\r\n|\r|\n")  # Python's universal newlines, which ast positions count in
_STRING_OPENING = re.compile(r"([rRbBuUfF]{0,2})('''|\"\"\"|'|\")")
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class PythonExpressions(Reader[ast.AST]):
    """Evaluates the expressions of a Python IaC file; `python.PythonReader` adds its statements."""

    def __init__(self, text: str) -> None:
        super().__init__(text, python=True)
        # A decoded file may keep its BOM; Python drops it when reading, and ast rejects it in a string.
        self.base = 1 if text.startswith("\ufeff") else 0
        self.source = text[self.base :]
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(self.source)]
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
        # Every node handed here is an expression or a statement, which carry positions; ast.AST does not say so.
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end_line = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
        end_col = getattr(node, "end_col_offset", None)
        end = self.offset(end_line, end_col if end_col is not None else node.col_offset)  # type: ignore[attr-defined]
        return start, max(start, end)

    # names

    def sdk_name(self, node: ast.expr, scope: Scope, scanning: bool = False) -> str | None:
        """The railway_sdk function that `node` names, if it does."""
        if isinstance(node, ast.Name):
            found = scope.find(node.id)
            if found is None:
                if node.id in PYTHON_SDK_EXPORTS:
                    # Unbound, so the file means the SDK's function (a star import, or a forgotten import).
                    if not self.module.star and not scanning:
                        self.undeclared.setdefault(node.id, self.span(node))
                    return node.id
                return None
            return bound_sdk_function(found[1]) if node.id not in self.mutated else None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr in PYTHON_SDK_EXPORTS:
            if scope.is_sdk_module(node.value.id):
                return node.attr
        return None

    def resolve(self, node: ast.Name, scope: Scope, depth: int) -> Value:
        return self.bound_value(node.id, scope, depth, *self.span(node))

    # expressions

    def evaluate(self, node: ast.expr, scope: Scope, depth: int) -> Value:
        start, end = self.span(node)
        if depth > MAX_DEPTH:
            return Unknown("is nested too deeply to read", start, end)
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, str):
                return Literal(value, start, end, self.text_start(start, end, value))
            if value is None or isinstance(value, (bool, int, float)):
                return Literal(value, start, end)
            return Unknown(f"is a {type(value).__name__} literal", start, end)
        if isinstance(node, ast.JoinedStr):
            if all(isinstance(part, ast.Constant) and isinstance(part.value, str) for part in node.values):
                # all() above made every part a string constant; mypy does not narrow through it.
                value = "".join(part.value for part in node.values)  # type: ignore[attr-defined]
                return Literal(value, start, end, self.text_start(start, end, value))
            return joined_text(
                [self.placeholder(part, scope, depth) for part in node.values],
                start,
                end,
                True,
                "is an f-string with placeholders",
            )
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.evaluate(node.left, scope, depth + 1), self.evaluate(node.right, scope, depth + 1)
            # str + str only: Python adds no number to a text
            if all(
                isinstance(side, Unknown) or (isinstance(side, Literal) and isinstance(side.value, str))
                for side in (left, right)
            ):
                return joined_text([left, right], start, end, True, "is computed with an operator")
            if isinstance(left, Array) and isinstance(right, Array):  # `resources=[db, api] + WORKERS`
                joined = Array(list(left.items), start, end, None, list(left.holes))
                splice_spread(joined, right, *self.span(node.right))
                return joined
            return Unknown("is computed with an operator", start, end)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            number = node.operand.value if isinstance(node.operand, ast.Constant) else None
            if type(number) in (int, float):
                assert isinstance(number, (int, float))
                return Literal(-number if isinstance(node.op, ast.USub) else number, start, end)
            return Unknown("is computed with an operator", start, end)
        if isinstance(node, ast.Name):
            return self.resolve(node, scope, depth)
        if isinstance(node, (ast.List, ast.Tuple)):
            array = Array([], start, end)
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    splice_spread(array, self.evaluate(element.value, scope, depth + 1), *self.span(element))
                else:
                    array.items.append(self.evaluate(element, scope, depth + 1))
            return array
        if isinstance(node, ast.Dict):
            entries: list[tuple[str | None, Value]] = []
            for key_node, value_node in zip(node.keys, node.values, strict=True):
                if key_node is None:
                    entries.extend(spread_entries(self.evaluate(value_node, scope, depth + 1), "the spread value"))
                    if len(entries) > MAX_ITEMS:
                        return Unknown("is too large to read", start, end)
                    continue
                key = self.evaluate(key_node, scope, depth + 1)
                item = self.evaluate(value_node, scope, depth + 1)
                if isinstance(key, Literal) and isinstance(key.value, str):
                    entries.append((key.value, item))
                else:
                    why = key.reason if isinstance(key, Unknown) else "is not a string"
                    entries.append((None, Unknown(f"has a key that {why}", key.start, key.end)))
            return Dictionary(entries, start, end)
        if isinstance(node, ast.Call):
            return self.call(node, scope, depth, start, end)
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            return self.access(node, scope, depth, start, end)
        if isinstance(node, COMPREHENSIONS):
            if any(isinstance(c, ast.Call) and self.sdk_name(c.func, scope) in RESOURCE_KINDS for c in ast.walk(node)):
                return Unknown(BUILT_DYNAMICALLY, start, end)
            return Unknown("comes from a comprehension", start, end)
        if isinstance(node, ast.Set):
            return Unknown("is a set", start, end)
        if isinstance(node, (ast.BinOp, ast.BoolOp, ast.UnaryOp, ast.Compare)):
            return Unknown("is computed with an operator", start, end)
        if isinstance(node, ast.IfExp):
            return conditional_value(
                self.evaluate(node.body, scope, depth + 1), self.evaluate(node.orelse, scope, depth + 1), start, end
            )
        if isinstance(node, ast.Lambda):
            return Unknown("is a lambda", start, end)
        if isinstance(node, ast.Await):
            return Unknown("is awaited", start, end)
        if isinstance(node, ast.NamedExpr):
            return Unknown("is an assignment expression", start, end)
        return Unknown(f"is not a literal ({type(node).__name__})", start, end)

    def placeholder(self, part: ast.expr, scope: Scope, depth: int) -> Value:
        """One part of an f-string: its text, or the value of a `{name}` with no conversion or format spec."""
        if isinstance(part, ast.FormattedValue):
            if part.format_spec is not None or part.conversion not in (-1, ord("s")):
                return Unknown("is formatted", *self.span(part))
            return self.evaluate(part.value, scope, depth + 1)
        return self.evaluate(part, scope, depth + 1)

    def text_start(self, start: int, end: int, value: str) -> int | None:
        written = self.text[start:end]
        match = _STRING_OPENING.match(written)
        if match is None:
            return None
        quote = match.group(2)
        body_start = match.end()
        body = written[body_start : len(written) - len(quote)]
        if written.endswith(quote) and len(written) >= body_start + len(quote) and body == value:
            return start + body_start
        return None

    def access(self, node: ast.Attribute | ast.Subscript, scope: Scope, depth: int, start: int, end: int) -> Value:
        dotted = _dotted_name(node)
        chain: list[str] = []
        base: ast.expr = node
        while isinstance(base, (ast.Attribute, ast.Subscript)):
            chain.append(base.attr if isinstance(base, ast.Attribute) else "[...]")
            base = base.value
        chain.reverse()
        if dotted is not None and (dotted.startswith(("os.environ", "environ"))):
            return Unknown(f"reads {dotted}", start, end)
        target: Value | None = None
        if isinstance(base, ast.Name) and chain[:1] == ["env"]:
            found = scope.find(base.id)
            if found is not None and len(found[1]) == 1 and found[1][0].kind == "assign":
                target = self.resolve(base, scope, depth + 1)
        name = base.id if isinstance(base, ast.Name) else None
        return self.attribute_read(chain, name, target, dotted or "an attribute", start, end)

    def call(self, node: ast.Call, scope: Scope, depth: int, start: int, end: int) -> Value:
        kind = self.sdk_name(node.func, scope)
        if kind is None:
            followed = self.follow_helper(node, node.func, scope, depth, start, end)
            if followed is not None:
                return followed
        if kind is None and isinstance(node.func, ast.Attribute) and node.func.attr == "with_fields":
            made = self.evaluate(node.func.value, scope, depth + 1)
            if isinstance(made, Resource):
                return _with_fields(made, start, end)
        if kind is None:
            dotted = _dotted_name(node.func)
            if dotted == "dict" and scope.find("dict") is None and not node.args:
                return self.keywords(node, scope, depth, start, end)
            if any(
                isinstance(c, ast.Call) and self.sdk_name(c.func, scope) in RESOURCE_KINDS
                for c in ast.walk(node)
                if c is not node
            ):
                return Unknown(BUILT_DYNAMICALLY, start, end)  # map(lambda n: service(n), ...), list(make_services())
            return Unknown(f"calls {dotted or 'a function'}", start, end)
        args: list[Value] = []
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                return Unknown(f"passes *arguments to {kind}(...)", start, end)
            args.append(self.evaluate(argument, scope, depth + 1))
        options = self.keywords(node, scope, depth, start, end)

        def take(index: int, name: str) -> Value | None:
            if index < len(args):
                return args[index]
            found = lookup(options, name)
            if found is not None:
                options.entries = [(k, v) for k, v in options.entries if k != name]
            return found

        if kind in ("service", "fn") or kind in DATABASE_KINDS or kind in ("volume", "bucket"):
            name = take(0, "name")
            most = {"fn": 3, "database": 2, "volume": 2, "bucket": 2}.get(kind, 1)
            if len(args) > most:
                self.output.problem(
                    f"{kind}() takes its settings as keyword arguments; the extra positional "
                    "argument would fail when the file runs",
                    args[most].start,
                    args[-1].end,
                )
            if kind == "fn":
                code_file, runtime = take(1, "code_file"), take(2, "runtime")
                if not is_none(code_file) or not is_none(runtime):
                    if is_none(lookup(options, "source")):
                        image = source_dictionary("image", None, Dictionary([], start, end), start, end, True)
                        options.entries.append(("source", image))  # fn() runs its code on the function image
                if not is_none(code_file):
                    assert code_file is not None
                    options.entries.append(
                        ("start", Unknown("is built by fn() from its code file", code_file.start, code_file.end))
                    )
            return Resource(kind, name, options, None, start, end, kind)
        if kind in SOURCE_KINDS:
            return source_dictionary(kind, take(0, "name") if kind != "empty" else None, options, start, end, True)
        if kind == "project":
            name = take(0, "name")
            definition = take(1, "definition")
            payload = Dictionary(spread_entries(definition, "the definition") + options.entries, start, end)
            resources = lookup(payload, "resources")
            if is_none(resources):
                resources = first_of_aliases([lookup(payload, "services")], True)
            return Resource("project", name, payload, resources, start, end, kind)
        if kind == "group":
            name = take(0, "name")
            resources = take(1, "resources")
            if isinstance(resources, Dictionary):
                resources = None  # group(name, {options}): no resources
            return Resource("group", name, options, resources, start, end, kind)
        return self.other_sdk_call(kind, start, end)

    def keywords(self, node: ast.Call, scope: Scope, depth: int, start: int, end: int) -> Dictionary:
        # Python rejects a keyword given twice, so explicit keywords are definite whatever their order
        # relative to `**spread`: put spreads first so that lookups see the explicit ones.
        spreads: list[tuple[str | None, Value]] = []
        explicit: list[tuple[str | None, Value]] = []
        for keyword in node.keywords:
            value = self.evaluate(keyword.value, scope, depth + 1)
            if keyword.arg is None:
                spreads.extend(spread_entries(value, "the ** value"))
            else:
                explicit.append((keyword.arg, value))
        return Dictionary(spreads + explicit, start, end)


def _with_fields(made: Resource, start: int, end: int) -> Resource:
    """`resource.with_fields(...)`: the same resource with raw fields replaced. A database stays the database
    it names; a service's settings may all have changed, so they read as unknown."""
    if made.kind in DATABASE_KINDS:
        return Resource(made.kind, made.name, made.config, made.items, start, end, made.callee)
    hidden = Unknown("may be replaced by .with_fields(...)", start, end)
    config = Dictionary([*made.config.entries, (None, hidden)], start, end)
    return Resource(made.kind, made.name, config, made.items, start, end, made.callee)


def _dotted_name(node: ast.expr) -> str | None:
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
