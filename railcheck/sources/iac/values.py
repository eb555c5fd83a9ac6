"""The language-neutral value model of an IaC file, and the results that `read_iac` returns.

Owns: the public results (`UNKNOWN`, `IacValue`, `IacService`, `IacFile`); the values that both front ends
turn expressions into (`Literal`, `Unknown`, `Dictionary`, `Array`, `Resource`, together `Value`) and the
operations the SDKs apply to them (lookups, truthiness, `or`/`??` alias chains, spreads, source objects),
each within the caps below; and the conversion of a resolved value into an `IacValue`. Nothing here knows
either language's syntax.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from railcheck.sources.text import ParseFailure


class _UnknownType:
    """The type of `UNKNOWN`: a value that the file computes at run time."""

    __slots__ = ()
    _instance: _UnknownType | None = None

    def __new__(cls) -> _UnknownType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"  # pickles as the module attribute, so identity survives a round trip

    def __copy__(self) -> _UnknownType:
        return self

    def __deepcopy__(self, memo: object) -> _UnknownType:
        return self


UNKNOWN = _UnknownType()
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
    build command), "builder", "dockerfilePath" and "watchPatterns" (from the object form of `build`),
    "sourceType" (the source's `type`: "github", "image", ...), "sourceRepo" (the repository a source names),
    "preDeploy" (always a list), "variables" (`env` merged over `variables`), "domains", "configFile" and
    "replicas" (the `replicas=` value, else `regions=`), each only when the file gives it or when it may come
    from something unreadable (then it is `UNKNOWN`).

    `build_form` is how `build` is written: "string" (which the SDKs turn into the build command), "object",
    or None (absent, or not known).
    """

    name: str
    name_start: int
    name_end: int
    call_start: int
    call_end: int
    settings: dict[str, IacValue]
    kind: str = "service"
    build_form: str | None = None


@dataclass(frozen=True, slots=True)
class IacFile:
    services: tuple[IacService, ...]
    databases: tuple[tuple[str, int, int], ...]  # (name, offsets of the name argument)
    problems: tuple[ParseFailure, ...]  # non-fatal: why some of the file could not be read
    # A partial file (Python `PARTIAL = ...`, TypeScript `export const partial`) owns only some of the
    # environment's services; the others are declared elsewhere.
    partial: bool = False


# --------------------------------------------------------------------------------------------------------
# Language-neutral values. Front ends turn expressions into these; `settings` resolves settings on them.


@dataclass(slots=True)
class Literal:
    """A string, number, boolean or None the file writes out (or joins from parts that are all known)."""

    value: object  # str | int | float | bool | None
    start: int
    end: int
    text_start: int | None = None
    origin: tuple[int, int] | None = None


@dataclass(slots=True)
class Unknown:
    """A value railcheck cannot read from the file; `reason` follows "it" in a message ("calls os.getenv")."""

    reason: str
    start: int
    end: int


@dataclass(slots=True)
class Dictionary:
    """A Python dict or keyword arguments, a JavaScript object literal."""

    # In source order, later entries win. A None key is a spread whose keys are unknown; its value is an
    # Unknown, and it hides every earlier entry from lookups.
    entries: list[tuple[str | None, Value]]
    start: int
    end: int
    origin: tuple[int, int] | None = None


@dataclass(slots=True)
class Array:
    """A Python list or tuple, a JavaScript array."""

    items: list[Value]
    start: int
    end: int
    origin: tuple[int, int] | None = None
    # Spreads of values that are not static: the list's length and indices are unknown, but a project's
    # resources list still yields the resources written out beside them.
    holes: list[Unknown] = field(default_factory=list)


@dataclass(slots=True)
class Resource:
    """What an SDK constructor returns: a service, function, database, group, project, volume or bucket."""

    kind: str
    name: Value | None
    config: Dictionary
    items: Value | None  # project and group resources
    start: int
    end: int
    callee: str


Value = Literal | Unknown | Dictionary | Array | Resource

SERVICE_KINDS = {"service": "service", "fn": "function"}
DATABASE_KINDS = frozenset({"postgres", "mysql", "redis", "mongo", "database"})
RESOURCE_KINDS = frozenset(SERVICE_KINDS) | DATABASE_KINDS
SOURCE_KINDS = frozenset({"github", "image", "template", "empty"})
MAX_DEPTH = 64  # deeper literals are not configuration; stopping keeps the evaluator's recursion bounded
MAX_ITEMS = 5_000  # items in one list or dict; spreads could otherwise double a list per line
_MAX_TEXT = 100_000  # characters of a string joined from parts; no setting is longer
MAX_NODES = 50_000  # values converted for one setting, and resources visited for one project
BUILT_DYNAMICALLY = "services built dynamically cannot be checked"


