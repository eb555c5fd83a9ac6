"""Layer boundaries docs/architecture.md states, checked on the source of every module, lazy imports included:
parsers in `railcheck/sources/` import nothing of railcheck's but the data types and other parsers; rules
never touch the file system (they read through `Project` and its repository)."""

from __future__ import annotations

import ast

from helpers.paths import CHECKOUT

REPOSITORY = CHECKOUT
# Modules and built-ins through which code reaches the file system (or other processes).
FILE_SYSTEM_MODULES = frozenset({"os", "io", "shutil", "subprocess", "tempfile", "glob", "fnmatch", "fcntl", "mmap"})
FILE_SYSTEM_CALLS = frozenset(
    {
        "open",
        "read_text",
        "read_bytes",
        "write_text",
        "write_bytes",
        "iterdir",
        "rglob",
        "glob",
        "stat",
        "lstat",
        "exists",
        "is_file",
        "is_dir",
        "mkdir",
        "unlink",
    }
)


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module the code imports, at any depth (functions' lazy imports too), with its line."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
            found += [
                (node.lineno, f"{node.module}.{alias.name}")
                for alias in node.names
                if node.module == "pathlib" and alias.name == "Path"
            ]
    return found


def file_system_uses(source: str) -> list[str]:
    """Where the code imports a file-system module or calls a file-system function (by name or method)."""
    tree = ast.parse(source)
    uses = [
        f"line {line}: imports {name}"
        for line, name in imported_modules(tree)
        if name.split(".")[0] in FILE_SYSTEM_MODULES or name == "pathlib.Path"
    ]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id == "open":
            uses.append(f"line {node.lineno}: calls open()")
        elif (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in FILE_SYSTEM_CALLS
            and not _is_repository(node.func.value)
        ):
            uses.append(f"line {node.lineno}: calls {node.func.attr}()")
    return uses


def _is_repository(node: ast.expr) -> bool:
    """`repository` or `project.repository`: the confined, read-only view every rule may ask."""
    return (isinstance(node, ast.Name) and node.id == "repository") or (
        isinstance(node, ast.Attribute) and node.attr == "repository"
    )


def test_rules_never_touch_the_file_system() -> None:
    rules = sorted((REPOSITORY / "rules").glob("*.py"))
    assert len(rules) > 10
    found = {path.name: uses for path in rules if (uses := file_system_uses(path.read_text(encoding="utf-8")))}
    assert found == {}, found


def test_the_check_sees_a_rule_that_opens_a_file() -> None:
    violation = "from railcheck import ServiceRule\nclass Peek(ServiceRule):\n    def check(self, service, project):\n        return open('/etc/passwd')\n"
    assert file_system_uses(violation) == ["line 4: calls open()"]
    assert file_system_uses("import os\n") == ["line 1: imports os"]
    assert file_system_uses("def f(p):\n    from pathlib import Path\n    return Path(p).read_text()\n") == [
        "line 2: imports pathlib.Path",
        "line 3: calls read_text()",
    ]
    assert file_system_uses("def f(project):\n    return (project.root / 'x').exists()\n") == ["line 2: calls exists()"]
    assert file_system_uses("def f(project, path):\n    return project.repository.exists(path)\n") == []


def test_parsers_import_only_data_types_and_other_parsers() -> None:
    sources = sorted((REPOSITORY / "railcheck" / "sources").rglob("*.py"))
    assert len(sources) > 10
    # railcheck.patterns compiles gitignore lines (sources/watch.py): text in, a matcher out.
    allowed = ("railcheck.types", "railcheck.sources", "railcheck.patterns")
    found = {
        str(path.relative_to(REPOSITORY)): [
            f"line {line}: {name}"
            for line, name in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
            if name.split(".")[0] == "railcheck" and not name.startswith(allowed)
        ]
        for path in sources
    }
    assert {path: names for path, names in found.items() if names} == {}
