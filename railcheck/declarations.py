"""Where a service's declared settings are written, so that findings about a declared value point at it."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from railcheck.config import config_key_span
from railcheck.types import FILE_START, Span

if TYPE_CHECKING:
    from railcheck.model import Project, Service


def declaration_site(
    project: Project, service: Service, key: str, fallback: PurePosixPath
) -> tuple[PurePosixPath, Span]:
    """The value of `key` in the service's table of railcheck's configuration (`[services.NAME]`), or, when the
    value comes from elsewhere (the IaC file's variables), the start of `fallback`."""
    config = project.config
    if config.source is not None and any(declaration.name == service.name for declaration in config.services):
        span = config_key_span(config, "services", service.name, key, value=True)
        if span is not None:
            return config.source, span
    return fallback, FILE_START
