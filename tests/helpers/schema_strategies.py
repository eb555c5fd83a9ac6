"""Hypothesis strategies that generate values valid under railcheck's own JSON schemas.

hypothesis-jsonschema does not work with current hypothesis releases, and our schemas use a small set of
keywords, so this walks the schema directly: type, enum, properties/required/additionalProperties, items,
oneOf/anyOf, $ref into $defs, pattern (from examples that match it), minimum/maximum.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

SAFE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
# Strings that satisfy the schemas' patterns (layer shortcuts).
PATTERN_EXAMPLES = [".", "...", "$build", "$install"]


def from_schema(schema: dict[str, Any], root: dict[str, Any] | None = None, depth: int = 0) -> st.SearchStrategy[Any]:
    root = root or schema
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return from_schema(target, root, depth)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return st.one_of([from_schema(branch, root, depth + 1) for branch in schema[key]])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": one}, root, depth) for one in kind])
    if kind == "string":
        if "pattern" in schema:
            return st.sampled_from([example for example in PATTERN_EXAMPLES if re.search(schema["pattern"], example)])
        return SAFE_TEXT
    if kind == "integer":
        return st.integers(schema.get("minimum", -1000), schema.get("maximum", 100000))
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False, width=32)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        items = schema.get("items", {"type": "string"})
        return st.lists(from_schema(items, root, depth + 1), max_size=0 if depth > 6 else 3)
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        optional = {
            key: from_schema(value, root, depth + 1) for key, value in properties.items() if key not in required
        }
        fixed = st.fixed_dictionaries(
            {key: from_schema(properties[key], root, depth + 1) for key in required},
            optional=optional if depth < 7 else {},
        )
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and depth < 7:
            more = st.dictionaries(
                st.text(alphabet="abcdefghij:-_", min_size=1, max_size=8).filter(lambda key: key not in properties),
                from_schema(extra, root, depth + 1),
                max_size=2,
            )
            return st.tuples(fixed, more).map(lambda pair: {**pair[1], **pair[0]})
        return fixed
    return st.none()
