"""Railway infrastructure as code (`.railway/railway.py`, `.railway/railway.ts`), read statically.

Owns: turning one IaC project file into the services it declares (name, root directory, start command,
health check, build and pre-deploy commands, variables, domains, config file, replicas), the databases it
declares, and the places where the file is too dynamic to read, each with offsets into the file.

The files are programs; railcheck never imports, executes or evaluates them. Python is parsed with the
standard library's `ast` module (building a syntax tree runs nothing; unlike libcst's native parser, which
overflows the C stack and crashes the process on a long `a and b and ...` chain, it reports deep nesting
as an error), TypeScript with tree-sitter's TypeScript grammar. A small evaluator then follows literals,
and names bound once to literals, through the SDK calls. How each setting is resolved mirrors the SDKs'
own code, which differs between the languages:

- Python, `railway_sdk` 0.7.0 (`_service_node`, `_normalize_source`, `_normalize_deploy`): aliases are
  chained with `or`, so an empty value falls through to the next alias; `preDeploy` and
  `healthcheckTimeout` go by key presence (`dict.get(key, fallback)`).
- TypeScript, npm `railway` 3.11.0, entry point `railway/iac` (`service`, `normalizeSource`,
  `normalizeDeploy`): aliases are chained with `??`, so only `null`/`undefined` fall through.

Anything that is not a literal (a call, an environment lookup, an f-string with placeholders, a name bound
more than once or in a loop) becomes `UNKNOWN` with a reason; nothing is guessed.
"""

from __future__ import annotations

import ast
import re
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from railcheck.sources.text import ParseFailure

if TYPE_CHECKING:
    from tree_sitter import Node, Parser


class _Unknown:
    """The type of `UNKNOWN`: a value that the file computes at run time."""

    __slots__ = ()
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"  # pickles as the module attribute, so identity survives a round trip

    def __copy__(self) -> _Unknown:
        return self

    def __deepcopy__(self, memo: object) -> _Unknown:
        return self


UNKNOWN = _Unknown()
"""Stands in for a value that is not static; `IacValue.reason` says why."""


@dataclass(frozen=True, slots=True)
class IacValue:
    """One setting's value and where it is written.

    `value` is a literal (str, int, float, bool, None, list, dict) or `UNKNOWN`. Lists and dicts hold
    `UNKNOWN` in place of parts that are not static; `entries` gives each part (dict key or list index)
    its own `IacValue`, with its own offsets and reason. A dict is `UNKNOWN` as a whole only when its keys
    are not known (it spreads something that is not static).

    `start`/`end` are the offsets of the value expression; when the value came through a name
    (`root=API_ROOT`), that is the name at the use site, and `origin` holds the offsets of the literal
    the name is bound to. `text_start` is the offset of a string's first character when the string's
    characters sit one to one in the file (no escapes, no implicit concatenation), so offsets inside the
    string (say, of a shell word in a start command) map to the file by adding `text_start`.
    """

    value: object
    start: int
    end: int
    reason: str | None = None
    origin: tuple[int, int] | None = None
    text_start: int | None = None
    entries: tuple[tuple[str | int, IacValue], ...] = ()


@dataclass(frozen=True, slots=True)
class IacService:
    """One `service(...)` (or `fn(...)`, kind "function") call reachable from the project's resources.

    `settings` has the normalised keys "root", "start", "healthcheck", "healthcheckTimeout", "build" (the
    build command), "preDeploy" (always a list), "variables" (`env` merged over `variables`), "domains",
    "configFile" and "replicas" (the `replicas=` value, else `regions=`), each only when the file gives
    it or when it may come from something unreadable (then it is `UNKNOWN`).
    """

    name: str
    name_start: int
    name_end: int
    call_start: int
    call_end: int
    settings: dict[str, IacValue]
    kind: str = "service"


@dataclass(frozen=True, slots=True)
class IacFile:
    services: tuple[IacService, ...]
    databases: tuple[tuple[str, int, int], ...]  # (name, offsets of the name argument)
    problems: tuple[ParseFailure, ...]  # non-fatal: why some of the file could not be read


def read_iac(text: str, language: str) -> IacFile | ParseFailure:
    """Read one IaC file; `language` is "python" or "typescript". ParseFailure for syntax errors. Never raises."""
    try:
        if language == "python":
            return _PyReader(text).read()
        if language == "typescript":
            return _TsReader(text).read()
        return ParseFailure(f"unsupported IaC language {language!r}", 0, 0)
    except RecursionError:
        return ParseFailure("cannot analyse this file: it is nested too deeply", 0, min(1, len(text)))
    except Exception as error:  # a bug here must cost one file, never the whole run
        return ParseFailure(f"cannot analyse this file ({type(error).__name__})", 0, min(1, len(text)))


# --------------------------------------------------------------------------------------------------------
# Language-neutral values. Front ends turn expressions into these; the back end resolves settings on them.


@dataclass(slots=True)
class _Lit:
    value: object  # str | int | float | bool | None
    start: int
    end: int
    text_start: int | None = None
    origin: tuple[int, int] | None = None


@dataclass(slots=True)
class _Unk:
    reason: str
    start: int
    end: int


@dataclass(slots=True)
class _Obj:
    # In source order, later entries win. A None key is a spread whose keys are unknown; its value is an
    # _Unk, and it hides every earlier entry from lookups.
    entries: list[tuple[str | None, _V]]
    start: int
    end: int
    origin: tuple[int, int] | None = None


@dataclass(slots=True)
class _Arr:
    items: list[_V]
    start: int
    end: int
    origin: tuple[int, int] | None = None
    # Spreads of values that are not static: the list's length and indices are unknown, but a project's
    # resources list still yields the resources written out beside them.
    holes: list[_Unk] = field(default_factory=list)


@dataclass(slots=True)
class _Res:
    """What an SDK constructor returns: a service, function, database, group, project, volume or bucket."""

    kind: str
    name: _V | None
    config: _Obj
    items: _V | None  # project and group resources
    start: int
    end: int
    callee: str


_V = Union[_Lit, _Unk, _Obj, _Arr, _Res]

_SERVICE_KINDS = {"service": "service", "fn": "function"}
_DATABASE_KINDS = frozenset({"postgres", "mysql", "redis", "mongo", "database"})
_RESOURCE_KINDS = frozenset(_SERVICE_KINDS) | _DATABASE_KINDS
_SOURCE_KINDS = frozenset({"github", "image", "template", "empty"})
_DEFINE = frozenset({"define_railway", "defineRailway", "define"})
# The exports of railway_sdk 0.7.0 and of railway/iac (npm railway 3.11.0) that a project file calls.
_PY_SDK = frozenset({
    "bucket", "createRailwayContext", "create_railway_context", "database", "defineRailway", "define_railway",
    "empty", "fn", "function_image", "function_start_command", "github", "group", "image", "mongo", "mysql",
    "postgres", "preserve", "project", "redis", "ref", "service", "template", "volume", "ServiceCdn",
    "ScheduleWindow",
})
_TS_SDK = frozenset({
    "bucket", "createRailwayContext", "database", "define", "defineRailway", "empty", "fn", "github", "group",
    "image", "mongo", "mysql", "postgres", "preserve", "project", "redis", "ref", "service", "template", "volume",
})
_TS_MODULES = frozenset({"railway/iac", "railway"})  # `railway` re-exports the IaC functions, and `iac` as a namespace
_MAX_DEPTH = 64  # deeper literals are not configuration; stopping keeps the evaluator's recursion bounded
_MAX_ITEMS = 5_000  # items in one list or dict; spreads could otherwise double a list per line
_MAX_NODES = 50_000  # values converted for one setting, and resources visited for one project
_DYNAMIC = "services built dynamically cannot be checked"


def _copy_at(value: _V, start: int, end: int, via: str) -> _V:
    """`value` as seen through the name `via` used at start:end."""
    if isinstance(value, _Lit):
        return _Lit(value.value, start, end, value.text_start, value.origin or (value.start, value.end))
    if isinstance(value, _Obj):
        return _Obj(value.entries, start, end, value.origin or (value.start, value.end))
    if isinstance(value, _Arr):
        return _Arr(value.items, start, end, value.origin or (value.start, value.end), value.holes)
    if isinstance(value, _Unk):
        through = value.reason.endswith(")") and "(through " in value.reason  # name the first name only
        return _Unk(value.reason if through else f"{value.reason} (through {via})", start, end)
    return value  # a resource keeps the offsets of its own call


def _lookup(container: _V | None, key: str) -> _V | None:
    """`container[key]`, None when absent. Non-dict containers read as empty, as `(x or {}).get` and `x?.k` do."""
    if isinstance(container, _Unk):
        return _Unk(container.reason, container.start, container.end)
    if not isinstance(container, _Obj):
        return None
    for name, value in reversed(container.entries):
        if name is None:
            assert isinstance(value, _Unk)
            return _Unk(f"may be set by a spread that {value.reason}", value.start, value.end)
        if name == key:
            return value
    return None


def _truthy(value: _V) -> bool | None:
    """Python truthiness, None when it cannot be known."""
    if isinstance(value, _Lit):
        return bool(value.value)
    if isinstance(value, _Obj):
        if any(name is not None for name, _ in value.entries):
            return True
        return None if value.entries else False
    if isinstance(value, _Arr):
        return True if value.items else (None if value.holes else False)
    if isinstance(value, _Res):
        return True
    return None


def _is_none(value: _V | None) -> bool:
    return value is None or (isinstance(value, _Lit) and value.value is None)


def _first(candidates: list[_V | None], python: bool) -> _V | None:
    """`a or b or c` (Python) / `a ?? b ?? c` (TypeScript); None when the result is None/undefined."""
    last: _V | None = None
    for candidate in candidates:
        last = candidate
        if _is_none(candidate):
            continue
        assert candidate is not None
        if isinstance(candidate, _Unk):
            return candidate
        if not python:
            return candidate
        truthy = _truthy(candidate)
        if truthy is None:
            return _Unk("may be empty, and then the next alias would apply", candidate.start, candidate.end)
        if truthy:
            return candidate
    return None if _is_none(last) else last


