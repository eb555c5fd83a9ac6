"""The TypeScript front end: a `.railway/railway.ts` file (npm `railway`, `railway/iac`), read with tree-sitter.

Owns: the statements. Parsing (and saying where a syntax error is), binding the file's names and imports
in their scopes (and which bindings sit in a loop, an `if` or a `try`), finding the `defineRailway(...)`
programs and the values they return, scanning the whole file for local imports, mutations and resources
built dynamically, and following the file's own helper functions through their parameters. Expressions
are evaluated by `typescript_expressions`, which this reader extends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from railcheck.sources.iac.reader import MUTATING_METHODS, PROGRAM_DEFINERS
from railcheck.sources.iac.scopes import Binding, Scope
from railcheck.sources.iac.typescript_expressions import TYPESCRIPT_SDK_EXPORTS, TypeScriptExpressions
from railcheck.sources.iac.typescript_syntax import (
    FUNCTION_NODES,
    LOOP_NODES,
    SURROGATE,
    call_arguments,
    children_of,
    declared_values,
    descendants,
    has_unclosed_bracket,
    parse_typescript,
    statements_of,
    unwrap,
)
from railcheck.sources.iac.values import IacFile, Literal, Unknown, Value, is_none
from railcheck.sources.text import ParseFailure

if TYPE_CHECKING:
    from tree_sitter import Node

# The modules a file imports the SDK from: `railway` re-exports the IaC functions, and `iac` as a namespace.
_SDK_MODULES = frozenset({"railway/iac", "railway"})


class TypeScriptReader(TypeScriptExpressions):
    """Reads a TypeScript IaC file (`railway/iac`) through tree-sitter's TypeScript grammar."""

    BOUND = "declared"
    SDK_FUNCTION = "the SDK function"
    NO_PROGRAM = "no defineRailway(...) program was found; reading project(...) calls at the top level"
    MANY_PROGRAMS = "more than one defineRailway(...) program; railcheck reads them all"

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.fallback: list[Node] = []  # top-level expressions, read for project(...) when there is no program

    # entry

    def read(self) -> IacFile | ParseFailure:
        # Lone surrogates cannot be encoded; one ASCII byte each keeps every other offset exact.
        clean = SURROGATE.sub("?", self.text)
        data = clean.encode("utf-8")
        if len(data) != len(clean):
            # tree-sitter reports UTF-8 byte offsets; railcheck's are code points.
            table: list[int] = []
            for index, char in enumerate(clean):
                table.extend([index] * len(char.encode("utf-8")))
            table.append(len(clean))
            self.byte_to_char = table
        tree = parse_typescript(data)
        root = tree.root_node
        if root.has_error:
            return self.syntax_failure(root)
        statements = children_of(root)
        self.bind_statements(self.module, statements)
        self.find_programs(statements)
        self.scan(root)  # after finding the programs: calls inside them are not dynamic
        self.read_programs(self.project_calls())
        return self.finish("railway/iac", "to compile", "partial")

    def syntax_failure(self, root: Node) -> ParseFailure:
        stack = [root]
        while stack:
            node = stack.pop()
            if node.is_missing:
                start, end = self.span(node)
                return ParseFailure(f"invalid TypeScript: missing {node.type!r}", start, end)
            if node.is_error:
                # An ERROR node holds the tokens the parser skipped; where it starts depends on how far the
                # parser backtracked, so its last token is the better guess at the culprit.
                start, end = self.span(node)
                if not self.text[end:].strip() and has_unclosed_bracket(node):
                    at = len(self.text.rstrip())
                    return ParseFailure(
                        "invalid TypeScript: unexpected end of file (is a bracket left open?)", max(at - 1, 0), at
                    )
                token = node
                while token.child_count and token.type not in ("string", "template_string", "regex"):
                    token = token.children[-1]
                start, end = self.span(token if token.end_byte > token.start_byte else node)
                text = self.text[start:end].strip()[:40]
                return ParseFailure(
                    f"invalid TypeScript: syntax error near {text!r}" if text else "invalid TypeScript",
                    start,
                    max(end, start),
                )
            if node.has_error:
                stack.extend(reversed(node.children))
        return ParseFailure("invalid TypeScript", 0, min(1, len(self.text)))

    # bindings

    def bind_statements(self, scope: Scope, statements: list[Node], where: str | None = None) -> None:
        stack: list[tuple[Node, str | None]] = [(s, where) for s in reversed(statements)]
        while stack:
            node, where = stack.pop()
            kind = node.type
            line = self.line(node)

            def push(children: list[Node], why: str, where: str | None = where) -> None:
                stack.extend((c, where or why) for c in reversed(children))

            if kind in ("lexical_declaration", "variable_declaration"):
                for declarator in children_of(node):
                    if declarator.type != "variable_declarator":
                        continue
                    name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
                    if name is None:
                        continue
                    if name.type == "identifier":
                        if value is None:
                            scope.add(self.raw(name), Binding("other", None, "is declared without a value", line))
                        else:
                            scope.add(self.raw(name), Binding("assign", value, where, line))
                    else:
                        for identifier in descendants(name, ("identifier", "shorthand_property_identifier_pattern")):
                            scope.add(self.raw(identifier), Binding("other", None, "is destructured", line))
            elif kind == "export_statement":
                declaration = node.child_by_field_name("declaration")
                if declaration is not None:
                    stack.append((declaration, where))
            elif kind in ("function_declaration", "generator_function_declaration"):
                name = node.child_by_field_name("name")
                if name is not None:
                    scope.add(self.raw(name), Binding("other", node, "is a function", line))
            elif kind in ("class_declaration", "abstract_class_declaration"):
                name = node.child_by_field_name("name")
                if name is not None:
                    scope.add(self.raw(name), Binding("other", None, "is a class", line))
            elif kind == "import_statement":
                self.bind_import(scope, node, line)
            elif kind == "if_statement":
                parts = [node.child_by_field_name("consequence"), node.child_by_field_name("alternative")]
                push([c for p in parts if p is not None for c in statements_of(p)], "inside an if statement")
            elif kind in LOOP_NODES:
                left = node.child_by_field_name("left")
                if left is not None:
                    for identifier in descendants(left, ("identifier", "shorthand_property_identifier_pattern")):
                        scope.add(self.raw(identifier), Binding("other", None, "comes from a loop", line))
                initializer = node.child_by_field_name("initializer")
                body = node.child_by_field_name("body")
                inside = [initializer] if initializer is not None else []
                push(inside + (statements_of(body) if body is not None else []), "inside a loop")
            elif kind == "try_statement":
                children: list[Node] = []
                for part in ("body", "handler", "finalizer"):
                    child = node.child_by_field_name(part)
                    if child is None:
                        continue
                    if child.type == "catch_clause":
                        parameter = child.child_by_field_name("parameter")
                        if parameter is not None:
                            for identifier in descendants(parameter, ("identifier",)):
                                scope.add(self.raw(identifier), Binding("other", None, "is a caught error", line))
                        child = child.child_by_field_name("body") or child
                    children.extend(statements_of(child))
                push(children, "inside a try statement")
            elif kind == "statement_block":
                push(children_of(node), "inside a block")
            elif kind == "switch_statement":
                body = node.child_by_field_name("body")
                cases = children_of(body) if body is not None else []
                push(
                    [s for case in cases for s in children_of(case)[1 if case.type == "switch_case" else 0 :]],
                    "inside a switch statement",
                )
            elif kind == "labeled_statement":
                body = node.child_by_field_name("body")
                if body is not None:
                    stack.append((body, where))

    def bind_import(self, scope: Scope, node: Node, line: int) -> None:
        source_node = node.child_by_field_name("source")
        source = self.string_value(source_node) if source_node is not None else None
        from_sdk = source in _SDK_MODULES
        clause = next((c for c in children_of(node) if c.type == "import_clause"), None)
        if clause is None:
            return
        for part in children_of(clause):
            if part.type == "identifier":  # a default import: railway/iac has no default export
                scope.add(self.raw(part), Binding("other", None, f"is imported from {source}", line))
            elif part.type == "namespace_import":
                for identifier in children_of(part):
                    binding = (
                        Binding("sdkmodule", None, None, line)
                        if source == "railway/iac"
                        else Binding("other", None, f"is imported from {source}", line)
                    )
                    scope.add(self.raw(identifier), binding)
            elif part.type == "named_imports":
                for specifier in children_of(part):
                    if specifier.type != "import_specifier":
                        continue
                    name = specifier.child_by_field_name("name")
                    alias = specifier.child_by_field_name("alias") or name
                    if name is None or alias is None:
                        continue
                    imported, local = self.raw(name).strip("\"'"), self.raw(alias)
                    if from_sdk and imported in TYPESCRIPT_SDK_EXPORTS:
                        scope.add(local, Binding("sdk", imported, None, line))
                    elif from_sdk and imported == "iac":
                        scope.add(local, Binding("sdkmodule", None, None, line))
                    else:
                        scope.add(local, Binding("other", None, f"is imported from {source}", line))

    # the program

    def find_programs(self, statements: list[Node]) -> None:
        candidates: list[Node] = []
        defaults: list[Node] = []
        for statement in statements:
            if statement.type == "export_statement":
                value = statement.child_by_field_name("value")
                declaration = statement.child_by_field_name("declaration")
                if value is not None:
                    candidates.append(value)
                    defaults.append(value)
                elif declaration is not None:
                    candidates.extend(declared_values(declaration))
                    if declaration.type in ("function_declaration", "generator_function_declaration") and any(
                        c.type == "default" for c in statement.children
                    ):
                        defaults.append(declaration)
            elif statement.type == "expression_statement":
                candidates.extend(children_of(statement))
            elif statement.type in ("lexical_declaration", "variable_declaration"):
                candidates.extend(declared_values(statement))
        for expression in candidates:
            expression = unwrap(expression)
            if expression.type != "call_expression":
                continue
            callee = expression.child_by_field_name("function")
            if callee is None or self.sdk_name(callee, self.module) not in PROGRAM_DEFINERS:
                continue
            arguments = call_arguments(expression)
            if arguments:
                program = self.function_of(arguments[0])
                if program is not None:
                    self.add_program(program, program.id)
        if not self.programs:
            for expression in defaults:  # `export default (ctx) => project(...)` without defineRailway
                program = self.function_of(expression)
                if program is not None:
                    self.add_program(program, program.id)
        self.fallback = candidates

    def project_calls(self) -> Iterator[Node]:
        """The `project(...)` calls at the top level, read when the file defines no program."""
        for expression in self.fallback:
            expression = unwrap(expression)
            callee = expression.child_by_field_name("function") if expression.type == "call_expression" else None
            if callee is not None and self.sdk_name(callee, self.module) == "project":
                yield expression

    def function_of(self, node: Node) -> Node | None:
        node = unwrap(node)
        if node.type in FUNCTION_NODES:
            return node
        if node.type == "identifier":
            bindings = self.module.bindings.get(self.raw(node), [])
            if len(bindings) == 1:
                return _bound_function(bindings[0])
        return None

    def read_program(self, program: Node) -> None:
        label = "the defineRailway program"
        scope = Scope(label, self.module)
        parameters = program.child_by_field_name("parameters") or program.child_by_field_name("parameter")
        if parameters is not None:
            names = (
                [parameters]
                if parameters.type == "identifier"
                else [p.child_by_field_name("pattern") or p for p in children_of(parameters)]
            )
            for index, pattern in enumerate(names):
                if pattern is None:
                    continue
                if index == 1 and pattern.type == "identifier":
                    # RailwayProgram is called as (ctx, project): the second parameter is the SDK's project().
                    scope.add(self.raw(pattern), Binding("sdk", "project", None, self.line(pattern)))
                    continue
                for identifier in descendants(pattern, ("identifier", "shorthand_property_identifier_pattern")):
                    scope.add(
                        self.raw(identifier),
                        Binding("other", None, f"is a parameter of {label}", self.line(identifier)),
                    )
        body = program.child_by_field_name("body")
        if body is None:
            return
        if body.type != "statement_block":
            self.output.program_result(self.evaluate(body, scope, 0), label)
            return
        self.bind_statements(scope, children_of(body))
        returns: list[Node] = []
        stack = list(reversed(children_of(body)))
        while stack:
            node = stack.pop()
            if node.type == "return_statement":
                returns.append(node)
            elif node.type not in FUNCTION_NODES and node.type not in ("class_declaration", "class"):
                stack.extend(reversed(children_of(node)))
        self.read_returns(label, program, [(node, next(iter(children_of(node)), None)) for node in returns], scope)

    # whole-file scan

    def scan(self, root: Node) -> None:
        stack: list[tuple[Node, str | None]] = [(root, None)]
        while stack:
            node, context = stack.pop()
            kind = node.type
            if kind in ("import_statement", "export_statement"):
                source = node.child_by_field_name("source")
                if source is not None:
                    value = self.string_value(source) or ""
                    if value.startswith((".", "/")):
                        verb = "imports" if kind == "import_statement" else "re-exports"
                        self.output.problem(
                            f"{verb} the local module {value}; railcheck does not follow imports, so "
                            "values taken from it are unknown",
                            *self.span(node),
                        )
            elif kind == "call_expression":
                callee = node.child_by_field_name("function")
                if callee is not None:
                    self.scan_call(node, callee, context)
            elif kind in ("assignment_expression", "augmented_assignment_expression"):
                left = node.child_by_field_name("left")
                if left is not None:
                    self.mark(left, f"is assigned again (line {self.line(node)})")
            elif kind == "update_expression":
                argument = node.child_by_field_name("argument")
                if argument is not None:
                    self.mark(argument, f"is changed by {self.raw(node)} (line {self.line(node)})")
            elif kind == "unary_expression" and any(c.type == "delete" for c in node.children):
                argument = node.child_by_field_name("argument")
                if argument is not None:
                    self.mark(argument, f"is changed by delete (line {self.line(node)})")
            children = list(reversed(node.children))
            if kind in FUNCTION_NODES and node.id not in self.program_ids and not self.is_helper(node):
                name = node.child_by_field_name("name")
                where = f"the function {self.raw(name)}()" if name is not None else "a callback"
                context = context or f"inside {where}, which railcheck does not follow"
                stack.extend((c, context) for c in children)
            elif kind in LOOP_NODES:
                body = node.child_by_field_name("body")
                stack.extend(
                    (c, context or "inside a loop") if body is not None and c.id == body.id else (c, context)
                    for c in children
                )
            else:
                stack.extend((c, context) for c in children)

    def scan_call(self, node: Node, callee: Node, context: str | None) -> None:
        if callee.type in ("import", "identifier") and (callee.type == "import" or self.raw(callee) == "require"):
            arguments = call_arguments(node)
            value = self.string_value(arguments[0]) if arguments else None
            if value is not None and value.startswith((".", "/")):
                self.output.problem(
                    f"loads the local module {value}; railcheck does not follow imports, so values "
                    "taken from it are unknown",
                    *self.span(node),
                )
            return
        if callee.type == "member_expression":
            target, prop = callee.child_by_field_name("object"), callee.child_by_field_name("property")
            if target is not None and prop is not None:
                if self.raw(prop) in MUTATING_METHODS:
                    self.mark(target, f"is changed by .{self.raw(prop)}() (line {self.line(node)})")
                if self.raw(target) == "Object" and self.raw(prop) in ("assign", "defineProperty"):
                    arguments = call_arguments(node)
                    if arguments:
                        self.mark(arguments[0], f"is changed by Object.{self.raw(prop)}() (line {self.line(node)})")
        self.check_dynamic(self.sdk_name(callee, self.module, scanning=True), context, node)

    def mark(self, node: Node, why: str) -> None:
        node = unwrap(node)
        while node.type in ("member_expression", "subscript_expression"):
            inner = node.child_by_field_name("object")
            if inner is None:
                return
            node = unwrap(inner)
        if node.type == "identifier":
            self.mutated.setdefault(self.raw(node), why)

    # the file's own helper functions

    def is_helper(self, function: Node) -> bool:
        """A named function (a declaration, or a function bound to a `const`) whose result railcheck reads."""
        named = function.type == "function_declaration" or (
            function.parent is not None and function.parent.type == "variable_declarator"
        )
        return named and _helper_return(function) is not None

    def follow_helper(self, call: Node, callee: Node, scope: Scope, depth: int, start: int, end: int) -> Value | None:
        helper = self.helper_of(callee, scope)
        if helper is None:
            return None
        function, owner, label = helper
        return self.call_helper(
            function.id,
            label,
            owner,
            start,
            end,
            lambda inner: self.read_helper(function, label, call, scope, inner, depth),
        )

    def helper_of(self, callee: Node, scope: Scope) -> tuple[Node, Scope, str] | None:
        """The helper function `callee` names, the scope that defines it, and how to call it in messages."""
        callee = unwrap(callee)
        if callee.type != "identifier":
            return None
        name = self.raw(callee)
        found = scope.find(name)
        if found is None or len(found[1]) != 1 or name in self.mutated:
            return None
        function = _bound_function(found[1][0])
        if function is None or function.type not in FUNCTION_NODES or not self.is_helper(function):
            return None
        return function, found[0], f"{name}()"

    def read_helper(self, function: Node, label: str, call: Node, caller: Scope, inner: Scope, depth: int) -> Value:
        """What `function` returns for `call`: its parameters bound to the arguments read in `caller`."""
        start, end = self.span(call)
        arguments = call_arguments(call)
        parameters = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
        patterns = (
            [] if parameters is None else [parameters] if parameters.type == "identifier" else children_of(parameters)
        )
        # A `this: T` parameter only types `this`; the arguments start after it.
        patterns = [
            p
            for p in patterns
            if p.type == "identifier" or getattr(p.child_by_field_name("pattern"), "type", None) != "this"
        ]
        if any(argument.type == "spread_element" for argument in arguments):
            return Unknown(f"passes ...arguments to {label}", start, end)
        if len(arguments) > len(patterns):
            return Unknown(f"passes more arguments than {label} takes", start, end)
        for index, parameter in enumerate(patterns):
            pattern = parameter if parameter.type == "identifier" else parameter.child_by_field_name("pattern")
            default = None if parameter.type == "identifier" else parameter.child_by_field_name("value")
            if pattern is None:
                continue
            line = self.line(pattern)
            if pattern.type != "identifier":
                for identifier in descendants(pattern, ("identifier", "shorthand_property_identifier_pattern")):
                    why = f"is destructured from an argument of {label}"
                    inner.add(self.raw(identifier), Binding("other", None, why, line))
                continue
            value = self.evaluate(arguments[index], caller, depth + 1) if index < len(arguments) else None
            if value is None or (is_none(value) and default is not None):
                # JavaScript applies the default for a missing or undefined argument; defaults belong to the
                # scope that defines the function.
                value = (
                    self.evaluate(default, inner.parent or inner, depth + 1)
                    if default is not None
                    else Literal(None, start, end)
                )
            inner.add(self.raw(pattern), Binding("value", value, None, line))
        body = function.child_by_field_name("body")
        returned = _helper_return(function)
        assert body is not None and returned is not None
        if body.type == "statement_block":
            self.bind_statements(inner, children_of(body)[:-1])
        return self.evaluate(returned, inner, depth + 1)


def _bound_function(binding: Binding) -> Node | None:
    """The function a binding holds: a function declaration, or a function expression bound to a name."""
    if binding.kind == "other":  # only a function declaration binds a node here (`bind_statements`)
        return cast("Node | None", binding.node)
    if binding.kind == "assign":  # the declared value's expression
        value = unwrap(cast("Node", binding.node))
        return value if value.type in FUNCTION_NODES else None
    return None


def _helper_return(function: Node) -> Node | None:
    """What a helper railcheck follows returns: an arrow function's expression, or a body of `const`
    declarations and then one `return value`. Anything else may branch or loop."""
    if function.type not in ("function_declaration", "function_expression", "function", "arrow_function"):
        return None
    if any(child.type == "async" for child in function.children):
        return None
    body = function.child_by_field_name("body")
    if body is None:
        return None
    if body.type != "statement_block":
        return body
    statements = children_of(body)
    if not statements or statements[-1].type != "return_statement":
        return None
    if any(statement.type != "lexical_declaration" for statement in statements[:-1]):
        return None
    returned = children_of(statements[-1])
    return returned[0] if returned else None