def seen_through_name(value: Value, start: int, end: int, via: str) -> Value:
    """`value` as seen through the name `via` used at start:end."""
    if isinstance(value, Literal):
        return Literal(value.value, start, end, value.text_start, value.origin or (value.start, value.end))
    if isinstance(value, Dictionary):
        return Dictionary(value.entries, start, end, value.origin or (value.start, value.end))
    if isinstance(value, Array):
        return Array(value.items, start, end, value.origin or (value.start, value.end), value.holes)
    if isinstance(value, Unknown):
        through = value.reason.endswith(")") and "(through " in value.reason  # name the first name only
        return Unknown(value.reason if through else f"{value.reason} (through {via})", start, end)
    return value  # a resource keeps the offsets of its own call


def lookup(container: Value | None, key: str) -> Value | None:
    """`container[key]`, None when absent. Non-dict containers read as empty, as `(x or {}).get` and `x?.k` do."""
    if isinstance(container, Unknown):
        return Unknown(container.reason, container.start, container.end)
    if not isinstance(container, Dictionary):
        return None
    for name, value in reversed(container.entries):
        if name is None:
            assert isinstance(value, Unknown)
            return Unknown(f"may be set by a spread that {value.reason}", value.start, value.end)
        if name == key:
            return value
    return None


def truthiness(value: Value) -> bool | None:
    """Python truthiness, None when it cannot be known."""
    if isinstance(value, Literal):
        return bool(value.value)
    if isinstance(value, Dictionary):
        if any(name is not None for name, _ in value.entries):
            return True
        return None if value.entries else False
    if isinstance(value, Array):
        return True if value.items else (None if value.holes else False)
    if isinstance(value, Resource):
        return True
    return None


def is_none(value: Value | None) -> bool:
    return value is None or (isinstance(value, Literal) and value.value is None)


def first_of_aliases(candidates: list[Value | None], python: bool) -> Value | None:
    """`a or b or c` (Python) / `a ?? b ?? c` (TypeScript); None when the result is None/undefined."""
    last: Value | None = None
    for candidate in candidates:
        last = candidate
        if is_none(candidate):
            continue
        assert candidate is not None
        if isinstance(candidate, Unknown):
            return candidate
        if not python:
            return candidate
        truthy = truthiness(candidate)
        if truthy is None:
            return Unknown("may be empty, and then the next alias would apply", candidate.start, candidate.end)
        if truthy:
            return candidate
    return None if is_none(last) else last


def first_present(candidates: list[Value | None]) -> Value | None:
    """`c.get(k1, c.get(k2, ...))`: the first key that is present, even when its value is None."""
    for candidate in candidates:
        if candidate is not None:
            return candidate
    return None


def splice_spread(array: Array, spread: Value, start: int, end: int) -> None:
    """`[..., *spread]` / `[..., ...spread]`."""
    if isinstance(spread, Array) and len(array.items) + len(spread.items) > MAX_ITEMS:
        array.holes.append(Unknown("spreads a list too large to read", start, end))
    elif isinstance(spread, Resource) and spread.kind == "group":
        array.items.append(spread)  # `[...group("backend", [web, jobs])]`: the group's services, read as a group
    elif isinstance(spread, Array):
        array.items.extend(spread.items)
        array.holes.extend(spread.holes[: max(0, 8 - len(array.holes))])  # a few say why; more would only cost
    elif isinstance(spread, Unknown):
        dynamic = spread.reason.startswith(BUILT_DYNAMICALLY)
        reason = spread.reason if dynamic else f"spreads a value that {spread.reason}"
        array.holes.append(Unknown(reason, start, end))
    else:
        array.holes.append(Unknown("spreads a value that is not a list", start, end))


def _text_of(value: Value, python: bool) -> str | None:
    """The text a part of an f-string, a template literal or a `+` turns into; None when it is not known."""
    if not isinstance(value, Literal):
        return None
    if isinstance(value.value, str):
        return value.value
    if isinstance(value.value, bool):
        return str(value.value) if python else str(value.value).lower()
    if isinstance(value.value, int):
        return str(value.value)
    if isinstance(value.value, float) and value.value.is_integer() and abs(value.value) < 1e15 and not python:
        return str(int(value.value))  # JavaScript writes 8000.0 as "8000"; Python's float text is not folded
    return None


def joined_text(parts: list[Value], start: int, end: int, python: bool, why: str) -> Value:
    """An f-string, template literal or `+` of `parts`: a string when every part is known, else unknown."""
    texts = [_text_of(part, python) for part in parts]
    unknown = next((part for part in parts if isinstance(part, Unknown)), None)
    if unknown is not None:
        return Unknown(unknown.reason, start, end)  # why that part is unknown says more than "has placeholders"
    known = [text for text in texts if text is not None]
    if len(known) < len(texts):
        return Unknown(why, start, end)
    if sum(len(text) for text in known) > _MAX_TEXT:
        return Unknown("builds a text too long to read", start, end)  # `B = A + A; C = B + B; ...` doubles per line
    return Literal("".join(known), start, end)