def _first_present(candidates: list[_V | None]) -> _V | None:
    """`c.get(k1, c.get(k2, ...))`: the first key that is present, even when its value is None."""
    for candidate in candidates:
        if candidate is not None:
            return candidate
    return None


def _splice(array: _Arr, spread: _V, start: int, end: int) -> None:
    """`[..., *spread]` / `[..., ...spread]`."""
    if isinstance(spread, _Arr) and len(array.items) + len(spread.items) > _MAX_ITEMS:
        array.holes.append(_Unk("spreads a list too large to read", start, end))
    elif isinstance(spread, _Arr):
        array.items.extend(spread.items)
        array.holes.extend(spread.holes[: max(0, 8 - len(array.holes))])  # a few say why; more would only cost
    elif isinstance(spread, _Unk):
        reason = spread.reason if spread.reason.startswith(_DYNAMIC) else f"spreads a value that {spread.reason}"
        array.holes.append(_Unk(reason, start, end))
    else:
        array.holes.append(_Unk("spreads a value that is not a list", start, end))


def _spread_entries(value: _V | None, what: str) -> list[tuple[str | None, _V]]:
    if value is None or _is_none(value):
        return []
    if isinstance(value, _Obj) and len(value.entries) > _MAX_ITEMS:
        return [(None, _Unk(f"{what} is too large to read", value.start, value.end))]
    if isinstance(value, _Obj):
        return list(value.entries)
    if isinstance(value, _Unk):
        return [(None, value)]
    return [(None, _Unk(f"{what} is not a dict", value.start, value.end))]


def _source_obj(kind: str, first: _V | None, options: _Obj, start: int, end: int, python: bool) -> _Obj:
    """github()/image()/template()/empty(): the dict each returns, as far as railcheck needs it."""
    entries: list[tuple[str | None, _V]] = [("type", _Lit(kind, start, end))]
    field_name = {"github": "repo", "image": "image", "template": "template"}.get(kind)
    if field_name is not None and first is not None:
        entries.append((field_name, first))
    if kind != "empty" or python:  # TypeScript's empty() takes no options
        entries.extend(options.entries)  # after the type, as in the SDKs: options could even replace it
    return _Obj(entries, start, end)


class _Back:
    """Collects services and databases from evaluated project values; shared by both front ends."""

    def __init__(self, python: bool) -> None:
        self.python = python
        self.services: list[IacService] = []
        self.databases: list[tuple[str, int, int]] = []
        self.problems: list[ParseFailure] = []
        self._seen: set[tuple[int, int]] = set()
        self._said: set[tuple[str, int, int]] = set()
        self._budget = _MAX_NODES

    def problem(self, message: str, start: int, end: int) -> None:
        if (message, start, end) not in self._said:
            self._said.add((message, start, end))
            self.problems.append(ParseFailure(message, start, end))

    def finish(self) -> IacFile:
        problems = sorted(self.problems, key=lambda p: (p.start, p.end))
        return IacFile(tuple(self.services), tuple(self.databases), tuple(problems))

    def program_result(self, value: _V, where: str) -> None:
        """A value the program returns: a project(...) or a plain project definition object."""
        if isinstance(value, _Res) and value.kind == "project":
            if isinstance(value.items, _Unk):
                self.problem(f"the project's resources cannot be read: it {value.items.reason}", value.items.start,
                             value.items.end)
            else:
                self.resources(value.items, 0)
        elif isinstance(value, _Obj):
            resources = _lookup(value, "resources")
            self.resources(resources if not _is_none(resources) else _lookup(value, "services"), 0)
        elif isinstance(value, _Unk):
            self.problem(f"{where} returns a value railcheck cannot read: it {value.reason}", value.start, value.end)
        else:
            self.problem(f"{where} does not return project(...)", value.start, value.end)

    def resources(self, value: _V | None, depth: int) -> None:
        self._budget -= 1
        if value is None or _is_none(value) or depth > _MAX_DEPTH or self._budget < 0:
            return
        if isinstance(value, _Arr):
            for item in value.items:
                self.resources(item, depth + 1)
            for hole in value.holes:
                self.resources(hole, depth + 1)
        elif isinstance(value, _Unk):
            reason = value.reason if value.reason.startswith(_DYNAMIC) else f"it {value.reason}"
            self.problem(f"a project resource cannot be read: {reason}", value.start, value.end)
        elif isinstance(value, _Res):
            if (value.start, value.end) in self._seen:
                return
            self._seen.add((value.start, value.end))
            if value.kind in _SERVICE_KINDS:
                self.service(value)
            elif value.kind in _DATABASE_KINDS:
                name = value.name
                if isinstance(name, _Lit) and isinstance(name.value, str):
                    self.databases.append((name.value, name.start, name.end))
                else:
                    self.name_problem(value)
            elif value.kind == "group":
                self.resources(value.items, depth + 1)
        elif isinstance(value, _Obj):
            self.problem("a project resource is a plain dict; railcheck reads service(...) and database calls only",
                         value.start, value.end)

    def name_problem(self, res: _Res) -> None:
        name = res.name
        if name is None:
            self.problem(f"{res.callee}(...) has no name", res.start, res.end)
        elif isinstance(name, _Unk):
            self.problem(f"the name of {res.callee}(...) is not a literal: it {name.reason}", name.start, name.end)
        else:
            self.problem(f"the name of {res.callee}(...) is not a string", name.start, name.end)

    def service(self, res: _Res) -> None:
        name = res.name
        if not (isinstance(name, _Lit) and isinstance(name.value, str)):
            self.name_problem(res)
            return
        for key, value in res.config.entries:
            if key is None:
                assert isinstance(value, _Unk)
                self.problem(f"settings of service {name.value!r} may come from a spread that {value.reason}; "
                             "those settings are unknown", value.start, value.end)
        settings = {key: _to_iac(value) for key, value in self.settings(res.config).items()}
        self.services.append(IacService(name.value, name.start, name.end, res.start, res.end, settings,
                                        _SERVICE_KINDS[res.kind]))

    def settings(self, config: _Obj) -> dict[str, _V]:
        py = self.python
        get = _lookup
        out: dict[str, _V | None] = {}
        run, deploy = get(config, "run"), get(config, "deploy")
        if py:  # `config.get("run") or {}`: an empty or None run reads as {}
            run = run if run is None or _truthy(run) is not False else None
            deploy = deploy if deploy is None or _truthy(deploy) is not False else None

        root = _first([get(config, "root"), get(config, "rootDirectory")], py)
        source = get(config, "source")
        if not _is_none(source):
            assert source is not None
            root = self.source_root(source, root)
        out["root"] = root

        out["start"] = _first([get(config, "start"), get(config, "startCommand"), get(run, "command"),
                               get(deploy, "startCommand")], py)
        out["healthcheck"] = _first([get(config, "healthcheck"), get(config, "healthcheckPath"),
                                     get(run, "healthcheck"), get(deploy, "healthcheckPath")], py)
        timeouts = [get(config, "healthcheckTimeout"), get(run, "healthcheckTimeout"),
                    get(deploy, "healthcheckTimeout")]
        out["healthcheckTimeout"] = _first_present(timeouts) if py else _first(timeouts, False)

        build = get(config, "build")
        if isinstance(build, _Lit) and isinstance(build.value, str):
            out["build"] = build
        elif isinstance(build, (_Obj, _Unk)):
            out["build"] = get(build, "buildCommand")

        pre_candidates = [get(config, "preDeploy"), get(config, "preDeployCommand"), get(run, "preDeploy")]
        pre = _first_present(pre_candidates) if py else _first(pre_candidates, False)
        if isinstance(pre, _Unk):
            out["preDeploy"] = pre
        elif pre is None or _is_none(pre) or (not py and _truthy(pre) is False and not isinstance(pre, _Arr)):
            out["preDeploy"] = get(deploy, "preDeployCommand")  # TypeScript also skips "" here
        else:
            out["preDeploy"] = pre
        if isinstance(out["preDeploy"], _Lit) and isinstance(out["preDeploy"].value, str):
            single = out["preDeploy"]
            out["preDeploy"] = _Arr([single], single.start, single.end)

        env, variables = get(config, "env"), get(config, "variables")
        if not (_is_none(env) and _is_none(variables)):
            merged = _Obj(_spread_entries(variables, "variables") + _spread_entries(env, "env"), 0, 0)
            anchor = env if not _is_none(env) else variables
            assert anchor is not None
            merged.start, merged.end = anchor.start, anchor.end
            if not py or merged.entries:  # Python skips an empty mapping; TypeScript keeps `{}`
                out["variables"] = merged

        out["domains"] = get(config, "domains")
        config_file = get(config, "configFile")
        out["configFile"] = config_file if py or config_file is None or _truthy(config_file) is not False else None
        replicas = get(config, "replicas")
        out["replicas"] = replicas if not _is_none(replicas) else get(config, "regions")
        return {key: value for key, value in out.items() if value is not None and not _is_none(value)}

    def source_root(self, source: _V, root: _V | None) -> _V | None:
        """The root directory after the SDK's source normalisation: a typed source's own rootDirectory wins."""
        if isinstance(source, _Unk):
            return _Unk(f"depends on source, which {source.reason}", source.start, source.end)
        if not isinstance(source, _Obj):
            return root
        kind = _lookup(source, "type")
        if isinstance(kind, _Unk):
            return _Unk(f"depends on source, whose type {kind.reason}", kind.start, kind.end)
        own = _lookup(source, "rootDirectory")
        if kind is not None and _truthy(kind):
            return _first([own, root], self.python)
        if own is not None and not _is_none(own):
            self.problem('the source has no "type", so the SDK ignores its rootDirectory; give the type '
                         "or use root=", own.start, own.end)
        return root


