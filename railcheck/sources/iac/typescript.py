"""The TypeScript front end: a `.railway/railway.ts` file (npm `railway`, `railway/iac`), read with tree-sitter.

Owns: parsing (and saying where a syntax error is), offsets (tree-sitter's UTF-8 bytes to code points),
binding the file's names and imports, finding the `defineRailway(...)` programs, scanning for local
imports, mutations and resources built dynamically, and evaluating expressions and SDK calls into the
neutral values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from railcheck.sources.iac.reader import _DEFINE, _MUTATORS, _Binding, _Reader, _Scope, _sdk_binding
from railcheck.sources.iac.typescript_syntax import (
    _SURROGATE, _TS_FUNCTIONS, _TS_LOOPS, _TS_TRANSPARENT, _arguments, _declared_values, _descendants, _js_number,
    _js_unescape, _named, _parse, _statements, _unclosed, _unwrap,
)
from railcheck.sources.iac.values import (
    _DYNAMIC, _MAX_DEPTH, _MAX_ITEMS, _RESOURCE_KINDS, _SOURCE_KINDS, IacFile, _Arr, _first, _is_none, _Lit, _lookup,
    _Obj, _Res, _source_obj, _splice, _spread_entries, _Unk, _V, _either, _joined,
)
from railcheck.sources.text import ParseFailure

if TYPE_CHECKING:
    from tree_sitter import Node

# The exports of railway/iac (npm railway 3.11.0) that a project file calls.
_TS_SDK = frozenset({
    "bucket", "createRailwayContext", "database", "define", "defineRailway", "empty", "fn", "github", "group",
    "image", "mongo", "mysql", "postgres", "preserve", "project", "redis", "ref", "service", "template", "volume",
})
_TS_MODULES = frozenset({"railway/iac", "railway"})  # `railway` re-exports the IaC functions, and `iac` as a namespace


class _TsReader(_Reader["Node"]):
    """Reads a TypeScript IaC file (`railway/iac`) through tree-sitter's TypeScript grammar."""

    BOUND = "declared"
    SDK_FUNCTION = "the SDK function"
    NO_PROGRAM = "no defineRailway(...) program was found; reading project(...) calls at the top level"
    MANY_PROGRAMS = "more than one defineRailway(...) program; railcheck reads them all"

    def __init__(self, text: str) -> None:
        super().__init__(text, python=False)
        self.fallback: list[Node] = []
        self.byte_to_char: list[int] | None = None

    # positions

    def span(self, node: Node) -> tuple[int, int]:
        table = self.byte_to_char
        if table is None:
            return node.start_byte, node.end_byte
        return table[min(node.start_byte, len(table) - 1)], table[min(node.end_byte, len(table) - 1)]

    def raw(self, node: Node) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def line(self, node: Node) -> int:
        return node.start_point[0] + 1

    # entry

    def read(self) -> IacFile | ParseFailure:
        # Lone surrogates cannot be encoded; one ASCII byte each keeps every other offset exact.
        clean = _SURROGATE.sub("?", self.text)
        data = clean.encode("utf-8")
        if len(data) != len(clean):
            # tree-sitter reports UTF-8 byte offsets; railcheck's are code points.
            table: list[int] = []
            for index, char in enumerate(clean):
                table.extend([index] * len(char.encode("utf-8")))
            table.append(len(clean))
            self.byte_to_char = table
        tree = _parse(data)
        root = tree.root_node
        if root.has_error:
            return self.syntax_failure(root)
        statements = _named(root)
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
                if not self.text[end:].strip() and _unclosed(node):
                    at = len(self.text.rstrip())
                    return ParseFailure("invalid TypeScript: unexpected end of file (is a bracket left open?)",
                                        max(at - 1, 0), at)
                token = node
                while token.child_count and token.type not in ("string", "template_string", "regex"):
                    token = token.children[-1]
                start, end = self.span(token if token.end_byte > token.start_byte else node)
                text = self.text[start:end].strip()[:40]
                return ParseFailure(f"invalid TypeScript: syntax error near {text!r}" if text else "invalid TypeScript",
                                    start, max(end, start))
            if node.has_error:
                stack.extend(reversed(node.children))
        return ParseFailure("invalid TypeScript", 0, min(1, len(self.text)))

    # bindings

    def bind_statements(self, scope: _Scope, statements: list[Node], where: str | None = None) -> None:
        stack: list[tuple[Node, str | None]] = [(s, where) for s in reversed(statements)]
        while stack:
            node, where = stack.pop()
            kind = node.type
            line = self.line(node)

            def push(children: list[Node], why: str) -> None:
                stack.extend((c, where or why) for c in reversed(children))

            if kind in ("lexical_declaration", "variable_declaration"):
                for declarator in _named(node):
                    if declarator.type != "variable_declarator":
                        continue
                    name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
                    if name is None:
                        continue
                    if name.type == "identifier":
                        if value is None:
                            scope.add(self.raw(name), _Binding("other", None, "is declared without a value", line))
                        else:
                            scope.add(self.raw(name), _Binding("assign", value, where, line))
                    else:
                        for identifier in _descendants(name, ("identifier", "shorthand_property_identifier_pattern")):
                            scope.add(self.raw(identifier), _Binding("other", None, "is destructured", line))
            elif kind == "export_statement":
                declaration = node.child_by_field_name("declaration")
                if declaration is not None:
                    stack.append((declaration, where))
            elif kind in ("function_declaration", "generator_function_declaration"):
                name = node.child_by_field_name("name")
                if name is not None:
                    scope.add(self.raw(name), _Binding("other", node, "is a function", line))
            elif kind in ("class_declaration", "abstract_class_declaration"):
                name = node.child_by_field_name("name")
                if name is not None:
                    scope.add(self.raw(name), _Binding("other", None, "is a class", line))
            elif kind == "import_statement":
                self.bind_import(scope, node, line)
            elif kind == "if_statement":
                parts = [node.child_by_field_name("consequence"), node.child_by_field_name("alternative")]
                push([c for p in parts if p is not None for c in _statements(p)], "inside an if statement")
            elif kind in _TS_LOOPS:
                left = node.child_by_field_name("left")
                if left is not None:
                    for identifier in _descendants(left, ("identifier", "shorthand_property_identifier_pattern")):
                        scope.add(self.raw(identifier), _Binding("other", None, "comes from a loop", line))
                initializer = node.child_by_field_name("initializer")
                body = node.child_by_field_name("body")
                inside = [initializer] if initializer is not None else []
                push(inside + (_statements(body) if body is not None else []), "inside a loop")
            elif kind == "try_statement":
                children: list[Node] = []
                for part in ("body", "handler", "finalizer"):
                    child = node.child_by_field_name(part)
                    if child is None:
                        continue
                    if child.type == "catch_clause":
                        parameter = child.child_by_field_name("parameter")
                        if parameter is not None:
                            for identifier in _descendants(parameter, ("identifier",)):
                                scope.add(self.raw(identifier), _Binding("other", None, "is a caught error", line))
                        child = child.child_by_field_name("body") or child
                    children.extend(_statements(child))
                push(children, "inside a try statement")
            elif kind == "statement_block":
                push(_named(node), "inside a block")
            elif kind == "switch_statement":
                body = node.child_by_field_name("body")
                cases = _named(body) if body is not None else []
                push([s for case in cases for s in _named(case)[1 if case.type == "switch_case" else 0 :]],
                     "inside a switch statement")
            elif kind == "labeled_statement":
                body = node.child_by_field_name("body")
                if body is not None:
                    stack.append((body, where))

    def bind_import(self, scope: _Scope, node: Node, line: int) -> None:
        source_node = node.child_by_field_name("source")
        source = self.string_value(source_node) if source_node is not None else None
        from_sdk = source in _TS_MODULES
        clause = next((c for c in _named(node) if c.type == "import_clause"), None)
        if clause is None:
            return
        for part in _named(clause):
            if part.type == "identifier":  # a default import: railway/iac has no default export
                scope.add(self.raw(part), _Binding("other", None, f"is imported from {source}", line))
            elif part.type == "namespace_import":
                for identifier in _named(part):
                    binding = _Binding("sdkmodule", None, None, line) if source == "railway/iac" else \
                        _Binding("other", None, f"is imported from {source}", line)
                    scope.add(self.raw(identifier), binding)
            elif part.type == "named_imports":
                for specifier in _named(part):
                    if specifier.type != "import_specifier":
                        continue
                    name = specifier.child_by_field_name("name")
                    alias = specifier.child_by_field_name("alias") or name
                    if name is None or alias is None:
                        continue
                    imported, local = self.raw(name).strip("\"'"), self.raw(alias)
                    if from_sdk and imported in _TS_SDK:
                        scope.add(local, _Binding("sdk", imported, None, line))
                    elif from_sdk and imported == "iac":
                        scope.add(local, _Binding("sdkmodule", None, None, line))
                    else:
                        scope.add(local, _Binding("other", None, f"is imported from {source}", line))

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
                    candidates.extend(_declared_values(declaration))
                    if declaration.type in ("function_declaration", "generator_function_declaration") and any(
                            c.type == "default" for c in statement.children):
                        defaults.append(declaration)
            elif statement.type == "expression_statement":
                candidates.extend(_named(statement))
            elif statement.type in ("lexical_declaration", "variable_declaration"):
                candidates.extend(_declared_values(statement))
        for expression in candidates:
            expression = _unwrap(expression)
            if expression.type != "call_expression":
                continue
            callee = expression.child_by_field_name("function")
            if callee is None or self.sdk_name(callee, self.module) not in _DEFINE:
                continue
            arguments = _arguments(expression)
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
            expression = _unwrap(expression)
            callee = expression.child_by_field_name("function") if expression.type == "call_expression" else None
            if callee is not None and self.sdk_name(callee, self.module) == "project":
                yield expression

    def function_of(self, node: Node) -> Node | None:
        node = _unwrap(node)
        if node.type in _TS_FUNCTIONS:
            return node
        if node.type == "identifier":
            bindings = self.module.bindings.get(self.raw(node), [])
            if len(bindings) == 1:
                binding = bindings[0]
                if binding.kind == "other" and binding.node is not None:
                    return binding.node  # type: ignore[return-value]
                if binding.kind == "assign":
                    value = _unwrap(binding.node)  # type: ignore[arg-type]
                    if value.type in _TS_FUNCTIONS:
                        return value
        return None

    def read_program(self, program: Node) -> None:
        label = "the defineRailway program"
        scope = _Scope(label, self.module)
        parameters = program.child_by_field_name("parameters") or program.child_by_field_name("parameter")
        if parameters is not None:
            names = [parameters] if parameters.type == "identifier" else [
                p.child_by_field_name("pattern") or p for p in _named(parameters)]
            for index, pattern in enumerate(names):
                if pattern is None:
                    continue
                if index == 1 and pattern.type == "identifier":
                    # RailwayProgram is called as (ctx, project): the second parameter is the SDK's project().
                    scope.add(self.raw(pattern), _Binding("sdk", "project", None, self.line(pattern)))
                    continue
                for identifier in _descendants(pattern, ("identifier", "shorthand_property_identifier_pattern")):
                    scope.add(self.raw(identifier),
                              _Binding("other", None, f"is a parameter of {label}", self.line(identifier)))
        body = program.child_by_field_name("body")
        if body is None:
            return
        if body.type != "statement_block":
            self.back.program_result(self.ev(body, scope, 0), label)
            return
        self.bind_statements(scope, _named(body))
        returns: list[Node] = []
        stack = list(reversed(_named(body)))
        while stack:
            node = stack.pop()
            if node.type == "return_statement":
                returns.append(node)
            elif node.type not in _TS_FUNCTIONS and node.type not in ("class_declaration", "class"):
                stack.extend(reversed(_named(node)))
        self.read_returns(label, program, [(node, next(iter(_named(node)), None)) for node in returns], scope)

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
                        self.back.problem(f"{verb} the local module {value}; railcheck does not follow imports, so "
                                          "values taken from it are unknown", *self.span(node))
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
            if kind in _TS_FUNCTIONS and node.id not in self.program_ids and not self.is_helper(node):
                name = node.child_by_field_name("name")
                where = f"the function {self.raw(name)}()" if name is not None else "a callback"
                context = context or f"inside {where}, which railcheck does not follow"
                stack.extend((c, context) for c in children)
            elif kind in _TS_LOOPS:
                body = node.child_by_field_name("body")
                stack.extend((c, context or "inside a loop") if body is not None and c.id == body.id else (c, context)
                             for c in children)
            else:
                stack.extend((c, context) for c in children)

    def scan_call(self, node: Node, callee: Node, context: str | None) -> None:
        if callee.type in ("import", "identifier") and (callee.type == "import" or self.raw(callee) == "require"):
            arguments = _arguments(node)
            value = self.string_value(arguments[0]) if arguments else None
            if value is not None and value.startswith((".", "/")):
                self.back.problem(f"loads the local module {value}; railcheck does not follow imports, so values "
                                  "taken from it are unknown", *self.span(node))
            return
        if callee.type == "member_expression":
            target, prop = callee.child_by_field_name("object"), callee.child_by_field_name("property")
            if target is not None and prop is not None:
                if self.raw(prop) in _MUTATORS:
                    self.mark(target, f"is changed by .{self.raw(prop)}() (line {self.line(node)})")
                if self.raw(target) == "Object" and self.raw(prop) in ("assign", "defineProperty"):
                    arguments = _arguments(node)
                    if arguments:
                        self.mark(arguments[0], f"is changed by Object.{self.raw(prop)}() (line {self.line(node)})")
        self.check_dynamic(self.sdk_name(callee, self.module, scanning=True), context, node)

    def mark(self, node: Node, why: str) -> None:
        node = _unwrap(node)
        while node.type in ("member_expression", "subscript_expression"):
            inner = node.child_by_field_name("object")
            if inner is None:
                return
            node = _unwrap(inner)
        if node.type == "identifier":
            self.mutated.setdefault(self.raw(node), why)

    # names

    def sdk_name(self, node: Node, scope: _Scope, scanning: bool = False) -> str | None:
        node = _unwrap(node)
        if node.type == "identifier":
            name = self.raw(node)
            found = scope.find(name)
            if found is None and name in _TS_SDK:
                if not scanning:  # the scan sees program parameters (`project`) as unbound; evaluation does not
                    self.undeclared.setdefault(name, self.span(node))  # a forgotten import: the SDK's function
                return name
            return _sdk_binding(found[1]) if found is not None and name not in self.mutated else None
        if node.type == "member_expression":
            target, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
            if target is not None and prop is not None and target.type == "identifier" and self.raw(prop) in _TS_SDK:
                if scope.is_sdk_module(self.raw(target)):
                    return self.raw(prop)
        return None

    def resolve(self, node: Node, scope: _Scope, depth: int) -> _V:
        start, end = self.span(node)
        name = self.raw(node)
        if name == "undefined" and scope.find(name) is None:
            return _Lit(None, start, end)
        return self.bound_value(name, scope, depth, start, end)

    # expressions

    def string_value(self, node: Node) -> str | None:
        if node.type != "string":
            return None
        raw = self.raw(node)
        return _js_unescape(raw[1:-1]) if len(raw) >= 2 else None

    def ev(self, node: Node, scope: _Scope, depth: int) -> _V:
        start, end = self.span(node)
        if depth > _MAX_DEPTH:
            return _Unk("is nested too deeply to read", start, end)
        kind = node.type
        if kind in _TS_TRANSPARENT:
            inner = _named(node)
            if not inner:
                return _Unk("is empty", start, end)
            value = self.ev(inner[-1] if kind == "type_assertion" else inner[0], scope, depth + 1)
            if isinstance(value, (_Lit, _Obj, _Arr, _Unk)):
                value.start, value.end = start, end  # fresh objects: the written expression includes the cast
            return value
        if kind == "string":
            raw = self.raw(node)
            body = raw[1:-1]
            value_text = _js_unescape(body)
            return _Lit(value_text, start, end, start + 1 if value_text == body else None)
        if kind == "template_string":
            if any(c.type == "template_substitution" for c in node.children):
                return _joined(self.template_parts(node, scope, depth), start, end, False,
                               "is a template string with placeholders")
            body = self.raw(node)[1:-1]
            cooked = _js_unescape(body.replace("\r\n", "\n").replace("\r", "\n"))
            return _Lit(cooked, start, end, start + 1 if cooked == body else None)
        if kind == "number":
            number = _js_number(self.raw(node))
            return _Lit(number, start, end) if number is not None else _Unk("is not a plain number", start, end)
        if kind in ("true", "false"):
            return _Lit(kind == "true", start, end)
        if kind in ("null", "undefined"):
            return _Lit(None, start, end)
        if kind == "unary_expression":
            operator = node.child_by_field_name("operator")
            argument = node.child_by_field_name("argument")
            sign = self.raw(operator) if operator is not None else ""
            if argument is not None and sign in ("-", "+") and argument.type == "number":
                number = _js_number(self.raw(argument))
                if number is not None:
                    return _Lit(-number if sign == "-" else number, start, end)
            return _Unk("is computed with an operator", start, end)
        if kind == "identifier":
            return self.resolve(node, scope, depth)
        if kind == "array":
            array = _Arr([], start, end)
            for element in _named(node):
                if element.type == "spread_element":
                    inner = _named(element)
                    spread = self.ev(inner[0], scope, depth + 1) if inner else _Unk("is empty", start, end)
                    _splice(array, spread, *self.span(element))
                else:
                    array.items.append(self.ev(element, scope, depth + 1))
            return array
        if kind == "object":
            return self.object(node, scope, depth, start, end)
        if kind == "call_expression":
            return self.call(node, scope, depth, start, end)
        if kind in ("member_expression", "subscript_expression"):
            return self.access(node, scope, depth, start, end)
        if kind == "new_expression":
            return _Unk(f"creates an object with {self.raw(node)[:40]}", start, end)
        if kind == "binary_expression":
            return self.binary(node, scope, depth, start, end)
        if kind == "ternary_expression":
            consequence, alternative = node.child_by_field_name("consequence"), node.child_by_field_name("alternative")
            if consequence is None or alternative is None:
                return _Unk("depends on a condition", start, end)
            return _either(self.ev(consequence, scope, depth + 1), self.ev(alternative, scope, depth + 1), start, end)
        if kind in _TS_FUNCTIONS:
            return _Unk("is a function", start, end)
        if kind == "await_expression":
            return _Unk("is awaited", start, end)
        return _Unk(f"is not a literal ({kind})", start, end)

    def template_parts(self, node: Node, scope: _Scope, depth: int) -> list[_V]:
        """The parts of a template literal: its text between placeholders, and each `${...}`'s value."""
        parts: list[_V] = []
        node_start, node_end = self.span(node)
        cursor = node_start + 1  # after the opening backquote; the text between placeholders is cooked as usual
        for child in node.children:
            if child.type != "template_substitution":
                continue
            child_start, child_end = self.span(child)
            parts.append(_Lit(_js_unescape(self.text[cursor:child_start]), cursor, child_start))
            inner = _named(child)
            parts.append(self.ev(inner[0], scope, depth + 1) if len(inner) == 1 else
                         _Unk("is not one expression", child_start, child_end))
            cursor = child_end
        parts.append(_Lit(_js_unescape(self.text[cursor : node_end - 1]), cursor, node_end - 1))
        return parts

    def binary(self, node: Node, scope: _Scope, depth: int, start: int, end: int) -> _V:
        """`a + b` where one side is a string joins their text, as JavaScript does; other operators are unknown."""
        operator, left, right = (node.child_by_field_name(field) for field in ("operator", "left", "right"))
        if operator is None or left is None or right is None or self.raw(operator) != "+":
            return _Unk("is computed with an operator", start, end)
        sides = [self.ev(left, scope, depth + 1), self.ev(right, scope, depth + 1)]
        if not any(isinstance(side, _Lit) and isinstance(side.value, str) for side in sides):
            return _Unk("is computed with an operator", start, end)  # number + number is arithmetic
        return _joined(sides, start, end, False, "is computed with an operator")

    def object(self, node: Node, scope: _Scope, depth: int, start: int, end: int) -> _Obj:
        entries: list[tuple[str | None, _V]] = []
        for member in _named(node):
            kind = member.type
            if kind == "pair":
                key_node, value_node = member.child_by_field_name("key"), member.child_by_field_name("value")
                if key_node is None or value_node is None:
                    continue
                key = self.key(key_node, scope, depth)
                value = self.ev(value_node, scope, depth + 1)
                entries.append((key, value) if key is not None else
                               (None, _Unk("has a computed key", *self.span(key_node))))
            elif kind == "shorthand_property_identifier":
                entries.append((self.raw(member), self.resolve(member, scope, depth + 1)))
            elif kind == "spread_element":
                inner = _named(member)
                spread = self.ev(inner[0], scope, depth + 1) if inner else _Unk("is empty", *self.span(member))
                entries.extend(_spread_entries(spread, "the spread value"))
                if len(entries) > _MAX_ITEMS:
                    return _Obj([(None, _Unk("is too large to read", start, end))], start, end)
            elif kind == "method_definition":
                name = member.child_by_field_name("name")
                key = self.key(name, scope, depth) if name is not None else None
                entries.append((key, _Unk("is a method", *self.span(member))) if key is not None else
                               (None, _Unk("has a computed method name", *self.span(member))))
        return _Obj(entries, start, end)

    def key(self, node: Node, scope: _Scope, depth: int) -> str | None:
        if node.type == "property_identifier":
            return self.raw(node)
        if node.type == "string":
            return self.string_value(node)
        if node.type == "number":
            number = _js_number(self.raw(node))
            return None if number is None else str(number)
        if node.type == "computed_property_name":
            inner = _named(node)
            value = self.ev(inner[0], scope, depth + 1) if inner else None
            if isinstance(value, _Lit) and isinstance(value.value, str):
                return value.value
        return None

    def access(self, node: Node, scope: _Scope, depth: int, start: int, end: int) -> _V:
        written = re.sub(r"\s+", "", self.raw(node))[:60]
        base = node
        chain: list[str] = []
        while base.type in ("member_expression", "subscript_expression"):
            prop = base.child_by_field_name("property") if base.type == "member_expression" else None
            chain.append(self.raw(prop) if prop is not None else "[...]")
            inner = base.child_by_field_name("object")
            if inner is None:
                break
            base = _unwrap(inner)
        chain.reverse()
        if written.startswith(("process.env", "Deno.env", "import.meta.env")):
            return _Unk(f"reads {written}", start, end)
        name = self.raw(base) if base.type == "identifier" else None
        target = self.resolve(base, scope, depth + 1) if name is not None and chain[:1] == ["env"] else None
        return self.attribute_read(chain, name, target, written, start, end)

    def call(self, node: Node, scope: _Scope, depth: int, start: int, end: int) -> _V:
        callee = node.child_by_field_name("function")
        kind = self.sdk_name(callee, scope) if callee is not None else None
        helper = self.helper_of(callee, scope) if kind is None and callee is not None else None
        if helper is not None:
            function, owner, label = helper
            return self.call_helper(function.id, label, owner, start, end,
                                    lambda inner: self.read_helper(function, label, node, scope, inner, depth))
        if kind is None:
            for inner in _descendants(node, ("call_expression",)):
                function = inner.child_by_field_name("function")
                if inner.id != node.id and function is not None and self.sdk_name(function, scope) in _RESOURCE_KINDS:
                    return _Unk(_DYNAMIC, start, end)  # names.map((n) => service(n, ...))
            written = re.sub(r"\s+", "", self.raw(callee))[:60] if callee is not None else "a function"
            return _Unk(f"calls {written}", start, end)
        args: list[_V] = []
        for argument in _arguments(node):
            if argument.type == "spread_element":
                return _Unk(f"passes ...arguments to {kind}(...)", start, end)
            args.append(self.ev(argument, scope, depth + 1))

        def arg(index: int) -> _V | None:
            return args[index] if index < len(args) else None

        def options(index: int) -> _Obj:
            value = arg(index)
            if value is None or _is_none(value):
                return _Obj([], start, end)
            if isinstance(value, _Obj):
                return _Obj(list(value.entries), value.start, value.end)
            return _Obj(_spread_entries(value, "the options"), value.start, value.end)

        if kind in ("service", "fn", "postgres", "mysql", "redis", "mongo", "volume", "bucket"):
            return _Res(kind, arg(0), options(1), None, start, end, kind)
        if kind == "database":
            return _Res(kind, arg(0), options(2), None, start, end, kind)
        if kind in _SOURCE_KINDS:
            return _source_obj(kind, arg(0), options(1), start, end, False)
        if kind == "project":
            definition = options(1)
            resources = _first([_lookup(definition, "resources"), _lookup(definition, "services")], False)
            return _Res("project", arg(0), definition, resources, start, end, kind)
        if kind == "group":
            resources = arg(1)
            if not isinstance(resources, (_Arr, _Unk)):
                resources = None  # group(name, {options})
            return _Res("group", arg(0), options(2), resources, start, end, kind)
        return self.helper_call(kind, start, end)

    # the file's own helper functions

    def is_helper(self, function: Node) -> bool:
        """A named function (a declaration, or a function bound to a `const`) whose result railcheck reads."""
        named = function.type == "function_declaration" or (
            function.parent is not None and function.parent.type == "variable_declarator")
        return named and _helper_return(function) is not None

    def helper_of(self, callee: Node, scope: _Scope) -> tuple[Node, _Scope, str] | None:
        """The helper function `callee` names, the scope that defines it, and how to call it in messages."""
        callee = _unwrap(callee)
        if callee.type != "identifier":
            return None
        name = self.raw(callee)
        found = scope.find(name)
        if found is None or len(found[1]) != 1 or name in self.mutated:
            return None
        binding = found[1][0]
        function = binding.node if binding.kind == "other" else _unwrap(binding.node) if binding.kind == "assign" else None  # type: ignore[arg-type]
        if function is None or getattr(function, "type", None) not in _TS_FUNCTIONS or not self.is_helper(function):
            return None
        return function, found[0], f"{name}()"  # type: ignore[return-value]

    def read_helper(self, function: Node, label: str, call: Node, caller: _Scope, inner: _Scope, depth: int) -> _V:
        """What `function` returns for `call`: its parameters bound to the arguments read in `caller`."""
        start, end = self.span(call)
        arguments = _arguments(call)
        parameters = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
        patterns = [] if parameters is None else [parameters] if parameters.type == "identifier" else _named(parameters)
        # A `this: T` parameter only types `this`; the arguments start after it.
        patterns = [p for p in patterns if p.type == "identifier" or getattr(p.child_by_field_name("pattern"), "type", None) != "this"]
        if any(argument.type == "spread_element" for argument in arguments):
            return _Unk(f"passes ...arguments to {label}", start, end)
        if len(arguments) > len(patterns):
            return _Unk(f"passes more arguments than {label} takes", start, end)
        for index, parameter in enumerate(patterns):
            pattern = parameter if parameter.type == "identifier" else parameter.child_by_field_name("pattern")
            default = None if parameter.type == "identifier" else parameter.child_by_field_name("value")
            if pattern is None:
                continue
            line = self.line(pattern)
            if pattern.type != "identifier":
                for identifier in _descendants(pattern, ("identifier", "shorthand_property_identifier_pattern")):
                    inner.add(self.raw(identifier), _Binding("other", None, f"is destructured from an argument of {label}", line))
                continue
            value = self.ev(arguments[index], caller, depth + 1) if index < len(arguments) else None
            if value is None or (_is_none(value) and default is not None):
                # JavaScript applies the default for a missing or undefined argument; defaults belong to the
                # scope that defines the function.
                value = self.ev(default, inner.parent or inner, depth + 1) if default is not None else _Lit(None, start, end)
            inner.add(self.raw(pattern), _Binding("value", value, None, line))
        body = function.child_by_field_name("body")
        returned = _helper_return(function)
        assert body is not None and returned is not None
        if body.type == "statement_block":
            self.bind_statements(inner, _named(body)[:-1])
        return self.ev(returned, inner, depth + 1)


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
    statements = _named(body)
    if not statements or statements[-1].type != "return_statement":
        return None
    if any(statement.type != "lexical_declaration" for statement in statements[:-1]):
        return None
    returned = _named(statements[-1])
    return returned[0] if returned else None
