"""How a command writes the service's own folder as a repository-root build would hold it (root_evidence)."""

from __future__ import annotations

import pytest

from railcheck.root_evidence import _first_root_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("python /app/api/main.py", "/app/api/..."),
        ("cd /app/api && uvicorn main:app", "/app/api"),
        ("PYTHONPATH=/app/api:/app/lib uvicorn main:app", "/app/api"),
        ("uvicorn main:app --app-dir /app/api", "/app/api"),
        ('sh -c "cd /app/api"', "/app/api"),
        ("python /app/api2/main.py", None),  # another folder whose name starts the same
        ("python /app/api.py", None),
        ("python /app/api-v2/main.py /app/api/x.py", "/app/api/..."),  # a later mention still counts
        ("uvicorn main:app", None),
    ],
)
def test_the_folder_itself_and_paths_into_it_count_and_longer_names_do_not(text: str, expected: str | None) -> None:
    assert _first_root_path(text, "/app/api") == expected
