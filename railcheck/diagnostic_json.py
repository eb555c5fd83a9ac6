"""A finding as JSON data and back: the one serialisation of `Diagnostic`, shared by the machine-readable
reports (`json`, `json-lines`; the field names are the contract in docs/output-formats.md: add fields, never
rename them) and the result cache, so that a cached run reports exactly what an uncached one does.

A fix's edits are written as spans (line, column and offset of each end) of the text they edit; reading
them back takes the offsets.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from railcheck.sources.text import LineIndex
from railcheck.types import Applicability, Diagnostic, Edit, Fix, Position, Related, Severity, Span


def span_json(span: Span | None) -> dict[str, Any] | None:
    """A span as the JSON formats write it (also `explain-service --output-format json`)."""
    return None if span is None else {"start": _position_json(span.start), "end": _position_json(span.end)}


def _position_json(position: Position) -> dict[str, int]:
    return {"line": position.line, "column": position.column, "offset": position.offset}


def diagnostic_json(
    diagnostic: Diagnostic, texts: Mapping[PurePosixPath, str], indexes: dict[PurePosixPath, LineIndex]
) -> dict[str, Any]:
    """`diagnostic` as JSON data; `texts` holds the texts its fix edits (a file it creates has none), and
    `indexes` keeps their line indexes from one finding to the next."""
    fix = None
    if diagnostic.fix is not None:
        edits = []
        for edit in diagnostic.fix.edits:
            index = indexes.get(edit.path)
            if index is None:
                index = indexes[edit.path] = LineIndex(texts.get(edit.path, ""))
            edits.append(
                {"path": str(edit.path), "span": span_json(index.span(edit.start, edit.end)), "content": edit.content}
            )
        fix = {"title": diagnostic.fix.title, "applicability": diagnostic.fix.applicability.value, "edits": edits}
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "help": diagnostic.help,
        "path": str(diagnostic.path),
        "service": diagnostic.service,
        "span": span_json(diagnostic.span),
        "fix": fix,
        "related": [
            {"path": str(item.path), "span": span_json(item.span), "message": item.message}
            for item in diagnostic.related
        ],
    }


def diagnostic_from_json(item: dict[str, Any]) -> Diagnostic:
    """The finding `diagnostic_json` wrote."""
    fix = item["fix"]
    return Diagnostic(
        code=item["code"],
        name=item["name"],
        message=item["message"],
        severity=Severity(item["severity"]),
        path=PurePosixPath(item["path"]),
        span=_span(item["span"]),
        service=item["service"],
        help=item["help"],
        fix=(
            None
            if fix is None
            else Fix(fix["title"], tuple(_edit(edit) for edit in fix["edits"]), Applicability(fix["applicability"]))
        ),
        related=tuple(
            Related(PurePosixPath(related["path"]), _span(related["span"]), related["message"])
            for related in item["related"]
        ),
    )


def _span(data: dict[str, Any] | None) -> Span | None:
    return None if data is None else Span(Position(**data["start"]), Position(**data["end"]))


def _edit(data: dict[str, Any]) -> Edit:
    return Edit(
        PurePosixPath(data["path"]), data["span"]["start"]["offset"], data["span"]["end"]["offset"], data["content"]
    )
