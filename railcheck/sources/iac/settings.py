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
    BUILT_DYNAMICALLY,
    DATABASE_KINDS,
    MAX_DEPTH,
    MAX_NODES,
    SERVICE_KINDS,
    Array,
    Dictionary,
    IacFile,
    IacService,
    Literal,
    Resource,
    Unknown,
    Value,
    first_of_aliases,
    first_present,
    is_none,
    lookup,
    spread_entries,
    to_iac_value,
    truthiness,
)
from railcheck.sources.text import ParseFailure


class IacFileBuilder:
    """Collects services and databases from evaluated project values; shared by both front ends."""

    def __init__(self, python: bool) -> None:
        self.python = python
        self.services: list[IacService] = []
        self.databases: list[tuple[str, int, int]] = []
        self.problems: list[ParseFailure] = []
        self._seen: set[tuple[int, int]] = set()
        self._said: set[tuple[str, int, int]] = set()
        self._budget = MAX_NODES

    def problem(self, message: str, start: int, end: int) -> None:
        if (message, start, end) not in self._said:
            self._said.add((message, start, end))
            self.problems.append(ParseFailure(message, start, end))

    def finish(self, partial: bool = False) -> IacFile:
        problems = sorted(self.problems, key=lambda p: (p.start, p.end))
        return IacFile(tuple(self.services), tuple(self.databases), tuple(problems), partial)

    def program_result(self, value: Value, where: str) -> None:
        """A value the program returns: a project(...) or a plain project definition object."""
        if isinstance(value, Resource) and value.kind == "project":
            if isinstance(value.items, Unknown):
                self.problem(
                    f"the project's resources cannot be read: it {value.items.reason}",
                    value.items.start,
                    value.items.end,
                )
            else:
                self.resources(value.items, 0)
        elif isinstance(value, Dictionary):
            resources = lookup(value, "resources")
            self.resources(resources if not is_none(resources) else lookup(value, "services"), 0)
        elif isinstance(value, Unknown):
            self.problem(f"{where} returns a value railcheck cannot read: it {value.reason}", value.start, value.end)
        else:
            self.problem(f"{where} does not return project(...)", value.start, value.end)

    def resources(self, value: Value | None, depth: int) -> None:
        self._budget -= 1
        if value is None or is_none(value) or depth > MAX_DEPTH or self._budget < 0:
            return
        if isinstance(value, Array):
            for item in value.items:
                self.resources(item, depth + 1)
            for hole in value.holes:
                self.resources(hole, depth + 1)
        elif isinstance(value, Unknown):
            reason = value.reason if value.reason.startswith(BUILT_DYNAMICALLY) else f"it {value.reason}"
            self.problem(f"a project resource cannot be read: {reason}", value.start, value.end)
        elif isinstance(value, Resource):
            if (value.start, value.end) in self._seen:
                return
            self._seen.add((value.start, value.end))
            if value.kind in SERVICE_KINDS:
                self.service(value)
            elif value.kind in DATABASE_KINDS:
                name = value.name
                if isinstance(name, Literal) and isinstance(name.value, str):
                    self.databases.append((name.value, name.start, name.end))
                else:
                    self.name_problem(value)
            elif value.kind == "group":
                self.resources(value.items, depth + 1)
        elif isinstance(value, Dictionary):
            self.problem(
                "a project resource is a plain dict; railcheck reads service(...) and database calls only",
                value.start,
                value.end,
            )

    def name_problem(self, resource: Resource) -> None:
        name = resource.name
        if name is None:
            self.problem(f"{resource.callee}(...) has no name", resource.start, resource.end)
        elif isinstance(name, Unknown):
            self.problem(f"the name of {resource.callee}(...) is not a literal: it {name.reason}", name.start, name.end)
        else:
            self.problem(f"the name of {resource.callee}(...) is not a string", name.start, name.end)

    def service(self, resource: Resource) -> None:
        name = resource.name
        if not (isinstance(name, Literal) and isinstance(name.value, str)):
            self.name_problem(resource)
            return
        for key, value in resource.config.entries:
            if key is None:
                assert isinstance(value, Unknown)
                self.problem(
                    f"settings of service {name.value!r} may come from a spread that {value.reason}; "
                    "those settings are unknown",
                    value.start,
                    value.end,
                )
        settings = {key: to_iac_value(value) for key, value in self.settings(resource.config).items()}
        build = lookup(resource.config, "build")
        form = (
            "string"
            if isinstance(build, Literal) and isinstance(build.value, str)
            else "object"
            if isinstance(build, Dictionary)
            else None
        )
        self.services.append(
            IacService(
                name.value,
                name.start,
                name.end,
                resource.start,
                resource.end,
                settings,
                SERVICE_KINDS[resource.kind],
                form,
            )
        )

    def settings(self, config: Dictionary) -> dict[str, Value]:
        python = self.python
        get = lookup
        out: dict[str, Value | None] = {}
        run, deploy = get(config, "run"), get(config, "deploy")
        if python:  # `config.get("run") or {}`: an empty or None run reads as {}
            run = run if run is None or truthiness(run) is not False else None
            deploy = deploy if deploy is None or truthiness(deploy) is not False else None

        root = first_of_aliases([get(config, "root"), get(config, "rootDirectory")], python)
        source = get(config, "source")
        if not is_none(source):
            assert source is not None
            root = self.source_root(source, root)
        out["root"] = root

        out["start"] = first_of_aliases(
            [get(config, "start"), get(config, "startCommand"), get(run, "command"), get(deploy, "startCommand")],
            python,
        )
        out["healthcheck"] = first_of_aliases(
            [
                get(config, "healthcheck"),
                get(config, "healthcheckPath"),
                get(run, "healthcheck"),
                get(deploy, "healthcheckPath"),
            ],
            python,
        )
        timeouts = [
            get(config, "healthcheckTimeout"),
            get(run, "healthcheckTimeout"),
            get(deploy, "healthcheckTimeout"),
        ]
        out["healthcheckTimeout"] = first_present(timeouts) if python else first_of_aliases(timeouts, False)

        build = get(config, "build")
        if isinstance(build, Literal) and isinstance(build.value, str):
            out["build"] = build  # the string form is the build command, never the builder (normalizeBuild)
        elif isinstance(build, (Dictionary, Unknown)):
            out["build"] = get(build, "buildCommand")
            out["builder"] = get(build, "builder")
            out["dockerfilePath"] = get(build, "dockerfilePath")
            out["watchPatterns"] = get(build, "watchPatterns")  # passed through as written (BuildConfig)
        if isinstance(source, (Dictionary, Unknown)):
            out["sourceType"] = get(source, "type")
            out["sourceRepo"] = get(source, "repo")

        pre_candidates = [get(config, "preDeploy"), get(config, "preDeployCommand"), get(run, "preDeploy")]
        pre = first_present(pre_candidates) if python else first_of_aliases(pre_candidates, False)
        if isinstance(pre, Unknown):
            out["preDeploy"] = pre
        elif pre is None or is_none(pre) or (not python and truthiness(pre) is False and not isinstance(pre, Array)):
            out["preDeploy"] = get(deploy, "preDeployCommand")  # TypeScript also skips "" here
        else:
            out["preDeploy"] = pre
        if isinstance(out["preDeploy"], Literal) and isinstance(out["preDeploy"].value, str):
            single = out["preDeploy"]
            out["preDeploy"] = Array([single], single.start, single.end)

        env, variables = get(config, "env"), get(config, "variables")
        if not (is_none(env) and is_none(variables)):
            merged = Dictionary(spread_entries(variables, "variables") + spread_entries(env, "env"), 0, 0)
            anchor = env if not is_none(env) else variables
            assert anchor is not None
            merged.start, merged.end = anchor.start, anchor.end
            if not python or merged.entries:  # Python skips an empty mapping; TypeScript keeps `{}`
                out["variables"] = merged

        out["domains"] = get(config, "domains")
        config_file = get(config, "configFile")
        kept = python or config_file is None or truthiness(config_file) is not False  # TypeScript skips a falsy one
        out["configFile"] = config_file if kept else None
        replicas = get(config, "replicas")
        out["replicas"] = replicas if not is_none(replicas) else get(config, "regions")
        return {key: value for key, value in out.items() if value is not None and not is_none(value)}

    def source_root(self, source: Value, root: Value | None) -> Value | None:
        """The root directory after the SDK's source normalisation: a typed source's own rootDirectory wins."""
        if isinstance(source, Unknown):
            return Unknown(f"depends on source, which {source.reason}", source.start, source.end)
        if not isinstance(source, Dictionary):
            return root
        kind = lookup(source, "type")
        if isinstance(kind, Unknown):
            return Unknown(f"depends on source, whose type {kind.reason}", kind.start, kind.end)
        own = lookup(source, "rootDirectory")
        if kind is not None and truthiness(kind):
            return first_of_aliases([own, root], self.python)
        if own is not None and not is_none(own):
            self.problem(
                'the source has no "type", so the SDK ignores its rootDirectory; give the type or use root=',
                own.start,
                own.end,
            )
        return root
