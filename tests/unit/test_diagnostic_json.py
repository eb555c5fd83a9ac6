"""railcheck.diagnostic_json: the one serialisation of a finding, used by the JSON reports and the cache."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.repos import write_repo
from helpers.running import invoke, run_rules

from railcheck.diagnostic_json import diagnostic_from_json, diagnostic_json

# A finding with a fix that edits two files (RP001 moves a Railway key from railpack.json to railway.json),
# a related location, a span on a line after a multi-byte character, and a fix creating nothing new.
FILES = {
    "railpack.json": '{\n  "é": 1,\n  "deploy": {"healthCheckPath": "/health", "startCommand": "uvicorn main:app --host 127.0.0.1 --port $PORT"}\n}\n',
    "railway.json": '{"deploy": {}}\n',
    "main.py": "app = 1\n",
    "requirements.txt": "uvicorn\n",
}


def test_every_finding_reads_back_as_it_was_written(tmp_path: Path, registry) -> None:
    project, diagnostics = run_rules(write_repo(tmp_path, FILES), [rule() for rule in registry.rules], registry)
    assert any(d.fix is not None and len({edit.path for edit in d.fix.edits}) > 1 for d in diagnostics)
    for diagnostic in diagnostics:
        data = json.loads(json.dumps(diagnostic_json(diagnostic, project.texts, {})))
        assert diagnostic_from_json(data) == diagnostic


def test_a_cached_run_reports_exactly_what_an_uncached_one_does(tmp_path: Path) -> None:
    repo = write_repo(tmp_path, FILES)
    uncached = invoke("check", str(repo), "--no-cache", "--output-format", "json").output
    cold = invoke("check", str(repo), "--output-format", "json").output
    warm = invoke("check", str(repo), "--output-format", "json").output
    assert json.loads(uncached)["diagnostics"] and uncached == cold == warm
