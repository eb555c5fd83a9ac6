"""`walk.strings` joins a list index into the pointer directly, without `join_pointer`'s tests for a key:
held here to the plain recursive walk with `join_pointer` for every key and index, on any JSON-like value."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from railcheck.sources.text import join_pointer
from railcheck.walk import list_items, strings

_KEYS = st.text(alphabet="ab~/0", max_size=3)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=20,
)


def _reference(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _reference(item, join_pointer(pointer, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _reference(item, join_pointer(pointer, index))


@settings(max_examples=500, deadline=None)
@given(_VALUES, st.sampled_from(["", "/steps", "/a~1b"]))
def test_strings_are_the_recursive_walk(value: Any, pointer: str) -> None:
    assert list(strings(value, pointer)) == list(_reference(value, pointer))


@settings(max_examples=200, deadline=None)
@given(st.lists(_VALUES, max_size=5))
def test_list_items_join_indexes_as_join_pointer_does(items: list[Any]) -> None:
    assert list(list_items({"commands": items}, "commands", "/steps/a")) == [
        (join_pointer("/steps/a/commands", index), item) for index, item in enumerate(items)
    ]