def _to_iac(value: _V, depth: int = 0, budget: list[int] | None = None) -> IacValue:
    # Names let a small file describe a huge value (`B = [A, A]; C = [B, B]; ...`): the budget caps the work.
    budget = [_MAX_NODES] if budget is None else budget
    budget[0] -= 1
    if isinstance(value, _Lit):
        return IacValue(value.value, value.start, value.end, None, value.origin, value.text_start)
    if isinstance(value, _Unk):
        return IacValue(UNKNOWN, value.start, value.end, value.reason)
    if depth > _MAX_DEPTH:
        return IacValue(UNKNOWN, value.start, value.end, "is nested too deeply to read")
    if budget[0] < 0 and isinstance(value, (_Arr, _Obj)):
        return IacValue(UNKNOWN, value.start, value.end, "is too large to read")
    if isinstance(value, _Arr):
        if value.holes:
            return IacValue(UNKNOWN, value.start, value.end, value.holes[0].reason, value.origin)
        items = tuple((index, _to_iac(item, depth + 1, budget)) for index, item in enumerate(value.items))
        return IacValue([item.value for _, item in items], value.start, value.end, None, value.origin, None, items)
    if isinstance(value, _Obj):
        keys = list(dict.fromkeys(key for key, _ in value.entries if key is not None))
        final: dict[str, _V] = {}
        hidden: _Unk | None = None
        for key, item in reversed(value.entries):  # what _lookup would answer for every key, in one pass
            if key is None:
                assert isinstance(item, _Unk)
                hidden = hidden or item
            elif key not in final:
                final[key] = item if hidden is None else \
                    _Unk(f"may be set by a spread that {hidden.reason}", hidden.start, hidden.end)
        entries = [(key, _to_iac(final[key], depth + 1, budget)) for key in keys]
        if hidden is not None:
            return IacValue(UNKNOWN, value.start, value.end, f"spreads a value that {hidden.reason}", value.origin,
                            None, tuple(entries))
        return IacValue({key: item.value for key, item in entries}, value.start, value.end, None, value.origin, None,
                        tuple(entries))
    what = "service" if value.kind in _SERVICE_KINDS else value.kind
    return IacValue(UNKNOWN, value.start, value.end, f"is a {what} object from {value.callee}(...), not a value")


class _Scope:
    """Names bound in one scope (the module, or the program function), each with every place that binds it."""

    __slots__ = ("label", "bindings", "parent", "star")

    def __init__(self, label: str, parent: _Scope | None) -> None:
        self.label = label
        self.bindings: dict[str, list[_Binding]] = {}
        self.parent = parent
        self.star = False  # `from railway_sdk import *`

    def add(self, name: str, binding: _Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def find(self, name: str) -> tuple[_Scope, list[_Binding]] | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.bindings:
                return scope, scope.bindings[name]
            scope = scope.parent
        return None


def _sdk_binding(bindings: list[_Binding]) -> str | None:
    """The SDK function a name is bound to, when every binding of it is the same SDK import."""
    names = {str(b.node) if b.kind == "sdk" else None for b in bindings}
    return names.pop() if len(names) == 1 and None not in names else None


@dataclass(slots=True)
class _Binding:
    kind: str  # "assign" | "sdk" | "sdkmodule" | "other"
    node: object  # assign: the value expression; sdk: the SDK function name
    why: str | None  # assign: the compound statement it sits in, if any; other: why it is not static
    line: int


# --------------------------------------------------------------------------------------------------------
# Python


_PY_NEWLINE = re.compile(r"\r\n|\r|\n")  # Python's universal newlines, which ast positions count in
_PY_STRING = re.compile(r"([rRbBuUfF]{0,2})('''|\"\"\"|'|\")")
_MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault", "pop", "popitem", "remove", "clear",
                       "sort", "reverse", "add", "discard", "push", "unshift", "shift", "splice", "fill", "set",
                       "delete", "copyWithin", "__setitem__"})
_PY_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_PY_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_PY_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


