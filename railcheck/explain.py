"""Render railcheck.facts for `railcheck explain-service`: text for people, or a versioned JSON document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from railcheck import plan
from railcheck.build_outputs import build_writes
from railcheck.builder import DOCKERFILE, RAILPACK, build_of, image_of
from railcheck.facts import Candidate, CommandText, Origin, ServiceFacts, facts
from railcheck.model import Project, Service
from railcheck.root_evidence import root_evidence


def _where(origin: Origin) -> str:
    """Where a value comes from: its label, and the file and line when it is written in one."""
    if origin.path is None:
        return origin.label
    line = f":{origin.span.start.line}" if origin.span else ""
    return f"{origin.label} ({origin.path}{line})"


def explain(service: Service, project: Project) -> str:
    """A plain-text report of the service's effective build and start settings, winners marked with `*`."""
    lines = [f"service {service.name}", f"  root directory: {service.display_root()} ({service.root_source})"]
    if service.built_elsewhere is not None:
        lines.append(
            f"  builder: none: its build is not checked (not built from this repository: {service.built_elsewhere})"
        )
        return "\n".join(lines + _iac_settings(service, project)) + "\n"
    found = facts(service, project)
    for sign in root_evidence(service, project):
        lines.append(f"    ! {sign}")
    lines += _iac_settings(service, project)
    build = build_of(service, project)
    lines.append(f"  builder: {build.builder} ({_where(build.origin)})")
    if build.ignored_dockerfile is not None:
        lines.append(
            f"    ! {build.ignored_dockerfile} exists too: Railway's docs say a Dockerfile always wins (DF005)"
        )
    if build.builder == DOCKERFILE:
        lines += _image_lines(service, project)
    elif build.builder == RAILPACK:
        lines += _railpack_lines(found)
    lines.append("  start command (lowest priority first, * = used):")
    if not found.start_commands:
        lines.append("      none")
    for command in found.start_commands:
        marker = "*" if command is found.start else " "
        lines.append(f"    {marker} {command.text}")
        lines.append(f"        from {_where(command.origin)}")
    others = [command for command in found.commands if command.kind != "start"]
    if others:
        lines.append("  other commands:")
        lines += [f"    {command.kind:<10} {command.text}  [{_where(command.origin)}]" for command in others]
    written = build_writes(service, project)
    if written:
        # CM002, CM004 and ST001 take these as present: the build makes them before anything needs them.
        lines.append("  paths the build creates:")
        lines += [f"    {path}  (written by {label})" for path, label in written.items()]
    if build.builder == RAILPACK:  # the plan is Railpack's; another builder never makes one
        lines += _plan_lines(service, project)
    lines += _watch_paths(service, project)
    return "\n".join(lines) + "\n"


def _railpack_lines(found: ServiceFacts) -> list[str]:
    lines = [
        (
            f"  provider: {found.provider.value} ({found.provider.origin.label})"
            if found.provider is not None
            else "  provider: none detected"
        )
    ]
    lines.append("  python version (lowest priority first, * = used):")
    for candidate in found.python_versions:
        marker = "*" if candidate is found.python_version else " "
        lines.append(f"    {marker} {candidate.value:<10} {_where(candidate.origin)}")
    lines.append(
        "  installs dependencies with:"
        f" {found.install_manager or 'nothing (no requirements.txt, lock file or Pipfile)'}"
    )
    return lines


def _image_lines(service: Service, project: Project) -> list[str]:
    build = build_of(service, project)
    image = image_of(service, project)
    if image is None:
        return [f"  dockerfile: {build.dockerfile or 'outside the root directory'} (not readable)"]
    layout = (
        f"/app is {image.app_root if str(image.app_root) != '.' else 'the repository root'}"
        if image.app_root is not None
        else "not modelled (path checks skipped)"
    )
    lines = [
        f"  dockerfile: {image.path}, build context {service.display_root()}",
        f"  image: working directory {image.workdir}; layout: {layout}",
    ]
    lines += [f"    {copy.instruction.keyword} {' '.join(copy.sources)} -> {copy.destination}" for copy in image.copies]
    return lines


