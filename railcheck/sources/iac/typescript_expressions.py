"""TypeScript expressions in a `.railway/railway.ts` file, evaluated into the neutral values of `values`.

Owns: offsets (tree-sitter's UTF-8 bytes to code points) and a node's text, which SDK function a callee
names, and evaluating one expression in a scope: literals, names, arrays and objects with their spreads,
template literals and `+`, conditionals, casts, property reads, and calls of the SDK (`service(...)`,
`project(...)`, sources, ...). Calls of the file's own helper functions are followed by the statement
reader (`typescript.TypeScriptReader.follow_helper`); nothing here binds names or walks statements.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from railcheck.sources.iac.reader import Reader
from railcheck.sources.iac.scopes import Scope, bound_sdk_function
from railcheck.sources.iac.typescript_syntax import (
    FUNCTION_NODES,
    TRANSPARENT_NODES,
    call_arguments,
    children_of,
    descendants,
    javascript_number,
    unescape_javascript,
    unwrap,
)
from railcheck.sources.iac.values import (
    BUILT_DYNAMICALLY,
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

if TYPE_CHECKING:
    from tree_sitter import Node

# The exports of railway/iac (npm railway 3.11.0) that a project file calls.
TYPESCRIPT_SDK_EXPORTS = frozenset(
    {
        "bucket",
        "createRailwayContext",
        "database",
        "define",
        "defineRailway",
        "empty",
        "fn",
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
    }
)


class TypeScriptExpressions(Reader["Node"]):
    """Evaluates the expressions of a TypeScript IaC file; `typescript.TypeScriptReader` adds its statements."""

    def __init__(self, text: str) -> None:
        super().__init__(text, python=False)
        self.byte_to_char: list[int] | None = None  # set when the text is not ASCII

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

    # names

    def sdk_name(self, node: Node, scope: Scope, scanning: bool = False) -> str | None:
        node = unwrap(node)
        if node.type == "identifier":
            name = self.raw(node)
            found = scope.find(name)
            if found is None and name in TYPESCRIPT_SDK_EXPORTS:
                if not scanning:  # the scan sees program parameters (`project`) as unbound; evaluation does not
                    self.undeclared.setdefault(name, self.span(node))  # a forgotten import: the SDK's function
                return name
            return bound_sdk_function(found[1]) if found is not None and name not in self.mutated else None
        if node.type == "member_expression":
            target, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
            if (
                target is not None
                and prop is not None
                and target.type == "identifier"
                and self.raw(prop) in TYPESCRIPT_SDK_EXPORTS
            ) and scope.is_sdk_module(self.raw(target)):
                return self.raw(prop)
        return None

    def resolve(self, node: Node, scope: Scope, depth: int) -> Value:
        start, end = self.span(node)
        name = self.raw(node)
        if name == "undefined" and scope.find(name) is None:
            return Literal(None, start, end)
        return self.bound_value(name, scope, depth, start, end)

    # expressions

    def string_value(self, node: Node) -> str | None:
        if node.type != "string":
            return None
        raw = self.raw(node)
        return unescape_javascript(raw[1:-1]) if len(raw) >= 2 else None

    def evaluate(self, node: Node, scope: Scope, depth: int) -> Value:
        start, end = self.span(node)
        if depth > MAX_DEPTH:
            return Unknown("is nested too deeply to read", start, end)
        kind = node.type
        if kind in TRANSPARENT_NODES:
            inner = children_of(node)
            if not inner:
                return Unknown("is empty", start, end)
            value = self.evaluate(inner[-1] if kind == "type_assertion" else inner[0], scope, depth + 1)
            if isinstance(value, (Literal, Dictionary, Array, Unknown)):
                value.start, value.end = start, end  # fresh objects: the written expression includes the cast
            return value
        if kind == "string":
            raw = self.raw(node)
            body = raw[1:-1]
            value_text = unescape_javascript(body)
            return Literal(value_text, start, end, start + 1 if value_text == body else None)
        if kind == "template_string":
            if any(c.type == "template_substitution" for c in node.children):
                return joined_text(
                    self.template_parts(node, scope, depth), start, end, False, "is a template string with placeholders"
                )
            body = self.raw(node)[1:-1]
            cooked = unescape_javascript(body.replace("\r\n", "\n").replace("\r", "\n"))
            return Literal(cooked, start, end, start + 1 if cooked == body else None)
        if kind == "number":
            number = javascript_number(self.raw(node))
            return Literal(number, start, end) if number is not None else Unknown("is not a plain number", start, end)
        if kind in ("true", "false"):
            return Literal(kind == "true", start, end)
        if kind in ("null", "undefined"):
            return Literal(None, start, end)
        if kind == "unary_expression":
            operator = node.child_by_field_name("operator")
            argument = node.child_by_field_name("argument")
            sign = self.raw(operator) if operator is not None else ""
            if argument is not None and sign in ("-", "+") and argument.type == "number":
                number = javascript_number(self.raw(argument))
                if number is not None:
                    return Literal(-number if sign == "-" else number, start, end)
            return Unknown("is computed with an operator", start, end)
        if kind == "identifier":
            return self.resolve(node, scope, depth)
        if kind == "array":
            array = Array([], start, end)
            for element in children_of(node):
                if element.type == "spread_element":
                    inner = children_of(element)
                    spread = self.evaluate(inner[0], scope, depth + 1) if inner else Unknown("is empty", start, end)
                    splice_spread(array, spread, *self.span(element))
                else:
                    array.items.append(self.evaluate(element, scope, depth + 1))
            return array
        if kind == "object":
            return self.object(node, scope, depth, start, end)
        if kind == "call_expression":
            return self.call(node, scope, depth, start, end)
        if kind in ("member_expression", "subscript_expression"):
            return self.access(node, scope, depth, start, end)
        if kind == "new_expression":
            return Unknown(f"creates an object with {self.raw(node)[:40]}", start, end)
        if kind == "binary_expression":
            return self.binary(node, scope, depth, start, end)
        if kind == "ternary_expression":
            consequence, alternative = node.child_by_field_name("consequence"), node.child_by_field_name("alternative")
            if consequence is None or alternative is None:
                return Unknown("depends on a condition", start, end)
            return conditional_value(
                self.evaluate(consequence, scope, depth + 1), self.evaluate(alternative, scope, depth + 1), start, end
            )
        if kind in FUNCTION_NODES:
            return Unknown("is a function", start, end)
        if kind == "await_expression":
            return Unknown("is awaited", start, end)
        return Unknown(f"is not a literal ({kind})", start, end)

    def template_parts(self, node: Node, scope: Scope, depth: int) -> list[Value]:
        """The parts of a template literal: its text between placeholders, and each `${...}`'s value."""
        parts: list[Value] = []
        node_start, node_end = self.span(node)
        cursor = node_start + 1  # after the opening backquote; the text between placeholders is cooked as usual
        for child in node.children:
            if child.type != "template_substitution":
                continue
            child_start, child_end = self.span(child)
            parts.append(Literal(unescape_javascript(self.text[cursor:child_start]), cursor, child_start))
            inner = children_of(child)
            parts.append(
                self.evaluate(inner[0], scope, depth + 1)
                if len(inner) == 1
                else Unknown("is not one expression", child_start, child_end)
            )
            cursor = child_end
        parts.append(Literal(unescape_javascript(self.text[cursor : node_end - 1]), cursor, node_end - 1))
        return parts

    def binary(self, node: Node, scope: Scope, depth: int, start: int, end: int) -> Value:
        """`a + b` where one side is a string joins their text, as JavaScript does; other operators are unknown."""
        operator, left, right = (node.child_by_field_name(field) for field in ("operator", "left", "right"))
        if operator is None or left is None or right is None or self.raw(operator) != "+":
            return Unknown("is computed with an operator", start, end)
        sides = [self.evaluate(left, scope, depth + 1), self.evaluate(right, scope, depth + 1)]
        if not any(isinstance(side, Literal) and isinstance(side.value, str) for side in sides):
            return Unknown("is computed with an operator", start, end)  # number + number is arithmetic
        return joined_text(sides, start, end, False, "is computed with an operator")

    def object(self, node: Node, scope: Scope, depth: int, start: int, end: int) -> Dictionary:
        entries: list[tuple[str | None, Value]] = []
        for member in children_of(node):
            kind = member.type
            if kind == "pair":
                key_node, value_node = member.child_by_field_name("key"), member.child_by_field_name("value")
                if key_node is None or value_node is None:
                    continue
                key = self.key(key_node, scope, depth)
                value = self.evaluate(value_node, scope, depth + 1)
                entries.append(
                    (key, value) if key is not None else (None, Unknown("has a computed key", *self.span(key_node)))
                )
            elif kind == "shorthand_property_identifier":
                entries.append((self.raw(member), self.resolve(member, scope, depth + 1)))
            elif kind == "spread_element":
                inner = children_of(member)
                spread = self.evaluate(inner[0], scope, depth + 1) if inner else Unknown("is empty", *self.span(member))
                entries.extend(spread_entries(spread, "the spread value"))
                if len(entries) > MAX_ITEMS:
                    return Dictionary([(None, Unknown("is too large to read", start, end))], start, end)
            elif kind == "method_definition":
                name = member.child_by_field_name("name")
                key = self.key(name, scope, depth) if name is not None else None
                entries.append(
                    (key, Unknown("is a method", *self.span(member)))
                    if key is not None
                    else (None, Unknown("has a computed method name", *self.span(member)))
                )
        return Dictionary(entries, start, end)

    def key(self, node: Node, scope: Scope, depth: int) -> str | None:
        if node.type == "property_identifier":
            return self.raw(node)
        if node.type == "string":
            return self.string_value(node)
        if node.type == "number":
            number = javascript_number(self.raw(node))
            return None if number is None else str(number)
        if node.type == "computed_property_name":
            inner = children_of(node)
            value = self.evaluate(inner[0], scope, depth + 1) if inner else None
            if isinstance(value, Literal) and isinstance(value.value, str):
                return value.value
        return None

    def access(self, node: Node, scope: Scope, depth: int, start: int, end: int) -> Value:
        written = re.sub(r"\s+", "", self.raw(node))[:60]
        base = node
        chain: list[str] = []
        while base.type in ("member_expression", "subscript_expression"):
            prop = base.child_by_field_name("property") if base.type == "member_expression" else None
            chain.append(self.raw(prop) if prop is not None else "[...]")
            inner = base.child_by_field_name("object")
            if inner is None:
                break
            base = unwrap(inner)
        chain.reverse()
        if written.startswith(("process.env", "Deno.env", "import.meta.env")):
            return Unknown(f"reads {written}", start, end)
        name = self.raw(base) if base.type == "identifier" else None
        target = self.resolve(base, scope, depth + 1) if name is not None and chain[:1] == ["env"] else None
        return self.attribute_read(chain, name, target, written, start, end)

    def call(self, node: Node, scope: Scope, depth: int, start: int, end: int) -> Value:
        callee = node.child_by_field_name("function")
        kind = self.sdk_name(callee, scope) if callee is not None else None
        if kind is None and callee is not None:
            followed = self.follow_helper(node, callee, scope, depth, start, end)
            if followed is not None:
                return followed
        if kind is None:
            for inner in descendants(node, ("call_expression",)):
                function = inner.child_by_field_name("function")
                if inner.id != node.id and function is not None and self.sdk_name(function, scope) in RESOURCE_KINDS:
                    return Unknown(BUILT_DYNAMICALLY, start, end)  # names.map((n) => service(n, ...))
            written = re.sub(r"\s+", "", self.raw(callee))[:60] if callee is not None else "a function"
            return Unknown(f"calls {written}", start, end)
        args: list[Value] = []
        for argument in call_arguments(node):
            if argument.type == "spread_element":
                return Unknown(f"passes ...arguments to {kind}(...)", start, end)
            args.append(self.evaluate(argument, scope, depth + 1))

        def arg(index: int) -> Value | None:
            return args[index] if index < len(args) else None

        def options(index: int) -> Dictionary:
            value = arg(index)
            if value is None or is_none(value):
                return Dictionary([], start, end)
            if isinstance(value, Dictionary):
                return Dictionary(list(value.entries), value.start, value.end)
            return Dictionary(spread_entries(value, "the options"), value.start, value.end)

        if kind in ("service", "fn", "postgres", "mysql", "redis", "mongo", "volume", "bucket"):
            return Resource(kind, arg(0), options(1), None, start, end, kind)
        if kind == "database":
            return Resource(kind, arg(0), options(2), None, start, end, kind)
        if kind in SOURCE_KINDS:
            return source_dictionary(kind, arg(0), options(1), start, end, False)
        if kind == "project":
            definition = options(1)
            resources = first_of_aliases([lookup(definition, "resources"), lookup(definition, "services")], False)
            return Resource("project", arg(0), definition, resources, start, end, kind)
        if kind == "group":
            resources = arg(1)
            if not isinstance(resources, (Array, Unknown)):
                resources = None  # group(name, {options})
            return Resource("group", arg(0), options(2), resources, start, end, kind)
        return self.other_sdk_call(kind, start, end)
