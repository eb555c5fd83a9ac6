"""The value types that are named tuples: defaults shared safely, pickling, the rule API's patterns."""

from __future__ import annotations

import pickle

import pytest

from railcheck.config import Config
from railcheck.rule import CODE_PATTERN, NAME_PATTERN
from railcheck.types import EMPTY_MAPPING


def test_a_default_mapping_is_shared_read_only_and_pickles_as_itself() -> None:
    config = Config()
    assert config.ignore is EMPTY_MAPPING and Config().severity is EMPTY_MAPPING
    with pytest.raises(TypeError):
        config.ignore["RP001"] = None  # type: ignore[index]  # the point: it cannot be changed
    copy = pickle.loads(pickle.dumps(config))
    assert copy == config and copy.ignore is EMPTY_MAPPING
    assert EMPTY_MAPPING == {} and dict(EMPTY_MAPPING) == {} and not EMPTY_MAPPING and "x" not in EMPTY_MAPPING


def test_the_code_and_name_patterns_are_compiled_patterns() -> None:
    assert CODE_PATTERN.match("RP001") and not CODE_PATTERN.match("rp001")
    assert NAME_PATTERN.match("start-target-resolves") and not NAME_PATTERN.match("Start")