def _plan_lines(service: Service, project: Project) -> list[str]:
    """The build plan's steps and what each deploy input brings into the image."""
    config = service.railpack.value if service.railpack is not None and isinstance(service.railpack.value, dict) else {}
    provider = plan.certain_provider(service, project)
    step_plan = plan.read_step_plan(config)  # read once: steps, kept steps, deploy layers
    steps = step_plan.steps
    lines = ["  build plan steps:"]
    if provider is not None:
        lines.append(
            f"    Railpack can generate ({provider}, some only under conditions):"
            f" {', '.join(sorted(plan.possible_generated_steps(provider)))}"
        )
    else:
        lines.append("    generated by Railpack: depends on the provider, which railcheck cannot determine for sure")
    kept = step_plan.kept
    for name, (pointer, step) in steps.items():
        if not plan.applies_config(name):
            lines.append(
                f"    {name}: Railpack skips these settings when it generates this step itself (it is not a command"
                " step)"
            )
            continue
        generated = name in plan.EVERY_GENERATED_STEP
        inputs = ", ".join(_written(service, layer, steps) for layer in plan.layers(step, "inputs", pointer))
        lines.append(
            f"    {name}: {'changes the generated step' if generated else 'new step'}, from "
            + (inputs or ("its generated inputs" if generated else "$packages:mise"))
            + ("" if name in kept else " (Railpack may drop it: nothing railcheck sees in the image needs it)")
        )
    lines.append("  image (deploy):")
    # `deploy.base` as Railpack reads it, whatever the keys' letter case (not a fixed pointer).
    base = step_plan.base
    lines.append(
        f"    base: {_written(service, base, steps)}"
        if base
        else "    base: Railpack's runtime image (through packages:apt:runtime when runtime apt packages are installed)"
    )
    for layer in step_plan.deploy_inputs or [plan.Layer("", "spread")]:
        lines.append(
            f"    {_written(service, layer, steps) if layer.pointer else '(generated)'}:"
            f" {plan.layer_brings(layer, steps)}"
        )
    for name, paths in plan.added_step_outputs(config):
        lines.append(f"    (added for step `{name}`): {', '.join(f'`{path}`' for path in paths)} from step `{name}`")
    return lines


def _written(service: Service, layer: plan.Layer, steps: Mapping[str, object]) -> str:
    """The layer as written in railpack.json, marked when it names a step that does not exist."""
    document = service.railpack
    text = (
        document.text[slice(*document.value_offsets[layer.pointer])]
        if document and layer.pointer in document.value_offsets
        else layer.pointer
    )
    missing = layer.kind == "step" and layer.source not in steps and layer.source not in plan.EVERY_GENERATED_STEP
    return text + (" (no such step)" if missing else "")


def _watch_paths(service: Service, project: Project) -> list[str]:
    """Each watch-pattern list, and for each file the service builds from whether a change to it deploys."""
    from railcheck.watchpaths import consumed, deploys_on_change, watch_lists

    lists = watch_lists(service, project)
    if not lists and service.iac is not None and "watchPatterns" in service.iac.settings:
        return [
            "  watch paths: set in the IaC file, but not a list of known strings, so not judged (see watchPatterns"
            " below)"
        ]
    if not lists:
        return ["  watch paths: none (every push deploys the service)"]
    lines = []
    answers = {True: "deploys", False: "does NOT deploy", None: "unknown"}
    for watch in lists:
        lines.append(f"  watch paths ({watch.path}:{watch.list_span().start.line}, from the repository root):")
        lines += [
            f"    {pattern.text}"
            + (f"   (meant: {watch.corrections[pattern.index]})" if pattern.index in watch.corrections else "")
            for pattern in watch.written
        ]
        lines.append("    a change to (the service builds from it):")
        meant = watch.meant  # parsed once for every consumed path
        lines += [
            f"      {answers[deploys_on_change(meant, project, item)]:<16} {item.path}{'/' if item.folder else ''} "
            f" ({item.reason})"
            for item in consumed(service, project)
        ]
    return lines


def _iac_settings(service: Service, project: Project) -> list[str]:
    """Each setting the IaC file gives the service, with the line it is written on (and the literal's line
    when it comes through a name)."""
    document, call = project.iac, service.iac
    if document is None or call is None:
        return []
    line = document.lines.span(call.call_start, call.call_end).start.line
    lines = [f'  declared by service("{call.name}") at {document.path}:{line}:']
    if "root" not in call.settings:
        lines.append(f"    {'root':<18} not set: the repository root")
    for key, value in call.settings.items():
        at = document.lines.span(value.start, value.end).start.line
        where = f"{document.path}:{at}"
        if value.origin is not None:
            where += f", written at line {document.lines.span(*value.origin).start.line}"
        shown = repr(value.value) if value.reason is None else f"not known: {value.reason}"
        lines.append(f"    {key:<18} {shown[:80]}  ({where})")
    return lines


# The version of the `explain-service --output-format json` document (docs/output-formats.md); within a
# version, fields are added but never renamed or removed.
EXPLAIN_VERSION = 1


def explain_json(services: list[Service], project: Project) -> dict[str, Any]:
    """The resolved view of each service, every candidate with the file and span it comes from."""
    return {"version": EXPLAIN_VERSION, "services": [_service_json(service, project) for service in services]}


