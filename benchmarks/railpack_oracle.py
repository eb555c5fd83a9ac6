"""Compare railcheck's view of a service with Railpack's own build plans (issue 15, item 10).

    python benchmarks/railpack_oracle.py RAILPACK_CHECKOUT [--commit SHA]

RAILPACK_CHECKOUT is a Railpack work tree, or a bare git directory (such as the one `fetch` gives), read
at --commit (default: the commit schemas/README.md names). For every example under `examples/` that
Railpack's snapshot tests cover (`core/__snapshots__/TestGenerateBuildPlanForExamples_<name>_1.snap.json`),
the example is checked as one service rooted at `/`, and railcheck's provider is compared with the plan's
mise packages and its resolved start command with the plan's `deploy.startCommand`. Prints a table and
totals. Nothing of the checkout is copied into this repository.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from railcheck.config import Config, ServiceDeclaration  # noqa: E402
from railcheck.facts import facts  # noqa: E402
from railcheck.project import load_project  # noqa: E402

SNAPSHOT = re.compile(r"TestGenerateBuildPlanForExamples_(.+)_1\.snap\.json$")
# The mise packages a provider installs; the plan agrees with railcheck's provider when one is present.
PACKAGES = {
    "python": {"python"},
    "node": {"node", "bun"},
    "golang": {"go"},
    "php": {"php"},
    "java": {"java"},
    "rust": {"rust"},
    "ruby": {"ruby"},
    "elixir": {"elixir", "erlang"},
    "deno": {"deno"},
    "dotnet": {"dotnet"},
    "gleam": {"gleam"},
    "cpp": {"cmake", "meson"},
    "staticfile": {"caddy"},
}
LANGUAGES = set().union(*PACKAGES.values())


def default_commit() -> str:
    text = (ROOT / "schemas" / "README.md").read_text(encoding="utf-8")
    match = re.search(r"railwayapp/railpack`, commit\s+`([0-9a-f]{40})`", text)
    if match is None:
        raise SystemExit("schemas/README.md names no Railpack commit; pass --commit")
    return match.group(1)


def work_tree(checkout: Path, commit: str, scratch: Path) -> Path:
    """The checkout itself when it has examples/, else the bare repository's examples and snapshots at
    `commit`, written under `scratch` (files of 1 MiB or more and objects the copy lacks are written empty:
    detection needs their names, never the contents of lock files or archives)."""
    if (checkout / "examples").is_dir():
        return checkout
    git = ["git", "--git-dir", str(checkout)]
    listing = subprocess.run(
        [*git, "ls-tree", "-r", "-l", "-z", commit, "examples", "core/__snapshots__"], capture_output=True, check=True
    ).stdout
    wanted = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        _, kind, oid, size = meta.split()
        if kind != b"blob":
            continue
        if size.isdigit() and int(size) < 1 << 20:
            wanted.append((oid.decode(), path.decode()))
        else:  # a large file (a lock file, an archive): its name is what detection needs
            placeholder = scratch / "tree" / path.decode()
            placeholder.parent.mkdir(parents=True, exist_ok=True)
            placeholder.touch()
    batch = subprocess.run(
        [*git, "cat-file", "--batch"],
        input="".join(f"{oid}\n" for oid, _ in wanted).encode(),
        capture_output=True,
        check=True,
    ).stdout
    offset = 0
    for _, path in wanted:
        end = batch.index(b"\n", offset)
        header = batch[offset:end].split()
        offset = end + 1
        if header[-1] == b"missing":  # absent from the copy: keep the name, as for large files
            (scratch / "tree" / path).parent.mkdir(parents=True, exist_ok=True)
            (scratch / "tree" / path).touch()
            continue
        size = int(header[2])
        target = scratch / "tree" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(batch[offset : offset + size])
        offset += size + 1
    return scratch / "tree"


def plan_packages(plan: dict) -> set[str]:
    """The tools the plan installs: mise packages, plus `php` for a PHP base image and `caddy` for the
    packages:caddy step (neither comes through mise)."""
    found: set[str] = set()
    for step in plan.get("steps", []):
        if step.get("name") == "packages:caddy":
            found.add("caddy")
        images = [layer.get("image", "") for layer in step.get("inputs", []) if isinstance(layer, dict)]
        if step.get("name") == "packages:image" and any("php" in image for image in images):
            found.add("php")
        if step.get("name") != "packages:mise":
            continue
        for command in step.get("commands", []):
            name = command.get("customName", "") if isinstance(command, dict) else ""
            if name.startswith("install mise packages: "):
                found |= {package.strip() for package in name.split(":", 1)[1].split(",")}
    return found


def railcheck_view(example: Path, scratch: Path) -> tuple[str | None, str | None]:
    if (example / "Dockerfile").exists():
        # Railpack's plan ignores a Dockerfile, while Railway (and railcheck) would build with it: compare
        # Railpack's view on a copy without it.
        copy = scratch / "without-dockerfile" / example.name
        shutil.copytree(example, copy, ignore=shutil.ignore_patterns("Dockerfile"), symlinks=True)
        example = copy
    config = Config(services=(ServiceDeclaration("example", PurePosixPath(".")),))
    project = load_project(example, config)
    service = next(service for service in project.services if service.name == "example")
    found = facts(service, project)
    return (found.provider.value.casefold() if found.provider else None), (found.start.text if found.start else None)


def provider_agrees(provider: str | None, packages: set[str]) -> bool:
    languages = packages & LANGUAGES
    if provider in (None, "shell"):
        return not languages - {"caddy"} or provider == "shell"
    return bool(PACKAGES.get(provider, set()) & packages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path)
    parser.add_argument("--commit", default=None)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tree = work_tree(arguments.checkout, arguments.commit or default_commit(), Path(scratch))
        rows = []
        for snapshot in sorted((tree / "core" / "__snapshots__").iterdir()):
            match = SNAPSHOT.match(snapshot.name)
            if match is None or not (tree / "examples" / match.group(1)).is_dir():
                continue
            plan = json.loads(snapshot.read_text(encoding="utf-8"))
            packages = plan_packages(plan)
            expected = (plan.get("deploy") or {}).get("startCommand")
            provider, start = railcheck_view(tree / "examples" / match.group(1), Path(scratch))
            rows.append(
                (
                    match.group(1),
                    provider,
                    ",".join(sorted(packages)),
                    provider_agrees(provider, packages),
                    start,
                    expected,
                    start == expected,
                )
            )
    width = max(len(row[0]) for row in rows)
    print(f"{'example':<{width}}  {'railcheck provider':<18} {'plan packages':<28} P  S  start (railcheck | plan)")
    for name, provider, packages, same_provider, start, expected, same_start in rows:
        shown = start if same_start else f"{start} | {expected}"
        print(
            f"{name:<{width}}  {provider or '-':<18} {packages[:28]:<28} {'ok' if same_provider else 'NO'} {'ok' if same_start else 'NO'} {shown}"
        )
    print()
    for family in ("python", "node", None):
        chosen = [row for row in rows if (family is None or row[0].startswith(family) or row[1] == family)]
        label = family or "all"
        print(
            f"{label:<7} examples {len(chosen):>3}: provider agrees {sum(row[3] for row in chosen):>3}, start command agrees {sum(row[6] for row in chosen):>3}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