class _PyReader:
    def __init__(self, text: str) -> None:
        self.text = text
        # A decoded file may keep its BOM; Python drops it when reading, and ast rejects it in a string.
        self.base = 1 if text.startswith("\ufeff") else 0
        self.source = text[self.base :]
        self.starts = [0] + [m.end() for m in _PY_NEWLINE.finditer(self.source)]
        self.columns: dict[int, list[int]] = {}  # per non-ASCII line, UTF-8 byte index -> code-point index
        self.back = _Back(python=True)
        self.module = _Scope("the module", None)
        self.mutated: dict[str, str] = {}
        self.resolving: set[tuple[int, str]] = set()
        self.memo: dict[tuple[int, str], _V] = {}
        self.programs: list[ast.AST] = []
        self.program_ids: set[int] = set()
        self.undeclared: dict[str, tuple[int, int]] = {}

    # positions

    def offset(self, line: int, column: int) -> int:
        """Offset of a 1-based line and a UTF-8 byte column (as ast gives them)."""
        index = min(max(line, 1), len(self.starts)) - 1
        start = self.starts[index]
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.source)
        table = self.columns.get(index)
        if table is None:
            chunk = self.source[start:end]
            table = [] if chunk.isascii() else [i for i, char in enumerate(chunk) for _ in char.encode("utf-8")]
            self.columns[index] = table
        if table:  # a non-ASCII line: byte column to code-point column
            column = table[column] if column < len(table) else end - start
        return self.base + min(start + column, end)

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end_line = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
        end_col = getattr(node, "end_col_offset", None)
        end = self.offset(end_line, end_col if end_col is not None else node.col_offset)  # type: ignore[attr-defined]
        return start, max(start, end)

    # entry

    def read(self) -> IacFile | ParseFailure:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escapes in the file are not railcheck's to report
                tree = ast.parse(self.source)
        except SyntaxError as error:
            return self.syntax_failure(error)
        except ValueError:  # "source code string cannot contain null bytes"
            at = self.text.find("\0")
            return ParseFailure("invalid Python: the file contains a null byte", max(at, 0), max(at, 0) + 1)
        except UnicodeError as error:  # lone surrogates cannot be encoded for the parser
            at = self.base + getattr(error, "start", 0)
            return ParseFailure("invalid Python: the text contains an unpaired surrogate", at, at + 1)
        except (RecursionError, MemoryError):
            return ParseFailure("invalid Python: nesting too deep to parse", 0, min(1, len(self.text)))
        self.bind_body(self.module, tree.body)
        self.find_programs(tree)
        self.scan(tree)  # after finding the programs: calls inside them are not dynamic
        self.read_programs(tree)
        for name, (start, end) in self.undeclared.items():
            self.back.problem(f"{name} is used but never imported from railway_sdk; the file would fail when run",
                              start, end)
        return self.back.finish()

    def syntax_failure(self, error: SyntaxError) -> ParseFailure:
        message = f"invalid Python: {error.msg}"
        if not error.lineno:
            at = self.text.find("\0")  # "source code string cannot contain null bytes" has no position
            return ParseFailure(message, max(at, 0), max(at, 0) + 1) if at >= 0 else \
                ParseFailure(message, 0, min(1, len(self.text)))
        index = min(max(error.lineno, 1), len(self.starts)) - 1
        line_start = self.starts[index]
        line_end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.source)
        # SyntaxError columns are 1-based code points (since 3.10), unlike node columns.
        start = min(line_start + max((error.offset or 1) - 1, 0), line_end)
        end = start
        if error.end_lineno == error.lineno and error.end_offset and error.end_offset > (error.offset or 0):
            end = min(line_start + error.end_offset - 1, line_end)
        if end <= start:
            end = min(start + 1, len(self.source))
            start = min(start, end)
        return ParseFailure(message, self.base + start, self.base + end)

    # bindings

    def bind_body(self, scope: _Scope, body: list[ast.stmt]) -> None:
        stack: list[tuple[ast.stmt, str | None]] = [(stmt, None) for stmt in reversed(body)]
        while stack:
            stmt, where = stack.pop()
            line = stmt.lineno

            def push(statements: list[ast.stmt], why: str) -> None:
                stack.extend((s, where or why) for s in reversed(statements))

            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    self.bind_target(scope, target, stmt.value, where, line)
            elif isinstance(stmt, ast.AnnAssign):
                if stmt.value is not None:
                    self.bind_target(scope, stmt.target, stmt.value, where, line)
            elif isinstance(stmt, ast.AugAssign):
                self.bind_target(scope, stmt.target, None, where, line, "is changed by an augmented assignment")
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                self.bind_target(scope, stmt.target, None, where, line, "comes from a loop")
                push(stmt.body + stmt.orelse, "inside a loop")
            elif isinstance(stmt, ast.While):
                push(stmt.body + stmt.orelse, "inside a loop")
            elif isinstance(stmt, ast.If):
                push(stmt.body + stmt.orelse, "inside an if statement")
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                for item in stmt.items:
                    if item.optional_vars is not None:
                        self.bind_target(scope, item.optional_vars, None, where, line, "is bound by a with statement")
                push(stmt.body, "inside a with statement")
            elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
                handlers = getattr(stmt, "handlers", [])
                for handler in handlers:
                    if handler.name:
                        scope.add(handler.name, _Binding("other", None, "is bound by an except clause", line))
                    push(handler.body, "inside a try statement")
                push(stmt.body + stmt.orelse + stmt.finalbody, "inside a try statement")  # type: ignore[attr-defined]
            elif isinstance(stmt, ast.Match):
                for case in stmt.cases:
                    for node in ast.walk(case.pattern):
                        for name in (getattr(node, "name", None), getattr(node, "rest", None)):
                            if isinstance(name, str):
                                scope.add(name, _Binding("other", None, "is bound by a match pattern", line))
                    push(case.body, "inside a match statement")
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                scope.add(stmt.name, _Binding("other", stmt, "is a function", line))
            elif isinstance(stmt, ast.ClassDef):
                scope.add(stmt.name, _Binding("other", None, "is a class", line))
            elif isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    local = alias.asname or alias.name.split(".")[0]
                    if alias.name == "railway_sdk" or (alias.asname is None and alias.name.startswith("railway_sdk.")):
                        scope.add(local, _Binding("sdkmodule", None, None, line))
                    else:
                        scope.add(local, _Binding("other", None, f"is the module {alias.name}", line))
            elif isinstance(stmt, ast.ImportFrom):
                from_sdk = stmt.level == 0 and stmt.module == "railway_sdk"
                origin = "." * stmt.level + (stmt.module or "")
                for alias in stmt.names:
                    if alias.name == "*":
                        if from_sdk:
                            scope.star = True
                        continue
                    local = alias.asname or alias.name
                    if from_sdk and alias.name in _PY_SDK:
                        scope.add(local, _Binding("sdk", alias.name, None, line))
                    else:
                        scope.add(local, _Binding("other", None, f"is imported from {origin}", line))
            elif isinstance(stmt, (ast.Global, ast.Nonlocal)):
                for name in stmt.names:
                    scope.add(name, _Binding("other", None, "is declared global", line))
            elif isinstance(stmt, ast.Delete):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        scope.add(target.id, _Binding("other", None, "is deleted", line))

    def bind_target(self, scope: _Scope, target: ast.expr, value: ast.expr | None, where: str | None, line: int,
                    why: str = "is unpacked from a sequence") -> None:
        if isinstance(target, ast.Name):
            if value is None:
                scope.add(target.id, _Binding("other", None, why, line))
            else:
                scope.add(target.id, _Binding("assign", value, where, line))
        elif isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    scope.add(node.id, _Binding("other", None, why, line))

    # whole-file scan: imports, mutations, resources built dynamically

    def scan(self, tree: ast.Module) -> None:
        stack: list[tuple[ast.AST, str | None]] = [(tree, None)]
        while stack:
            node, context = stack.pop()
            if isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    if top != "railway_sdk" and top not in sys.stdlib_module_names:
                        self.back.problem(f"imports {alias.name}, which railcheck does not read (a local module or "
                                          "another package); values taken from it are unknown", *self.span(alias))
            elif isinstance(node, ast.ImportFrom):
                top = (node.module or "").split(".")[0]
                origin = "." * node.level + (node.module or "")
                if node.level:
                    self.back.problem(f"imports the local module {origin}; railcheck does not follow imports, so "
                                      "values taken from it are unknown", *self.span(node))
                elif top != "railway_sdk" and top not in sys.stdlib_module_names and top != "__future__":
                    self.back.problem(f"imports from {origin}, which railcheck does not read (a local module or "
                                      "another package); values taken from it are unknown", *self.span(node))
            elif isinstance(node, ast.Call):
                callee = node.func
                if isinstance(callee, ast.Attribute) and callee.attr in _MUTATORS:
                    self.mark(callee.value, f"is changed by .{callee.attr}() (line {node.lineno})")
                kind = self.sdk_name(callee, self.module, scanning=True)
                if kind in _RESOURCE_KINDS and context is not None:
                    self.back.problem(f"{_DYNAMIC}: {kind}(...) is called {context}", *self.span(node))
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for target in targets:
                    if isinstance(target, (ast.Attribute, ast.Subscript)):
                        self.mark(target, f"is changed by an assignment (line {node.lineno})")
            elif isinstance(node, ast.NamedExpr):
                self.mutated.setdefault(node.target.id, f"is bound by := (line {node.lineno})")
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    self.mutated.setdefault(name, f"is declared global in a function (line {node.lineno})")

            for name, child in ast.iter_fields(node):
                inner = context
                if isinstance(node, _PY_LOOPS) and name in ("body", "orelse"):
                    inner = context or "inside a loop"
                elif isinstance(node, _PY_COMPREHENSIONS):
                    inner = context or "inside a comprehension"
                elif isinstance(node, ast.Lambda) and id(node) not in self.program_ids and name == "body":
                    inner = context or "inside a lambda"
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and name == "body":
                    if id(node) not in self.program_ids:
                        inner = context or f"inside the function {node.name}(), which railcheck does not follow"
                children = child if isinstance(child, list) else [child]
                stack.extend((c, inner) for c in reversed(children) if isinstance(c, ast.AST))

    def mark(self, node: ast.expr, why: str) -> None:
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        if isinstance(node, ast.Name):
            self.mutated.setdefault(node.id, why)

    # the program

    def is_define(self, node: ast.expr) -> bool:
        return self.sdk_name(node, self.module) in _DEFINE

    def is_program_def(self, node: ast.AST) -> bool:
        return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            self.is_define(d) for d in node.decorator_list)

    def find_programs(self, tree: ast.Module) -> None:
        programs: list[ast.AST] = []
        for stmt in tree.body:
            if self.is_program_def(stmt):
                programs.append(stmt)
            value = stmt.value if isinstance(stmt, (ast.Assign, ast.Expr, ast.AnnAssign)) else None
            if isinstance(value, ast.Call) and self.is_define(value.func) and value.args:
                argument = value.args[0]
                if isinstance(argument, ast.Lambda):
                    programs.append(argument)
                elif isinstance(argument, ast.Name):
                    bound = self.module.bindings.get(argument.id, [])
                    if len(bound) == 1 and isinstance(bound[0].node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        programs.append(bound[0].node)
        for program in programs:
            if id(program) not in self.program_ids:
                self.program_ids.add(id(program))
                self.programs.append(program)

    def read_programs(self, tree: ast.Module) -> None:
        if not self.programs:
            self.back.problem("no function decorated with @define_railway was found; reading project(...) "
                              "calls at module level", 0, 0)
            for stmt in tree.body:
                value = getattr(stmt, "value", None)
                if isinstance(value, ast.Call) and self.sdk_name(value.func, self.module) == "project":
                    self.back.program_result(self.ev(value, self.module, 0), "the module")
            return
        if len(self.programs) > 1:
            self.back.problem("more than one @define_railway function; railcheck reads them all", 0, 0)
        for program in self.programs:
            self.read_program(program)

    def read_program(self, program: ast.AST) -> None:
        label = f"{program.name}()" if isinstance(program, (ast.FunctionDef, ast.AsyncFunctionDef)) else "the lambda"
        scope = _Scope(label, self.module)
        arguments: ast.arguments = program.args  # type: ignore[attr-defined]
        parameters = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
        parameters += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
        for parameter in parameters:
            scope.add(parameter.arg, _Binding("other", None, f"is a parameter of {label}", parameter.lineno))
        if isinstance(program, ast.Lambda):
            self.back.program_result(self.ev(program.body, scope, 0), label)
            return
        body: list[ast.stmt] = program.body  # type: ignore[attr-defined]
        self.bind_body(scope, body)
        returns: list[ast.Return] = []
        stack: list[ast.AST] = list(reversed(body))
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Return):
                returns.append(node)
            elif not isinstance(node, (*_PY_FUNCTIONS, ast.ClassDef)):
                stack.extend(reversed([c for c in ast.iter_child_nodes(node) if isinstance(c, ast.stmt)]))
        if not returns:
            start, end = self.span(program)
            self.back.problem(f"{label} never returns project(...)", start, end)
        if len(returns) > 1:
            start, end = self.span(program)
            self.back.problem(f"{label} returns in {len(returns)} places; services from every return are read",
                              start, end)
        for node in returns:
            if node.value is None:
                self.back.problem(f"{label} returns nothing here", *self.span(node))
            else:
                self.back.program_result(self.ev(node.value, scope, 0), label)

    # names

    def sdk_name(self, node: ast.expr, scope: _Scope, scanning: bool = False) -> str | None:
        """The railway_sdk function that `node` names, if it does."""
        if isinstance(node, ast.Name):
            found = scope.find(node.id)
            if found is None:
                if node.id in _PY_SDK:
                    # Unbound, so the file means the SDK's function (a star import, or a forgotten import).
                    if not self.module.star and not scanning:
                        self.undeclared.setdefault(node.id, self.span(node))
                    return node.id
                return None
            return _sdk_binding(found[1]) if node.id not in self.mutated else None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr in _PY_SDK:
            found = scope.find(node.value.id)
            if found is not None and len(found[1]) == 1 and found[1][0].kind == "sdkmodule":
                return node.attr
        return None

    def resolve(self, node: ast.Name, scope: _Scope, depth: int) -> _V:
        start, end = self.span(node)
        name = node.id
        found = scope.find(name)
        if found is None:
            return _Unk(f"uses the name {name}, which is not defined in this file", start, end)
        owner, bindings = found
        if len(bindings) > 1:
            lines = ", ".join(str(b.line) for b in bindings[:4])
            return _Unk(f"uses the name {name}, which is assigned more than once (lines {lines})", start, end)
        binding = bindings[0]
        if binding.kind in ("sdk", "sdkmodule"):
            return _Unk(f"is the railway_sdk function {name}, not a value", start, end)
        if binding.kind != "assign":
            return _Unk(f"uses the name {name}, which {binding.why}", start, end)
        if binding.why is not None:
            return _Unk(f"uses the name {name}, which is assigned {binding.why}", start, end)
        if name in self.mutated:
            return _Unk(f"uses the name {name}, which {self.mutated[name]}", start, end)
        key = (id(owner), name)
        if key in self.resolving:
            return _Unk(f"uses the name {name}, which refers to itself", start, end)
        value = self.memo.get(key)
        if value is None:  # memoised: `B = [A, A]; C = [B, B]; ...` must not cost 2**n evaluations
            self.resolving.add(key)
            try:
                value = self.ev(binding.node, owner, depth + 1)  # type: ignore[arg-type]
            finally:
                self.resolving.discard(key)
            self.memo[key] = value
        return _copy_at(value, start, end, name)

    # expressions

    def ev(self, node: ast.expr, scope: _Scope, depth: int) -> _V:
        start, end = self.span(node)
        if depth > _MAX_DEPTH:
            return _Unk("is nested too deeply to read", start, end)
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, str):
                return _Lit(value, start, end, self.text_start(start, end, value))
            if value is None or isinstance(value, (bool, int, float)):
                return _Lit(value, start, end)
            return _Unk(f"is a {type(value).__name__} literal", start, end)
        if isinstance(node, ast.JoinedStr):
            if all(isinstance(part, ast.Constant) and isinstance(part.value, str) for part in node.values):
                value = "".join(part.value for part in node.values)  # type: ignore[attr-defined]
                return _Lit(value, start, end, self.text_start(start, end, value))
            return _Unk("is an f-string with placeholders", start, end)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            number = node.operand.value if isinstance(node.operand, ast.Constant) else None
            if type(number) in (int, float):
                assert isinstance(number, (int, float))
                return _Lit(-number if isinstance(node.op, ast.USub) else number, start, end)
            return _Unk("is computed with an operator", start, end)
        if isinstance(node, ast.Name):
            return self.resolve(node, scope, depth)
        if isinstance(node, (ast.List, ast.Tuple)):
            array = _Arr([], start, end)
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    _splice(array, self.ev(element.value, scope, depth + 1), *self.span(element))
                else:
                    array.items.append(self.ev(element, scope, depth + 1))
            return array
        if isinstance(node, ast.Dict):
            entries: list[tuple[str | None, _V]] = []
            for key_node, value_node in zip(node.keys, node.values):
                if key_node is None:
                    entries.extend(_spread_entries(self.ev(value_node, scope, depth + 1), "the spread value"))
                    if len(entries) > _MAX_ITEMS:
                        return _Unk("is too large to read", start, end)
                    continue
                key = self.ev(key_node, scope, depth + 1)
                item = self.ev(value_node, scope, depth + 1)
                if isinstance(key, _Lit) and isinstance(key.value, str):
                    entries.append((key.value, item))
                else:
                    why = key.reason if isinstance(key, _Unk) else "is not a string"
                    entries.append((None, _Unk(f"has a key that {why}", key.start, key.end)))
            return _Obj(entries, start, end)
        if isinstance(node, ast.Call):
            return self.call(node, scope, depth, start, end)
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            return self.access(node, scope, depth, start, end)
        if isinstance(node, _PY_COMPREHENSIONS):
            if any(isinstance(c, ast.Call) and self.sdk_name(c.func, scope) in _RESOURCE_KINDS for c in ast.walk(node)):
                return _Unk(_DYNAMIC, start, end)
            return _Unk("comes from a comprehension", start, end)
        if isinstance(node, ast.Set):
            return _Unk("is a set", start, end)
        if isinstance(node, (ast.BinOp, ast.BoolOp, ast.UnaryOp, ast.Compare)):
            return _Unk("is computed with an operator", start, end)
        if isinstance(node, ast.IfExp):
            return _Unk("depends on a condition", start, end)
        if isinstance(node, ast.Lambda):
            return _Unk("is a lambda", start, end)
        if isinstance(node, ast.Await):
            return _Unk("is awaited", start, end)
        if isinstance(node, ast.NamedExpr):
            return _Unk("is an assignment expression", start, end)
        return _Unk(f"is not a literal ({type(node).__name__})", start, end)

    def text_start(self, start: int, end: int, value: str) -> int | None:
        written = self.text[start:end]
        match = _PY_STRING.match(written)
        if match is None:
            return None
        quote = match.group(2)
        body_start = match.end()
        body = written[body_start : len(written) - len(quote)]
        if written.endswith(quote) and len(written) >= body_start + len(quote) and body == value:
            return start + body_start
        return None

    def access(self, node: ast.Attribute | ast.Subscript, scope: _Scope, depth: int, start: int, end: int) -> _V:
        dotted = _py_dotted(node)
        chain: list[str] = []
        base: ast.expr = node
        while isinstance(base, (ast.Attribute, ast.Subscript)):
            chain.append(base.attr if isinstance(base, ast.Attribute) else "[...]")
            base = base.value
        chain.reverse()
        if dotted is not None and (dotted.startswith("os.environ") or dotted.startswith("environ")):
            return _Unk(f"reads {dotted}", start, end)
        if isinstance(base, ast.Name) and chain[:1] == ["env"]:
            found = scope.find(base.id)
            if found is not None and len(found[1]) == 1 and found[1][0].kind == "assign":
                target = self.resolve(base, scope, depth + 1)
                if isinstance(target, _Res):
                    return _Unk(f"is a reference to a variable of {target.callee}(...) {base.id}, "
                                "resolved by Railway", start, end)
        if chain[:1] == ["shared"]:
            return _Unk("is a shared variable reference, resolved by Railway", start, end)
        return _Unk(f"reads {dotted or 'an attribute'}", start, end)

    def call(self, node: ast.Call, scope: _Scope, depth: int, start: int, end: int) -> _V:
        kind = self.sdk_name(node.func, scope)
        if kind is None:
            dotted = _py_dotted(node.func)
            if dotted == "dict" and scope.find("dict") is None and not node.args:
                return self.keywords(node, scope, depth, start, end)
            if any(isinstance(c, ast.Call) and self.sdk_name(c.func, scope) in _RESOURCE_KINDS
                   for c in ast.walk(node) if c is not node):
                return _Unk(_DYNAMIC, start, end)  # map(lambda n: service(n), ...), list(make_services())
            return _Unk(f"calls {dotted or 'a function'}", start, end)
        args: list[_V] = []
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                return _Unk(f"passes *arguments to {kind}(...)", start, end)
            args.append(self.ev(argument, scope, depth + 1))
        options = self.keywords(node, scope, depth, start, end)

        def take(index: int, name: str) -> _V | None:
            if index < len(args):
                return args[index]
            found = _lookup(options, name)
            if found is not None:
                options.entries = [(k, v) for k, v in options.entries if k != name]
            return found

        if kind in ("service", "fn") or kind in _DATABASE_KINDS or kind in ("volume", "bucket"):
            name = take(0, "name")
            most = {"fn": 3, "database": 2, "volume": 2, "bucket": 2}.get(kind, 1)
            if len(args) > most:
                self.back.problem(f"{kind}() takes its settings as keyword arguments; the extra positional "
                                  "argument would fail when the file runs", args[most].start, args[-1].end)
            if kind == "fn":
                code_file, runtime = take(1, "code_file"), take(2, "runtime")
                if not _is_none(code_file) or not _is_none(runtime):
                    if _is_none(_lookup(options, "source")):
                        image = _source_obj("image", None, _Obj([], start, end), start, end, True)
                        options.entries.append(("source", image))  # fn() runs its code on the function image
                if not _is_none(code_file):
                    assert code_file is not None
                    options.entries.append(("start", _Unk("is built by fn() from its code file",
                                                          code_file.start, code_file.end)))
            return _Res(kind, name, options, None, start, end, kind)
        if kind in _SOURCE_KINDS:
            return _source_obj(kind, take(0, "name") if kind != "empty" else None, options, start, end, True)
        if kind == "project":
            name = take(0, "name")
            definition = take(1, "definition")
            payload = _Obj(_spread_entries(definition, "the definition") + options.entries, start, end)
            resources = _lookup(payload, "resources")
            if _is_none(resources):
                resources = _first([_lookup(payload, "services")], True)
            return _Res("project", name, payload, resources, start, end, kind)
        if kind == "group":
            name = take(0, "name")
            resources = take(1, "resources")
            if isinstance(resources, _Obj):
                resources = None  # group(name, {options}): no resources
            return _Res("group", name, options, resources, start, end, kind)
        if kind == "ref":
            return _Unk("is a reference to another resource's variable, resolved by Railway", start, end)
        if kind == "preserve":
            return _Unk("is preserve(): Railway keeps the value it already holds", start, end)
        return _Unk(f"calls {kind}", start, end)

    def keywords(self, node: ast.Call, scope: _Scope, depth: int, start: int, end: int) -> _Obj:
        # Python rejects a keyword given twice, so explicit keywords are definite whatever their order
        # relative to `**spread`: put spreads first so that lookups see the explicit ones.
        spreads: list[tuple[str | None, _V]] = []
        explicit: list[tuple[str | None, _V]] = []
        for keyword in node.keywords:
            value = self.ev(keyword.value, scope, depth + 1)
            if keyword.arg is None:
                spreads.extend(_spread_entries(value, "the ** value"))
            else:
                explicit.append((keyword.arg, value))
        return _Obj(spreads + explicit, start, end)