def _service_json(service: Service, project: Project) -> dict[str, Any]:
    found = facts(service, project)
    return {
        "name": service.name,
        "root": {
            "path": str(service.root),
            "source": service.root_source,
            "evidence": list(root_evidence(service, project)),
        },
        "config_files": {
            "railpack": None if service.railpack is None else str(service.railpack_path),
            "railway": None if service.railway is None else str(service.railway.path),
        },
        "iac": _iac_json(service, project),
        "builder": _builder(service, project),
        "provider": None if found.provider is None else _candidate(found.provider, True),
        "python_version": [
            _candidate(candidate, candidate is found.python_version) for candidate in found.python_versions
        ],
        "install_manager": found.install_manager,
        "start_command": [_command(command, command is found.start) for command in found.start_commands],
        "commands": [_command(command, None) for command in found.commands if command.kind != "start"],
        # The plan is Railpack's: another builder never makes one.
        "plan": _plan_json(service, project) if build_of(service, project).builder == RAILPACK else None,
    }


def _plan_json(service: Service, project: Project) -> dict[str, Any]:
    """The railpack.json steps and deploy layers as Railpack's plan will hold them (what `_plan_lines` says)."""
    document = service.railpack
    config = document.value if document is not None and isinstance(document.value, dict) else {}
    provider = plan.certain_provider(service, project)
    kept = plan.certainly_kept_steps(config)

    def layer_json(layer: plan.Layer) -> dict[str, Any]:
        where = (
            document.value_span(layer.pointer)
            if document is not None and layer.pointer in document.value_offsets
            else None
        )
        return {
            "kind": layer.kind,
            "source": layer.source,
            "include": None if layer.includes is None else list(layer.includes),
            "pointer": layer.pointer,
            "span": _span(where),
        }

    steps = []
    for name, (pointer, step) in plan.configured_steps(config).items():
        steps.append(
            {
                "name": name,
                "span": _span(document.key_span(pointer)) if document is not None else None,
                "changes_generated_step": name in plan.EVERY_GENERATED_STEP,
                "settings_applied": plan.applies_config(name),
                "certainly_kept": name in kept,
                "inputs": [layer_json(layer) for layer in plan.layers(step, "inputs", pointer)],
            }
        )
    return {
        "provider": provider,
        "possible_generated_steps": None if provider is None else sorted(plan.possible_generated_steps(provider)),
        "steps": steps,
        "deploy_layers": [layer_json(layer) for layer in plan.deploy_layers(config)],
    }


def _builder(service: Service, project: Project) -> dict[str, Any]:
    """Which builder Railway uses (railcheck.builder) and what decided it."""
    build = build_of(service, project)
    return {
        "value": build.builder,
        "origin": _origin(build.origin),
        "dockerfile": None if build.dockerfile is None else str(build.dockerfile),
        "ignored_dockerfile": None if build.ignored_dockerfile is None else str(build.ignored_dockerfile),
    }


def _origin(origin: Origin) -> dict[str, Any]:
    return {
        "label": origin.label,
        "path": None if origin.path is None else str(origin.path),
        "span": _span(origin.span),
    }


def _candidate(candidate: Candidate, used: bool) -> dict[str, Any]:
    return {"value": candidate.value, "used": used, "origin": _origin(candidate.origin)}


def _command(command: CommandText, used: bool | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "kind": command.kind,
        "text": command.text,
        "exec_form": command.exec_form,
        "origin": _origin(command.origin),
    }
    if used is not None:
        entry["used"] = used
    return entry


def _iac_json(service: Service, project: Project) -> dict[str, Any] | None:
    """The `service(...)` call of the IaC file that manages the service, with each setting and its span."""
    document, call = project.iac, service.iac
    if document is None or call is None:
        return None
    settings = {}
    for key, value in call.settings.items():
        settings[key] = {
            "value": None if value.reason is not None else _plain(value.value),
            "known": value.reason is None,
            "reason": value.reason,
            "span": _span(document.span(value.start, value.end)),
            # Where the literal is written, when the setting names it through a variable.
            "written_at": None if value.origin is None else _span(document.span(*value.origin)),
        }
    return {
        "path": str(document.path),
        "name": call.name,
        "span": _span(document.span(call.call_start, call.call_end)),
        "settings": settings,
    }


def _span(span: Any) -> dict[str, Any] | None:
    from railcheck.diagnostic_json import span_json

    return span_json(span)


def _plain(value: object) -> Any:
    """A setting's value as JSON can hold it (the readers produce strings, numbers, booleans, lists, maps)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)
