"""Render railcheck.facts for people: `railcheck explain-service` prints this."""

from __future__ import annotations

from railcheck.facts import Candidate, CommandText, facts, root_evidence
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
    if service.built_elsewhere is not None:
        lines.append(f"  not built from this repository: {service.built_elsewhere}; its build is not checked")
        return "\n".join(lines + _iac_settings(service, project)) + "\n"
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
