"""railcheck: lint Railway and Railpack deploy configs across a monorepo.

This module is the public API for rule authors: rule base classes, examples, and the data types.
"""

from __future__ import annotations

from railcheck.project import Project, Service
from railcheck.repository import FileProblem
from railcheck.rule import FixAvailability, Invalid, ProjectRule, Rule, ServiceRule, Valid
from railcheck.sources.text import Document
from railcheck.types import Applicability, Diagnostic, Edit, Fix, Position, Related, Severity, Span

__version__ = "0.1.0"

__all__ = [
    "Applicability",
    "Diagnostic",
    "Document",
    "Edit",
    "FileProblem",
    "Fix",
    "FixAvailability",
    "Invalid",
    "Position",
    "Project",
    "ProjectRule",
    "Related",
    "Rule",
    "Service",
    "ServiceRule",
    "Severity",
    "Span",
    "Valid",
    "__version__",
]
