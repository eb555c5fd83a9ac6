"""Render railcheck.facts for `railcheck explain-service`: text for people, or a versioned JSON document."""

from __future__ import annotations

from typing import Any

from railcheck.facts import Candidate, CommandText, Origin, facts, root_evidence
from railcheck.project import Project, Service


def _where(origin_label: str, candidate: Candidate | CommandText) -> str:
    origin = candidate.origin
    if origin.path is None:
        return origin_label
    line = f":{origin.span.start.line}" if origin.span else ""
    return f"{origin_label} ({origin.path}{line})"


def explain(service: Service, project: Project) -> str:
    """A plain-text report of the service's effective build and start settings, winners marked with `*`."""
    found = facts(service, project)
    lines = [f"service {service.name}", f"  root directory: {service.display_root()} ({service.root_source})"]
    for sign in root_evidence(service, project):
        lines.append(f"    ! {sign}")
    lines += _iac_settings(service, project)
    if found.provider is not None:
        lines.append(f"  provider: {found.provider.value} ({found.provider.origin.label})")
    else:
        lines.append("  provider: none detected")
    lines.append("  python version (lowest priority first, * = used):")
    for candidate in found.python_versions:
        marker = "*" if candidate is found.python_version else " "
        lines.append(f"    {marker} {candidate.value:<10} {_where(candidate.origin.label, candidate)}")
    lines.append(f"  installs dependencies with: {found.install_manager or 'nothing (no requirements.txt, lock file or Pipfile)'}")
    lines.append("  start command (lowest priority first, * = used):")
    if not found.start_commands:
        lines.append("      none")
    for command in found.start_commands:
        marker = "*" if command is found.start else " "
        lines.append(f"    {marker} {command.text}")
        lines.append(f"        from {_where(command.origin.label, command)}")
    others = [command for command in found.commands if command.kind != "start"]
    if others:
        lines.append("  other commands:")
        lines += [f"    {command.kind:<10} {command.text}  [{_where(command.origin.label, command)}]" for command in others]
    return "\n".join(lines) + "\n"


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
        "root": {"path": str(service.root), "source": service.root_source, "evidence": list(root_evidence(service, project))},
        "config_files": {
            "railpack": None if service.railpack is None else str(service.railpack_path),
            "railway": None if service.railway is None else str(service.railway.path),
        },
        "iac": _iac_json(service, project),
        "builder": _builder(service),
        "provider": None if found.provider is None else _candidate(found.provider, True),
        "python_version": [_candidate(candidate, candidate is found.python_version) for candidate in found.python_versions],
        "install_manager": found.install_manager,
        "start_command": [_command(command, command is found.start) for command in found.start_commands],
        "commands": [_command(command, None) for command in found.commands if command.kind != "start"],
    }


def _builder(service: Service) -> dict[str, Any] | None:
    """`build.builder` as the service's Railway config sets it; None when unset (the dashboard decides)."""
    document = service.railway
    if document is None or not isinstance(document.get("/build/builder"), str):
        return None
    return {"value": document.get("/build/builder"), "origin": _origin(Origin(f"build.builder in {document.path.name}", document.path, document.value_span("/build/builder")))}


def _origin(origin: Origin) -> dict[str, Any]:
    return {"label": origin.label, "path": None if origin.path is None else str(origin.path), "span": _span(origin.span)}


def _candidate(candidate: Candidate, used: bool) -> dict[str, Any]:
    return {"value": candidate.value, "used": used, "origin": _origin(candidate.origin)}


def _command(command: CommandText, used: bool | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": command.kind, "text": command.text, "exec_form": command.exec_form, "origin": _origin(command.origin)}
    if used is not None:
        entry["used"] = used
    return entry


def _iac_settings(service: Service, project: Project) -> list[str]:
    """Each setting the IaC file gives the service, with the line it is written on (and the literal's line
    when it comes through a name)."""
    document, call = project.iac, service.iac
    if document is None or call is None:
        return []
    line = document.lines.span(call.call_start, call.call_end).start.line
    lines = [f"  declared by service(\"{call.name}\") at {document.path}:{line}:"]
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
    return {"path": str(document.path), "name": call.name, "span": _span(document.span(call.call_start, call.call_end)), "settings": settings}


def _span(span: Any) -> dict[str, Any] | None:
    from railcheck.report.machine import span_json

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
