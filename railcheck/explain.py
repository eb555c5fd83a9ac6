"""Render railcheck.facts for people: `railcheck explain-service` prints this."""

from __future__ import annotations

from railcheck.builder import DOCKERFILE, RAILPACK, build_of, image_of
from railcheck.facts import Candidate, CommandText, Origin, ServiceFacts, facts, root_evidence
from railcheck.project import Project, Service


def _where(origin_label: str, candidate: Candidate | CommandText | Origin) -> str:
    origin = candidate if isinstance(candidate, Origin) else candidate.origin
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
    build = build_of(service, project)
    lines.append(f"  builder: {build.builder} ({_where(build.origin.label, build.origin)})")
    if build.ignored_dockerfile is not None:
        lines.append(f"    ! {build.ignored_dockerfile} exists too: Railway's docs say a Dockerfile always wins (DF005)")
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
        lines.append(f"        from {_where(command.origin.label, command)}")
    others = [command for command in found.commands if command.kind != "start"]
    if others:
        lines.append("  other commands:")
        lines += [f"    {command.kind:<10} {command.text}  [{command.origin.label}]" for command in others]
    return "\n".join(lines) + "\n"


def _railpack_lines(found: ServiceFacts) -> list[str]:
    lines = [f"  provider: {found.provider.value} ({found.provider.origin.label})" if found.provider is not None else "  provider: none detected"]
    lines.append("  python version (lowest priority first, * = used):")
    for candidate in found.python_versions:
        marker = "*" if candidate is found.python_version else " "
        lines.append(f"    {marker} {candidate.value:<10} {_where(candidate.origin.label, candidate)}")
    lines.append(f"  installs dependencies with: {found.install_manager or 'nothing (no requirements.txt, lock file or Pipfile)'}")
    return lines


def _image_lines(service: Service, project: Project) -> list[str]:
    build = build_of(service, project)
    image = image_of(service, project)
    if image is None:
        return [f"  dockerfile: {build.dockerfile or 'outside the root directory'} (not readable)"]
    layout = f"/app is {image.app_root if str(image.app_root) != '.' else 'the repository root'}" if image.app_root is not None else "not modelled (path checks skipped)"
    lines = [f"  dockerfile: {image.path}, build context {service.display_root()}", f"  image: working directory {image.workdir}; layout: {layout}"]
    lines += [f"    {copy.instruction.keyword} {' '.join(copy.sources)} -> {copy.destination}" for copy in image.copies]
    return lines
