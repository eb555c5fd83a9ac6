"""The vendored schemas: valid draft 2020-12, hashes recorded, and the shapes Railpack documents accepted."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath

import jsonschema
import pytest
from helpers.paths import CHECKOUT, FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from railcheck.schema import validate

SCHEMAS = CHECKOUT / "schemas"
# Keys from both schemas, so generated values reach deep into them.
KEYS = [
    "provider",
    "steps",
    "deploy",
    "build",
    "install",
    "commands",
    "inputs",
    "cmd",
    "path",
    "name",
    "src",
    "dest",
    "step",
    "image",
    "local",
    "include",
    "caches",
    "type",
    "packages",
    "python",
    "startCommand",
    "aptPackages",
    "variables",
    "builder",
    "healthcheckPath",
    "restartPolicyType",
    "numReplicas",
    "environments",
    "staging",
    "preDeployCommand",
    "multiRegionConfig",
    "us-west2",
    "assets",
    "mode",
    "$schema",
    "unknown",
]

# Every shape Railpack's docs show as valid (docs/railpack-facts.md, "RP: railpack.json").
VALID_RAILPACK = [
    {},
    {
        "$schema": "https://schema.railpack.com",
        "provider": "python",
        "packages": {"python": "3.12", "pipx:httpie": "3.2.4"},
    },
    {"buildAptPackages": ["...", "ffmpeg"], "secrets": ["...", "API_KEY"], "exclude": ["**/.venv", "!keep"]},
    {"caches": {"models": {"directory": "/root/.cache/models", "type": "locked"}}},
    {
        "steps": {
            "install": {
                "commands": [
                    "...",
                    {"path": "/app/.venv/bin"},
                    {"cmd": "pip install gunicorn", "customName": "gunicorn"},
                ]
            },
            "build": {
                "inputs": ["...", "."],
                "caches": ["pip"],
                "variables": {"A": "1"},
                "secrets": [],
                "deployOutputs": [{"include": ["."], "exclude": ["tests"]}],
            },
            "assets": {
                "inputs": [
                    {"step": "build"},
                    {"image": "alpine:3", "include": ["/etc/ssl"]},
                    {"local": True, "include": ["static"]},
                    "$install",
                ],
                "assets": {"conf": "x=1"},
                "commands": [
                    {"path": "/app/x.conf", "name": "conf", "mode": 420},
                    {"src": "a", "dest": "b"},
                    {"src": "/bin/x", "dest": "/bin/x", "image": "busybox"},
                ],
            },
        }
    },
    {
        "deploy": {
            "startCommand": "uvicorn main:app --host 0.0.0.0 --port $PORT",
            "aptPackages": ["...", "ffmpeg"],
            "paths": ["/app/bin"],
            "variables": {"X": "1"},
            "base": {"image": "debian:bookworm-slim"},
            "inputs": ["...", {"step": "build", "include": ["."]}],
        }
    },
]
VALID_RAILWAY = [
    {
        "$schema": "https://railway.com/railway.schema.json",
        "build": {"builder": "RAILPACK", "buildCommand": "make", "watchPatterns": ["/services/api/**"]},
        "deploy": {
            "startCommand": "python main.py",
            "preDeployCommand": ["python manage.py migrate"],
            "healthcheckPath": "/health",
            "healthcheckTimeout": 100,
            "restartPolicyType": "ON_FAILURE",
            "restartPolicyMaxRetries": 5,
            "numReplicas": 2,
            "cronSchedule": "*/15 * * * *",
            "sleepApplication": False,
            "multiRegionConfig": {"us-west2": {"numReplicas": 2}},
            "overlapSeconds": 60,
            "drainingSeconds": 10,
        },
    },
    {"deploy": {"preDeployCommand": "npm run migrate", "healthcheckPath": None}},
    {"environments": {"staging": {"deploy": {"numReplicas": 1}}, "pr": {"build": {"buildCommand": "make pr"}}}},
]


@pytest.mark.parametrize("name", ["railpack.schema.json", "railway.schema.json", "railcheck-config.schema.json"])
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads((SCHEMAS / name).read_text()))


@pytest.mark.parametrize("name", ["railpack.schema.json", "railway.schema.json"])
def test_recorded_hash_matches(name: str) -> None:
    recorded = (SCHEMAS / f"{name}.sha256").read_text().split()[0]
    assert hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest() == recorded, (
        f"regenerate {name}.sha256 (see schemas/README.md)"
    )


@pytest.mark.parametrize("config", VALID_RAILPACK)
def test_documented_railpack_shapes_are_valid(config: dict) -> None:
    assert validate(config, "railpack.schema.json") == []


@pytest.mark.parametrize("config", VALID_RAILWAY)
def test_documented_railway_shapes_are_valid(config: dict) -> None:
    assert validate(config, "railway.schema.json") == []


def test_step_given_as_array_is_a_type_error_at_the_step() -> None:
    issues = validate({"steps": {"commands": ["npm ci"]}}, "railpack.schema.json")
    assert [(issue.pointer, issue.kind) for issue in issues] == [("/steps/commands", "type")]
    assert "must be an object" in issues[0].message


def test_unrecognised_command_object_descends_into_the_intended_branch() -> None:
    issues = validate({"steps": {"build": {"commands": [{"cmd": "make", "cwd": "/app"}]}}}, "railpack.schema.json")
    assert [(issue.pointer, issue.kind) for issue in issues] == [("/steps/build/commands/0/cwd", "unknown-key")]


def test_layer_string_gets_the_schema_description() -> None:
    issues = validate({"steps": {"build": {"inputs": ["build"]}}}, "railpack.schema.json")
    assert len(issues) == 1 and issues[0].pointer == "/steps/build/inputs/0"


def _reference(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((SCHEMAS / name).read_text()))


def _agree(value: object, name: str) -> None:
    """railcheck's own validation gives jsonschema's verdict, and explains a failure with at least one issue."""
    from railcheck.schema import conforms, load_schema, validate

    valid = _reference(name).is_valid(value)
    assert conforms(value, load_schema(name)) == valid, value
    assert (validate(value, name) == []) == valid, value


@pytest.mark.parametrize("name", ["railpack.schema.json", "railway.schema.json", "railcheck-config.schema.json"])
def test_fast_check_understands_every_keyword_the_schemas_use(name: str) -> None:
    from railcheck.schema import _SUPPORTED, _keywords

    assert _keywords(json.loads((SCHEMAS / name).read_text())) <= _SUPPORTED


@pytest.mark.parametrize("path", sorted((FIXTURES / "corpus").glob("*.json")), ids=lambda path: path.stem)
def test_fast_check_agrees_with_jsonschema_on_the_corpus(path: Path) -> None:
    from railcheck.sources.jsonc import parse_json
    from railcheck.sources.text import Document

    document = parse_json(path.read_bytes().decode("utf-8", "replace"), PurePosixPath("railpack.json"), jwcc=True)
    if isinstance(document, Document):
        _agree(document.value, "railpack.schema.json")


JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 3),
        st.sampled_from(
            ["python", "Python", ".", "...", "$build", "build", "/app", "3.12", "ALWAYS", "never", "RAILPACK"]
        ),
    ),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(KEYS), children, max_size=4),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_fast_check_agrees_with_jsonschema_on_generated_values(value: object) -> None:
    _agree(value, "railpack.schema.json")
    _agree(value, "railway.schema.json")
