"""From the values a project program returns to the services and databases it declares.

Owns: walking a project's resources (groups, spreads, resources that cannot be read) into `IacService`s
and databases, with a problem for each part that cannot be read; and resolving each service's settings the
way the SDKs normalise them, which differs between the languages:

- Python, `railway_sdk` 0.7.0 (`_service_node`, `_normalize_source`, `_normalize_deploy`): aliases are
  chained with `or`, so an empty value falls through to the next alias; `preDeploy` and
  `healthcheckTimeout` go by key presence (`dict.get(key, fallback)`).
- TypeScript, npm `railway` 3.11.0, entry point `railway/iac` (`service`, `normalizeSource`,
  `normalizeDeploy`): aliases are chained with `??`, so only `null`/`undefined` fall through.
"""

from __future__ import annotations

from railcheck.sources.iac.values import (
    _DATABASE_KINDS, _DYNAMIC, _MAX_DEPTH, _MAX_NODES, _SERVICE_KINDS, IacFile, IacService, _Arr, _first,
    _first_present, _is_none, _Lit, _lookup, _Obj, _Res, _spread_entries, _to_iac, _truthy, _Unk, _V,
)
from railcheck.sources.text import ParseFailure


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

    def finish(self, partial: bool = False) -> IacFile:
        problems = sorted(self.problems, key=lambda p: (p.start, p.end))
        return IacFile(tuple(self.services), tuple(self.databases), tuple(problems), partial)

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
        build = _lookup(res.config, "build")
        form = "string" if isinstance(build, _Lit) and isinstance(build.value, str) else \
            "object" if isinstance(build, _Obj) else None
        self.services.append(IacService(name.value, name.start, name.end, res.start, res.end, settings,
                                        _SERVICE_KINDS[res.kind], form))

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
            out["build"] = build  # the string form is the build command, never the builder (normalizeBuild)
        elif isinstance(build, (_Obj, _Unk)):
            out["build"] = get(build, "buildCommand")
            out["builder"] = get(build, "builder")
            out["dockerfilePath"] = get(build, "dockerfilePath")
            out["watchPatterns"] = get(build, "watchPatterns")  # passed through as written (BuildConfig)
        if isinstance(source, (_Obj, _Unk)):
            out["sourceType"] = get(source, "type")
            out["sourceRepo"] = get(source, "repo")

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