def _py_dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            parts.append("[...]")
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return ".".join(reversed(parts)).replace(".[...]", "[...]")
        else:
            return None


# --------------------------------------------------------------------------------------------------------
# TypeScript


_ts_parser: Parser | None = None
# One tree-sitter Parser is not safe to share between threads; parses are short, so a lock suffices.
_ts_lock = threading.Lock()
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_JS_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])")
_JS_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0",
              "\n": "", "\r": "", "\r\n": "", "\u2028": "", "\u2029": ""}
_TS_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function", "function_declaration",
                           "generator_function", "generator_function_declaration", "method_definition"})
_TS_LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
_TS_TRANSPARENT = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression",
                             "non_null_expression", "type_assertion"})


def _get_ts_parser() -> Parser:
    global _ts_parser
    if _ts_parser is None:
        # Imported here, not at module load: the grammar costs time that a run without IaC files skips.
        import tree_sitter_typescript
        from tree_sitter import Language, Parser

        _ts_parser = Parser(Language(tree_sitter_typescript.language_typescript()))
    return _ts_parser


def _js_unescape(raw: str) -> str:
    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape in _JS_SIMPLE:
            return _JS_SIMPLE[escape]
        if escape.startswith("u{"):
            code = int(escape[2:-1], 16)
            return chr(code) if code <= 0x10FFFF else match.group(0)
        if escape[0] in "ux" and len(escape) > 1:
            return chr(int(escape[1:], 16))
        return escape

    value = _JS_ESCAPE.sub(replace, raw)
    if _SURROGATE.search(value):  # `\uD83D\uDE00` is one character written as a UTF-16 pair
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return value


