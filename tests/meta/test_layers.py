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


# What a rule may import of railcheck (docs/architecture.md, "Module boundaries"): the public API and the modules
# that model a service for rules. Never the engine, the runner, the CLI, reporters, the fixer, the cache, git,
# discovery or loading: a rule sees one loaded Project and returns findings.
RULE_API = frozenset(
    {
        "railcheck",
        "railcheck.types",
        "railcheck.origins",
        "railcheck.layout",
        "railcheck.config",
        "railcheck.declarations",
        "railcheck.facts",
        "railcheck.root_evidence",
        "railcheck.builder",
        "railcheck.image",
        "railcheck.plan",
        "railcheck.generated",
        "railcheck.build_outputs",
        "railcheck.modules",
        "railcheck.servers",
        "railcheck.routes",
        "railcheck.djangoapp",
        "railcheck.distributions",
        "railcheck.specifiers",
        "railcheck.watchpaths",
        "railcheck.schema",
        "railcheck.edits",
        "railcheck.walk",
        "railcheck.suggest",
    }
)


def outside_rule_api(source: str) -> list[str]:
    """The railcheck modules `source` imports (at any depth) that are not the rule API; parsers' data types
    (`railcheck.sources.*`) are part of it."""
    return [
        f"line {line}: {name}"
        for line, name in imported_modules(ast.parse(source))
        if name.split(".")[0] == "railcheck" and name not in RULE_API and not name.startswith("railcheck.sources.")
    ]


def test_rules_import_only_the_rule_api() -> None:
    found = {
        path.name: names
        for path in sorted((REPOSITORY / "rules").glob("*.py"))
        if (names := outside_rule_api(path.read_text(encoding="utf-8")))
    }
    assert found == {}, found


def test_the_check_sees_a_rule_that_imports_the_fixer() -> None:
    violation = "from railcheck import ServiceRule\ndef later():\n    from railcheck.fixes import settle\n"
    assert outside_rule_api(violation) == ["line 3: railcheck.fixes"]
    assert outside_rule_api("import railcheck.engine\n") == ["line 1: railcheck.engine"]
    assert outside_rule_api("from railcheck.sources.text import LineIndex\nfrom railcheck.facts import facts\n") == []


# Calls that create, change or remove files, by name or method.
WRITE_CALLS = frozenset(
    {
        "write_text",
        "write_bytes",
        "replace",
        "rename",
        "unlink",
        "remove",
        "mkdir",
        "makedirs",
        "rmdir",
        "write",
        "create_file",
        "symlink_to",
        "touch",
        "chmod",
    }
)
# Who writes, and what (docs/architecture.md): the fixer writes checked files; railcheck's own artifacts (cache
# entries, the baseline, `--output-file`) are created through `writing.create_file`, or by the CLI for the report
# file the user named.
WRITERS = {
    "railcheck/fixes.py": "checked files, after re-reading each one (write_atomically)",
    "railcheck/writing.py": "a new file, without following links (create_file)",
    "railcheck/cache_store.py": "the cache folder and its entries",
    "railcheck/baseline.py": "the baseline file",
    "railcheck/cli.py": "the --output-file report",
}


def write_calls(source: str) -> list[str]:
    """Where the code writes: a write-like call, or `open()`/`os.open()` with anything but a read mode.
    `replace` and `write` count only as `os.replace`/`os.write` (not `str.replace` or `baseline.write`, which
    hands the work to a writer); calling the fixer's `write_atomically` is the fixer writing, not the caller."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in ("replace", "write"):
            receiver = func.value if isinstance(func, ast.Attribute) else None
            if not (isinstance(receiver, ast.Name) and receiver.id == "os"):
                continue
        if name in WRITE_CALLS:
            found.append(f"line {node.lineno}: {name}()")
        elif name == "open" and _opens_for_writing(node):
            found.append(f"line {node.lineno}: open() for writing")
    return found


def _opens_for_writing(call: ast.Call) -> bool:
    texts = [ast.unparse(argument) for argument in [*call.args[1:], *(k.value for k in call.keywords)]]
    return any(
        any(flag in text for flag in ("O_WRONLY", "O_RDWR", "O_CREAT", "'w", '"w', "'a", '"a')) for text in texts
    )


def test_only_the_fixer_and_the_artifact_writers_write() -> None:
    modules = sorted((REPOSITORY / "railcheck").rglob("*.py"))
    writing = {
        str(path.relative_to(REPOSITORY)): calls
        for path in modules
        if (calls := write_calls(path.read_text(encoding="utf-8")))
    }
    assert set(writing) <= set(WRITERS), {path: calls for path, calls in writing.items() if path not in WRITERS}
    # The fixer and the safe-creation helper are the two that really write; a test of nothing would pass too.
    assert {"railcheck/fixes.py", "railcheck/writing.py"} <= set(writing)


def test_the_check_sees_a_module_that_writes() -> None:
    assert write_calls("from pathlib import Path\nPath('x').write_text('y')\n") == ["line 2: write_text()"]
    assert write_calls("import os\nos.replace('a', 'b')\n") == ["line 2: replace()"]
    assert write_calls("open('x', 'w').close()\n") == ["line 1: open() for writing"]
    assert write_calls("import os\nos.open('x', os.O_WRONLY | os.O_CREAT)\n") == ["line 2: open() for writing"]
    assert write_calls("text = 'a'.replace('a', 'b')\nopen('x').read()\n") == []