def conditional_value(first: Value, second: Value, start: int, end: int, depth: int = 0) -> Value:
    """`a if c else b` / `c ? a : b`, where the condition is not known: known where both branches agree. Two
    dicts give a dict with every key of either, each known only when both branches set it alike, so a
    conditional spread (`**({"k": v} if c else {})`) leaves every other key known."""
    if (
        isinstance(first, Literal)
        and isinstance(second, Literal)
        and type(first.value) is type(second.value)
        and first.value == second.value
    ):
        return Literal(first.value, start, end)
    if (
        isinstance(first, Dictionary)
        and isinstance(second, Dictionary)
        and depth < MAX_DEPTH
        and all(key is not None for key, _ in first.entries + second.entries)
    ):
        entries: list[tuple[str | None, Value]] = []
        ones, others = dict(first.entries), dict(second.entries)  # no spreads here: later entries win, as in `lookup`
        for key in dict.fromkeys(key for key, _ in first.entries + second.entries):
            assert key is not None
            one, other = ones.get(key), others.get(key)
            if one is None or other is None:
                written = one or other
                assert written is not None
                entries.append((key, Unknown("is set only when a condition holds", written.start, written.end)))
            else:
                entries.append((key, conditional_value(one, other, one.start, one.end, depth + 1)))
        return Dictionary(entries, start, end)
    return Unknown("depends on a condition", start, end)


def spread_entries(value: Value | None, what: str) -> list[tuple[str | None, Value]]:
    if value is None or is_none(value):
        return []
    if isinstance(value, Dictionary) and len(value.entries) > MAX_ITEMS:
        return [(None, Unknown(f"{what} is too large to read", value.start, value.end))]
    if isinstance(value, Dictionary):
        return list(value.entries)
    if isinstance(value, Unknown):
        return [(None, value)]
    return [(None, Unknown(f"{what} is not a dict", value.start, value.end))]


def source_dictionary(
    kind: str, first: Value | None, options: Dictionary, start: int, end: int, python: bool
) -> Dictionary:
    """github()/image()/template()/empty(): the dict each returns, as far as railcheck needs it."""
    entries: list[tuple[str | None, Value]] = [("type", Literal(kind, start, end))]
    field_name = {"github": "repo", "image": "image", "template": "template"}.get(kind)
    if field_name is not None and first is not None:
        entries.append((field_name, first))
    if kind != "empty" or python:  # TypeScript's empty() takes no options
        entries.extend(options.entries)  # after the type, as in the SDKs: options could even replace it
    return Dictionary(entries, start, end)


def to_iac_value(value: Value, depth: int = 0, budget: list[int] | None = None) -> IacValue:
    # Names let a small file describe a huge value (`B = [A, A]; C = [B, B]; ...`): the budget caps the work.
    budget = [MAX_NODES] if budget is None else budget
    budget[0] -= 1
    if isinstance(value, Literal):
        return IacValue(value.value, value.start, value.end, None, value.origin, value.text_start)
    if isinstance(value, Unknown):
        return IacValue(UNKNOWN, value.start, value.end, value.reason)
    if depth > MAX_DEPTH:
        return IacValue(UNKNOWN, value.start, value.end, "is nested too deeply to read")
    if budget[0] < 0 and isinstance(value, (Array, Dictionary)):
        return IacValue(UNKNOWN, value.start, value.end, "is too large to read")
    if isinstance(value, Array):
        if value.holes:
            return IacValue(UNKNOWN, value.start, value.end, value.holes[0].reason, value.origin)
        items = tuple((index, to_iac_value(item, depth + 1, budget)) for index, item in enumerate(value.items))
        return IacValue([item.value for _, item in items], value.start, value.end, None, value.origin, None, items)
    if isinstance(value, Dictionary):
        keys = list(dict.fromkeys(key for key, _ in value.entries if key is not None))
        final: dict[str, Value] = {}
        hidden: Unknown | None = None
        for key, item in reversed(value.entries):  # what `lookup` would answer for every key, in one pass
            if key is None:
                assert isinstance(item, Unknown)
                hidden = hidden or item
            elif key not in final:
                final[key] = (
                    item
                    if hidden is None
                    else Unknown(f"may be set by a spread that {hidden.reason}", hidden.start, hidden.end)
                )
        entries = [(key, to_iac_value(final[key], depth + 1, budget)) for key in keys]
        if hidden is not None:
            return IacValue(
                UNKNOWN,
                value.start,
                value.end,
                f"spreads a value that {hidden.reason}",
                value.origin,
                None,
                tuple(entries),
            )
        return IacValue(
            {key: item.value for key, item in entries}, value.start, value.end, None, value.origin, None, tuple(entries)
        )
    what = "service" if value.kind in SERVICE_KINDS else value.kind
    return IacValue(UNKNOWN, value.start, value.end, f"is a {what} object from {value.callee}(...), not a value")