def _js_number(raw: str) -> int | float | None:
    text = raw.replace("_", "")
    try:
        if text.endswith("n"):
            return int(text[:-1], 0)
        if re.fullmatch(r"0[xXoObB][0-9a-fA-F]+", text):
            return int(text, 0)
        if re.fullmatch(r"[0-9]+", text):
            return int(text)
        return float(text)
    except ValueError:
        return None


class _TsReader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.back = _Back(python=False)
        self.module = _Scope("the module", None)
        self.mutated: dict[str, str] = {}
        self.resolving: set[tuple[int, str]] = set()
        self.memo: dict[tuple[int, str], _V] = {}
        self.programs: list[Node] = []
        self.program_ids: set[int] = set()
        self.fallback: list[Node] = []
        self.undeclared: dict[str, tuple[int, int]] = {}
        self.byte_to_char: list[int] | None = None

    # positions

    def span(self, node: Node) -> tuple[int, int]:
        table = self.byte_to_char
        if table is None:
            return node.start_byte, node.end_byte
        return table[min(node.start_byte, len(table) - 1)], table[min(node.end_byte, len(table) - 1)]

    def raw(self, node: Node) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def line(self, node: Node) -> int:
        return node.start_point[0] + 1

    # entry

    def read(self) -> IacFile | ParseFailure:
        # Lone surrogates cannot be encoded; one ASCII byte each keeps every other offset exact.
        clean = _SURROGATE.sub("?", self.text)
        data = clean.encode("utf-8")
        if len(data) != len(clean):
            # tree-sitter reports UTF-8 byte offsets; railcheck's are code points.
            table: list[int] = []
            for index, char in enumerate(clean):
                table.extend([index] * len(char.encode("utf-8")))
            table.append(len(clean))
            self.byte_to_char = table
        with _ts_lock:
            tree = _get_ts_parser().parse(data)
        root = tree.root_node
        if root.has_error:
            return self.syntax_failure(root)
        statements = _named(root)
        self.bind_statements(self.module, statements)
        self.find_programs(statements)
        self.scan(root)  # after finding the programs: calls inside them are not dynamic
        self.read_programs()
        for name, (start, end) in self.undeclared.items():
            self.back.problem(f"{name} is used but never imported from railway/iac; the file would fail to compile",
                              start, end)
        return self.back.finish()

    def syntax_failure(self, root: Node) -> ParseFailure:
        stack = [root]
        while stack:
            node = stack.pop()
            if node.is_missing:
                start, end = self.span(node)
                return ParseFailure(f"invalid TypeScript: missing {node.type!r}", start, end)
            if node.is_error:
                # An ERROR node holds the tokens the parser skipped; where it starts depends on how far the
                # parser backtracked, so its last token is the better guess at the culprit.
                start, end = self.span(node)
                if not self.text[end:].strip() and _unclosed(node):
                    at = len(self.text.rstrip())
                    return ParseFailure("invalid TypeScript: unexpected end of file (is a bracket left open?)",
                                        max(at - 1, 0), at)
                token = node
                while token.child_count and token.type not in ("string", "template_string", "regex"):
                    token = token.children[-1]
                start, end = self.span(token if token.end_byte > token.start_byte else node)
                text = self.text[start:end].strip()[:40]
                return ParseFailure(f"invalid TypeScript: syntax error near {text!r}" if text else "invalid TypeScript",
                                    start, max(end, start))
            if node.has_error:
                stack.extend(reversed(node.children))
        return ParseFailure("invalid TypeScript", 0, min(1, len(self.text)))

    # bindings

    def bind_statements(self, scope: _Scope, statements: list[Node], where: str | None = None) -> None:
        stack: list[tuple[Node, str | None]] = [(s, where) for s in reversed(statements)]
        while stack:
            node, where = stack.pop()
            kind = node.type
            line = self.line(node)

            def push(children: list[Node], why: str) -> None:
                stack.extend((c, where or why) for c in reversed(children))

            if kind in ("lexical_declaration", "variable_declaration"):
                for declarator in _named(node):
                    if declarator.type != "variable_declarator":
                        continue
                    name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
                    if name is None:
                        continue
                    if name.type == "identifier":
                        if value is None:
                            scope.add(self.raw(name), _Binding("other", None, "is declared without a value", line))
                        else:
                            scope.add(self.raw(name), _Binding("assign", value, where, line))
                    else:
                        for identifier in _descendants(name, ("identifier", "shorthand_property_identifier_pattern")):
                            scope.add(self.raw(identifier), _Binding("other", None, "is destructured", line))
            elif kind == "export_statement":
                declaration = node.child_by_field_name("declaration")
                if declaration is not None:
                    stack.append((declaration, where))
            elif kind in ("function_declaration", "generator_function_declaration"):
                name = node.child_by_field_name("name")
                if name is not None:
                    scope.add(self.raw(name), _Binding("other", node, "is a function", line))
            elif kind in ("class_declaration", "abstract_class_declaration"):
                name = node.child_by_field_name("name")
                if name is not None:
                    scope.add(self.raw(name), _Binding("other", None, "is a class", line))
            elif kind == "import_statement":
                self.bind_import(scope, node, line)
            elif kind == "if_statement":
                parts = [node.child_by_field_name("consequence"), node.child_by_field_name("alternative")]
                push([c for p in parts if p is not None for c in _statements(p)], "inside an if statement")
            elif kind in _TS_LOOPS:
                left = node.child_by_field_name("left")
                if left is not None:
                    for identifier in _descendants(left, ("identifier", "shorthand_property_identifier_pattern")):
                        scope.add(self.raw(identifier), _Binding("other", None, "comes from a loop", line))
                initializer = node.child_by_field_name("initializer")
                body = node.child_by_field_name("body")
                inside = [initializer] if initializer is not None else []
                push(inside + (_statements(body) if body is not None else []), "inside a loop")
            elif kind == "try_statement":
                children: list[Node] = []
                for part in ("body", "handler", "finalizer"):
                    child = node.child_by_field_name(part)
                    if child is None:
                        continue
                    if child.type == "catch_clause":
                        parameter = child.child_by_field_name("parameter")
                        if parameter is not None:
                            for identifier in _descendants(parameter, ("identifier",)):
                                scope.add(self.raw(identifier), _Binding("other", None, "is a caught error", line))
                        child = child.child_by_field_name("body") or child
                    children.extend(_statements(child))
                push(children, "inside a try statement")
            elif kind == "statement_block":
                push(_named(node), "inside a block")
            elif kind == "switch_statement":
                body = node.child_by_field_name("body")
                cases = _named(body) if body is not None else []
                push([s for case in cases for s in _named(case)[1 if case.type == "switch_case" else 0 :]],
                     "inside a switch statement")
            elif kind == "labeled_statement":
                body = node.child_by_field_name("body")
                if body is not None:
                    stack.append((body, where))

    def bind_import(self, scope: _Scope, node: Node, line: int) -> None:
        source_node = node.child_by_field_name("source")
        source = self.string_value(source_node) if source_node is not None else None
        from_sdk = source in _TS_MODULES
        clause = next((c for c in _named(node) if c.type == "import_clause"), None)
        if clause is None:
            return
        for part in _named(clause):
            if part.type == "identifier":  # a default import: railway/iac has no default export
                scope.add(self.raw(part), _Binding("other", None, f"is imported from {source}", line))
            elif part.type == "namespace_import":
                for identifier in _named(part):
                    binding = _Binding("sdkmodule", None, None, line) if source == "railway/iac" else \
                        _Binding("other", None, f"is imported from {source}", line)
                    scope.add(self.raw(identifier), binding)
            elif part.type == "named_imports":
                for specifier in _named(part):
                    if specifier.type != "import_specifier":
                        continue
                    name = specifier.child_by_field_name("name")
                    alias = specifier.child_by_field_name("alias") or name
                    if name is None or alias is None:
                        continue
                    imported, local = self.raw(name).strip("\"'"), self.raw(alias)
                    if from_sdk and imported in _TS_SDK:
                        scope.add(local, _Binding("sdk", imported, None, line))
                    elif from_sdk and imported == "iac":
                        scope.add(local, _Binding("sdkmodule", None, None, line))
                    else:
                        scope.add(local, _Binding("other", None, f"is imported from {source}", line))

    # the program

    def find_programs(self, statements: list[Node]) -> None:
        candidates: list[Node] = []
        defaults: list[Node] = []
        for statement in statements:
            if statement.type == "export_statement":
                value = statement.child_by_field_name("value")
                declaration = statement.child_by_field_name("declaration")
                if value is not None:
                    candidates.append(value)
                    defaults.append(value)
                elif declaration is not None:
                    candidates.extend(self.declared_values(declaration))
                    if declaration.type in ("function_declaration", "generator_function_declaration") and any(
                            c.type == "default" for c in statement.children):
                        defaults.append(declaration)
            elif statement.type == "expression_statement":
                candidates.extend(_named(statement))
            elif statement.type in ("lexical_declaration", "variable_declaration"):
                candidates.extend(self.declared_values(statement))
        for expression in candidates:
            expression = _unwrap(expression)
            if expression.type != "call_expression":
                continue
            callee = expression.child_by_field_name("function")
            if callee is None or self.sdk_name(callee, self.module) not in _DEFINE:
                continue
            arguments = _arguments(expression)
            if arguments:
                program = self.function_of(arguments[0])
                if program is not None:
                    self.add_program(program)
        if not self.programs:
            for expression in defaults:  # `export default (ctx) => project(...)` without defineRailway
                program = self.function_of(expression)
                if program is not None:
                    self.add_program(program)
        self.fallback = candidates

    def read_programs(self) -> None:
        if not self.programs:
            self.back.problem("no defineRailway(...) program was found; reading project(...) calls at the top level",
                              0, 0)
            for expression in self.fallback:
                expression = _unwrap(expression)
                callee = expression.child_by_field_name("function") if expression.type == "call_expression" else None
                if callee is not None and self.sdk_name(callee, self.module) == "project":
                    self.back.program_result(self.ev(expression, self.module, 0), "the module")
            return
        if len(self.programs) > 1:
            self.back.problem("more than one defineRailway(...) program; railcheck reads them all", 0, 0)
        for program in self.programs:
            self.read_program(program)

    def declared_values(self, declaration: Node) -> list[Node]:
        values = []
        for declarator in _named(declaration):
            value = declarator.child_by_field_name("value") if declarator.type == "variable_declarator" else None
            if value is not None:
                values.append(value)
        return values

    def add_program(self, node: Node) -> None:
        if node.id not in self.program_ids:
            self.program_ids.add(node.id)
            self.programs.append(node)

    def function_of(self, node: Node) -> Node | None:
        node = _unwrap(node)
        if node.type in _TS_FUNCTIONS:
            return node
        if node.type == "identifier":
            bindings = self.module.bindings.get(self.raw(node), [])
            if len(bindings) == 1:
                binding = bindings[0]
                if binding.kind == "other" and binding.node is not None:
                    return binding.node  # type: ignore[return-value]
                if binding.kind == "assign":
                    value = _unwrap(binding.node)  # type: ignore[arg-type]
                    if value.type in _TS_FUNCTIONS:
                        return value
        return None

    def read_program(self, program: Node) -> None:
        label = "the defineRailway program"
        scope = _Scope(label, self.module)
        parameters = program.child_by_field_name("parameters") or program.child_by_field_name("parameter")
        if parameters is not None:
            names = [parameters] if parameters.type == "identifier" else [
                p.child_by_field_name("pattern") or p for p in _named(parameters)]
            for index, pattern in enumerate(names):
                if pattern is None:
                    continue
                if index == 1 and pattern.type == "identifier":
                    # RailwayProgram is called as (ctx, project): the second parameter is the SDK's project().
                    scope.add(self.raw(pattern), _Binding("sdk", "project", None, self.line(pattern)))
                    continue
                for identifier in _descendants(pattern, ("identifier", "shorthand_property_identifier_pattern")):
                    scope.add(self.raw(identifier),
                              _Binding("other", None, f"is a parameter of {label}", self.line(identifier)))
        body = program.child_by_field_name("body")
        if body is None:
            return
        if body.type != "statement_block":
            self.back.program_result(self.ev(body, scope, 0), label)
            return
        self.bind_statements(scope, _named(body))
        returns: list[Node] = []
        stack = list(reversed(_named(body)))
        while stack:
            node = stack.pop()
            if node.type == "return_statement":
                returns.append(node)
            elif node.type not in _TS_FUNCTIONS and node.type not in ("class_declaration", "class"):
                stack.extend(reversed(_named(node)))
        start, end = self.span(program)
        if not returns:
            self.back.problem(f"{label} never returns project(...)", start, end)
        if len(returns) > 1:
            self.back.problem(f"{label} returns in {len(returns)} places; services from every return are read",
                              start, end)
        for node in returns:
            values = _named(node)
            if not values:
                self.back.problem(f"{label} returns nothing here", *self.span(node))
            else:
                self.back.program_result(self.ev(values[0], scope, 0), label)

    # whole-file scan

    def scan(self, root: Node) -> None:
        stack: list[tuple[Node, str | None]] = [(root, None)]
        while stack:
            node, context = stack.pop()
            kind = node.type
            if kind in ("import_statement", "export_statement"):
                source = node.child_by_field_name("source")
                if source is not None:
                    value = self.string_value(source) or ""
                    if value.startswith((".", "/")):
                        verb = "imports" if kind == "import_statement" else "re-exports"
                        self.back.problem(f"{verb} the local module {value}; railcheck does not follow imports, so "
                                          "values taken from it are unknown", *self.span(node))
            elif kind == "call_expression":
                callee = node.child_by_field_name("function")
                if callee is not None:
                    self.scan_call(node, callee, context)
            elif kind in ("assignment_expression", "augmented_assignment_expression"):
                left = node.child_by_field_name("left")
                if left is not None:
                    self.mark(left, f"is assigned again (line {self.line(node)})")
            elif kind == "update_expression":
                argument = node.child_by_field_name("argument")
                if argument is not None:
                    self.mark(argument, f"is changed by {self.raw(node)} (line {self.line(node)})")
            elif kind == "unary_expression" and any(c.type == "delete" for c in node.children):
                argument = node.child_by_field_name("argument")
                if argument is not None:
                    self.mark(argument, f"is changed by delete (line {self.line(node)})")
            children = list(reversed(node.children))
            if kind in _TS_FUNCTIONS and node.id not in self.program_ids:
                name = node.child_by_field_name("name")
                where = f"the function {self.raw(name)}()" if name is not None else "a callback"
                context = context or f"inside {where}, which railcheck does not follow"
                stack.extend((c, context) for c in children)
            elif kind in _TS_LOOPS:
                body = node.child_by_field_name("body")
                stack.extend((c, context or "inside a loop") if body is not None and c.id == body.id else (c, context)
                             for c in children)
            else:
                stack.extend((c, context) for c in children)

    def scan_call(self, node: Node, callee: Node, context: str | None) -> None:
        if callee.type in ("import", "identifier") and (callee.type == "import" or self.raw(callee) == "require"):
            arguments = _arguments(node)
            value = self.string_value(arguments[0]) if arguments else None
            if value is not None and value.startswith((".", "/")):
                self.back.problem(f"loads the local module {value}; railcheck does not follow imports, so values "
                                  "taken from it are unknown", *self.span(node))
            return
        if callee.type == "member_expression":
            target, prop = callee.child_by_field_name("object"), callee.child_by_field_name("property")
            if target is not None and prop is not None:
                if self.raw(prop) in _MUTATORS:
                    self.mark(target, f"is changed by .{self.raw(prop)}() (line {self.line(node)})")
                if self.raw(target) == "Object" and self.raw(prop) in ("assign", "defineProperty"):
                    arguments = _arguments(node)
                    if arguments:
                        self.mark(arguments[0], f"is changed by Object.{self.raw(prop)}() (line {self.line(node)})")
        kind = self.sdk_name(callee, self.module, scanning=True)
        if kind in _RESOURCE_KINDS and context is not None:
            self.back.problem(f"{_DYNAMIC}: {kind}(...) is called {context}", *self.span(node))

    def mark(self, node: Node, why: str) -> None:
        node = _unwrap(node)
        while node.type in ("member_expression", "subscript_expression"):
            inner = node.child_by_field_name("object")
            if inner is None:
                return
            node = _unwrap(inner)
        if node.type == "identifier":
            self.mutated.setdefault(self.raw(node), why)

    # names

    def sdk_name(self, node: Node, scope: _Scope, scanning: bool = False) -> str | None:
        node = _unwrap(node)
        if node.type == "identifier":
            name = self.raw(node)
            found = scope.find(name)
            if found is None and name in _TS_SDK:
                if not scanning:  # the scan sees program parameters (`project`) as unbound; evaluation does not
                    self.undeclared.setdefault(name, self.span(node))  # a forgotten import: the SDK's function
                return name
            return _sdk_binding(found[1]) if found is not None and name not in self.mutated else None
        if node.type == "member_expression":
            target, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
            if target is not None and prop is not None and target.type == "identifier" and self.raw(prop) in _TS_SDK:
                found = scope.find(self.raw(target))
                if found is not None and len(found[1]) == 1 and found[1][0].kind == "sdkmodule":
                    return self.raw(prop)
        return None

    def resolve(self, node: Node, scope: _Scope, depth: int) -> _V:
        start, end = self.span(node)
        name = self.raw(node)
        found = scope.find(name)
        if found is None:
            if name == "undefined":
                return _Lit(None, start, end)
            return _Unk(f"uses the name {name}, which is not defined in this file", start, end)
        owner, bindings = found
        if len(bindings) > 1:
            lines = ", ".join(str(b.line) for b in bindings[:4])
            return _Unk(f"uses the name {name}, which is declared more than once (lines {lines})", start, end)
        binding = bindings[0]
        if binding.kind in ("sdk", "sdkmodule"):
            return _Unk(f"is the SDK function {name}, not a value", start, end)
        if binding.kind != "assign":
            return _Unk(f"uses the name {name}, which {binding.why}", start, end)
        if binding.why is not None:
            return _Unk(f"uses the name {name}, which is declared {binding.why}", start, end)
        if name in self.mutated:
            return _Unk(f"uses the name {name}, which {self.mutated[name]}", start, end)
        key = (id(owner), name)
        if key in self.resolving:
            return _Unk(f"uses the name {name}, which refers to itself", start, end)
        value = self.memo.get(key)
        if value is None:  # memoised: `B = [A, A]; C = [B, B]; ...` must not cost 2**n evaluations
            self.resolving.add(key)
            try:
                value = self.ev(binding.node, owner, depth + 1)  # type: ignore[arg-type]
            finally:
                self.resolving.discard(key)
            self.memo[key] = value
        return _copy_at(value, start, end, name)

    # expressions

    def string_value(self, node: Node) -> str | None:
        if node.type != "string":
            return None
        raw = self.raw(node)
        return _js_unescape(raw[1:-1]) if len(raw) >= 2 else None

    def ev(self, node: Node, scope: _Scope, depth: int) -> _V:
        start, end = self.span(node)
        if depth > _MAX_DEPTH:
            return _Unk("is nested too deeply to read", start, end)
        kind = node.type
        if kind in _TS_TRANSPARENT:
            inner = _named(node)
            if not inner:
                return _Unk("is empty", start, end)
            value = self.ev(inner[-1] if kind == "type_assertion" else inner[0], scope, depth + 1)
            if isinstance(value, (_Lit, _Obj, _Arr, _Unk)):
                value.start, value.end = start, end  # fresh objects: the written expression includes the cast
            return value
        if kind == "string":
            raw = self.raw(node)
            body = raw[1:-1]
            value_text = _js_unescape(body)
            return _Lit(value_text, start, end, start + 1 if value_text == body else None)
        if kind == "template_string":
            if any(c.type == "template_substitution" for c in node.children):
                return _Unk("is a template string with placeholders", start, end)
            body = self.raw(node)[1:-1]
            cooked = _js_unescape(body.replace("\r\n", "\n").replace("\r", "\n"))
            return _Lit(cooked, start, end, start + 1 if cooked == body else None)
        if kind == "number":
            number = _js_number(self.raw(node))
            return _Lit(number, start, end) if number is not None else _Unk("is not a plain number", start, end)
        if kind in ("true", "false"):
            return _Lit(kind == "true", start, end)
        if kind in ("null", "undefined"):
            return _Lit(None, start, end)
        if kind == "unary_expression":
            operator = node.child_by_field_name("operator")
            argument = node.child_by_field_name("argument")
            sign = self.raw(operator) if operator is not None else ""
            if argument is not None and sign in ("-", "+") and argument.type == "number":
                number = _js_number(self.raw(argument))
                if number is not None:
                    return _Lit(-number if sign == "-" else number, start, end)
            return _Unk("is computed with an operator", start, end)
        if kind == "identifier":
            return self.resolve(node, scope, depth)
        if kind == "array":
            array = _Arr([], start, end)
            for element in _named(node):
                if element.type == "spread_element":
                    inner = _named(element)
                    spread = self.ev(inner[0], scope, depth + 1) if inner else _Unk("is empty", start, end)
                    _splice(array, spread, *self.span(element))
                else:
                    array.items.append(self.ev(element, scope, depth + 1))
            return array
        if kind == "object":
            return self.object(node, scope, depth, start, end)
        if kind == "call_expression":
            return self.call(node, scope, depth, start, end)
        if kind in ("member_expression", "subscript_expression"):
            return self.access(node, scope, depth, start, end)
        if kind == "new_expression":
            return _Unk(f"creates an object with {self.raw(node)[:40]}", start, end)
        if kind == "binary_expression":
            return _Unk("is computed with an operator", start, end)
        if kind == "ternary_expression":
            return _Unk("depends on a condition", start, end)
        if kind in _TS_FUNCTIONS:
            return _Unk("is a function", start, end)
        if kind == "await_expression":
            return _Unk("is awaited", start, end)
        return _Unk(f"is not a literal ({kind})", start, end)

    def object(self, node: Node, scope: _Scope, depth: int, start: int, end: int) -> _Obj:
        entries: list[tuple[str | None, _V]] = []
        for member in _named(node):
            kind = member.type
            if kind == "pair":
                key_node, value_node = member.child_by_field_name("key"), member.child_by_field_name("value")
                if key_node is None or value_node is None:
                    continue
                key = self.key(key_node, scope, depth)
                value = self.ev(value_node, scope, depth + 1)
                entries.append((key, value) if key is not None else
                               (None, _Unk("has a computed key", *self.span(key_node))))
            elif kind == "shorthand_property_identifier":
                entries.append((self.raw(member), self.resolve(member, scope, depth + 1)))
            elif kind == "spread_element":
                inner = _named(member)
                spread = self.ev(inner[0], scope, depth + 1) if inner else _Unk("is empty", *self.span(member))
                entries.extend(_spread_entries(spread, "the spread value"))
                if len(entries) > _MAX_ITEMS:
                    return _Obj([(None, _Unk("is too large to read", start, end))], start, end)
            elif kind == "method_definition":
                name = member.child_by_field_name("name")
                key = self.key(name, scope, depth) if name is not None else None
                entries.append((key, _Unk("is a method", *self.span(member))) if key is not None else
                               (None, _Unk("has a computed method name", *self.span(member))))
        return _Obj(entries, start, end)

    def key(self, node: Node, scope: _Scope, depth: int) -> str | None:
        if node.type == "property_identifier":
            return self.raw(node)
        if node.type == "string":
            return self.string_value(node)
        if node.type == "number":
            number = _js_number(self.raw(node))
            return None if number is None else str(number)
        if node.type == "computed_property_name":
            inner = _named(node)
            value = self.ev(inner[0], scope, depth + 1) if inner else None
            if isinstance(value, _Lit) and isinstance(value.value, str):
                return value.value
        return None

    def access(self, node: Node, scope: _Scope, depth: int, start: int, end: int) -> _V:
        written = re.sub(r"\s+", "", self.raw(node))[:60]
        base = node
        chain: list[str] = []
        while base.type in ("member_expression", "subscript_expression"):
            prop = base.child_by_field_name("property") if base.type == "member_expression" else None
            chain.append(self.raw(prop) if prop is not None else "[...]")
            inner = base.child_by_field_name("object")
            if inner is None:
                break
            base = _unwrap(inner)
        chain.reverse()
        if written.startswith(("process.env", "Deno.env", "import.meta.env")):
            return _Unk(f"reads {written}", start, end)
        if base.type == "identifier" and chain[:1] == ["env"]:
            target = self.resolve(base, scope, depth + 1)
            if isinstance(target, _Res):
                return _Unk(f"is a reference to a variable of {target.callee}(...) {self.raw(base)}, "
                            "resolved by Railway", start, end)
        if chain[:1] == ["shared"]:
            return _Unk("is a shared variable reference, resolved by Railway", start, end)
        return _Unk(f"reads {written}", start, end)

    def call(self, node: Node, scope: _Scope, depth: int, start: int, end: int) -> _V:
        callee = node.child_by_field_name("function")
        kind = self.sdk_name(callee, scope) if callee is not None else None
        if kind is None:
            for inner in _descendants(node, ("call_expression",)):
                function = inner.child_by_field_name("function")
                if inner.id != node.id and function is not None and self.sdk_name(function, scope) in _RESOURCE_KINDS:
                    return _Unk(_DYNAMIC, start, end)  # names.map((n) => service(n, ...))
            written = re.sub(r"\s+", "", self.raw(callee))[:60] if callee is not None else "a function"
            return _Unk(f"calls {written}", start, end)
        args: list[_V] = []
        for argument in _arguments(node):
            if argument.type == "spread_element":
                return _Unk(f"passes ...arguments to {kind}(...)", start, end)
            args.append(self.ev(argument, scope, depth + 1))

        def arg(index: int) -> _V | None:
            return args[index] if index < len(args) else None

        def options(index: int) -> _Obj:
            value = arg(index)
            if value is None or _is_none(value):
                return _Obj([], start, end)
            if isinstance(value, _Obj):
                return _Obj(list(value.entries), value.start, value.end)
            return _Obj(_spread_entries(value, "the options"), value.start, value.end)

        if kind in ("service", "fn", "postgres", "mysql", "redis", "mongo", "volume", "bucket"):
            return _Res(kind, arg(0), options(1), None, start, end, kind)
        if kind == "database":
            return _Res(kind, arg(0), options(2), None, start, end, kind)
        if kind in _SOURCE_KINDS:
            return _source_obj(kind, arg(0), options(1), start, end, False)
        if kind == "project":
            definition = options(1)
            resources = _first([_lookup(definition, "resources"), _lookup(definition, "services")], False)
            return _Res("project", arg(0), definition, resources, start, end, kind)
        if kind == "group":
            resources = arg(1)
            if not isinstance(resources, (_Arr, _Unk)):
                resources = None  # group(name, {options})
            return _Res("group", arg(0), options(2), resources, start, end, kind)
        if kind == "ref":
            return _Unk("is a reference to another resource's variable, resolved by Railway", start, end)
        if kind == "preserve":
            return _Unk("is preserve(): Railway keeps the value it already holds", start, end)
        return _Unk(f"calls {kind}", start, end)


def _named(node: Node) -> list[Node]:
    return [c for c in node.named_children if c.type != "comment"]


def _unclosed(node: Node) -> bool:
    """Whether `node` holds more opening brackets than closing ones (among its own tokens)."""
    depth = 0
    for leaf in _descendants(node, ("{", "(", "[", "}", ")", "]", "${")):
        depth += 1 if leaf.type in ("{", "(", "[", "${") else -1
    return depth > 0


def _statements(node: Node) -> list[Node]:
    if node.type == "else_clause":
        inner = _named(node)
        return [s for child in inner for s in _statements(child)]
    return _named(node) if node.type == "statement_block" else [node]


def _arguments(call: Node) -> list[Node]:
    arguments = call.child_by_field_name("arguments")
    return _named(arguments) if arguments is not None and arguments.type == "arguments" else []


def _unwrap(node: Node) -> Node:
    while node.type in _TS_TRANSPARENT:
        inner = _named(node)
        if not inner:
            return node
        node = inner[-1] if node.type == "type_assertion" else inner[0]
    return node


def _descendants(node: Node, kinds: tuple[str, ...]) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in kinds:
            yield current
        stack.extend(reversed(current.children if "{" in kinds else current.named_children))
