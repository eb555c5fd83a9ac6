"""Small repositories written to disk for a test, and paths as rule examples write them."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

SERVICE = "services/svc"


def write_repo(root: Path, files: dict[str, str | bytes], *, service: str = SERVICE) -> Path:
    """Write `files` under `root`: keys starting with `/` are repo-relative, the others relative to `service`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "railcheck.toml").touch()
    for name, content in files.items():
        path = root / (name[1:] if name.startswith("/") else f"{service}/{name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


def example_path(path: PurePosixPath, service: str = SERVICE) -> str:
    """A diagnostic path as rule examples write it: relative to the service, or `/`-prefixed for the repo."""
    text = str(path)
    return text[len(service) + 1 :] if text.startswith(service + "/") else "/" + text
