"""Hover texts without a server: rule codes, and config keys described by the schema of their reader."""

from __future__ import annotations

from pathlib import PurePosixPath

from railcheck.lsp.checker import registry
from railcheck.lsp.hover import hover_text


def hover(path: str, text: str, at: str, railpack_paths: frozenset[PurePosixPath] = frozenset()) -> str | None:
    return hover_text(registry(), PurePosixPath(path), text, text.index(at) + 1, railpack_paths)


def test_keys_name_their_reader_and_follow_references() -> None:
    railpack = '{"steps": {"build": {"commands": ["make"]}}, "deploy": {"startCommand": "x"}}'
    assert hover("api/railpack.json", railpack, "commands").startswith(
        "`steps.build.commands` (read by Railpack, at build time)"
    )
    assert "Railway, when it deploys" in hover(
        "api/railway.toml", '[deploy]\nhealthcheckPath = "/h"\n', "healthcheckPath"
    )
    assert "not a key Railpack knows" in hover("api/railpack.json", '{"healthCheckPath": "/h"}', "healthCheckPath")


def test_a_railpack_config_under_another_name_is_described_as_one() -> None:
    text = '{"provider": "python"}'
    assert hover("api/build.json", text, "provider") is None
    assert "Railpack" in hover("api/build.json", text, "provider", frozenset({PurePosixPath("api/build.json")}))


def test_rule_codes_anywhere_and_nothing_elsewhere() -> None:
    assert hover("railcheck.toml", 'ignore = ["RP001"]\n', "RP001").startswith("# railpack-unknown-key (RP001)")
    assert hover("railcheck.toml", 'ignore = ["XX999"]\n', "XX999") is None
    assert hover("services/api/main.py", "app = 1\n", "app") is None
    assert hover("api/railpack.json", "{not json", "not") is None
