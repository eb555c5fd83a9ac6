"""Comparing two PEP 440 specifier sets (`>=0.25.0`, `==3.1.0,!=3.1.1`) of one project: whether they certainly
cannot both hold, and whether one certainly implies the other. Both answers are "yes" only when certain.

A set is read as an interval of versions. Each operator's interval contains every version the operator matches
(PEP 440's exclusions of pre-releases by `<V` and of post-releases by `>V` only remove versions at the ends),
so disjoint intervals mean sets that cannot both hold. `packaging` decides single pins, as pip does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.specifiers import Specifier
    from packaging.version import Version


@dataclass(frozen=True, slots=True)
class _Interval:
    """Versions between `low` and `high` (None = unbounded), each end inclusive or not."""

    low: Version | None = None
    low_inclusive: bool = True
    high: Version | None = None
    high_inclusive: bool = True

    def meet(self, other: _Interval) -> _Interval:
        low, low_inclusive = self.low, self.low_inclusive
        if other.low is not None and (low is None or other.low > low or (other.low == low and not other.low_inclusive)):
            low, low_inclusive = other.low, other.low_inclusive
        high, high_inclusive = self.high, self.high_inclusive
        if other.high is not None and (
            high is None or other.high < high or (other.high == high and not other.high_inclusive)
        ):
            high, high_inclusive = other.high, other.high_inclusive
        return _Interval(low, low_inclusive, high, high_inclusive)

    @property
    def empty(self) -> bool:
        if self.low is None or self.high is None:
            return False
        return self.low > self.high or (self.low == self.high and not (self.low_inclusive and self.high_inclusive))

    def within(self, other: _Interval) -> bool:
        """Whether every version of this interval is in `other`."""
        return self.meet(other) == self


def _interval(specifier: Specifier) -> _Interval | None:
    """The interval holding every version `specifier` matches; None when it is not read as one (`!=`, `===`,
    wildcards, `~=` are handled by their bounds below or not at all)."""
    from packaging.version import Version

    operator, text = specifier.operator, specifier.version
    if operator == "===" or (text.endswith(".*") and operator != "=="):
        return None
    if text.endswith(".*"):  # ==1.4.* : from 1.4's first dev release to before 1.5's
        prefix = Version(text[:-2])
        return _Interval(Version(f"{prefix.base_version}.dev0"), True, _next_prefix(prefix, 0), False)
    version = Version(text)
    if operator == "==":
        return _Interval(version, True, version, True) if not version.local else None
    if operator == ">=":
        return _Interval(low=version)
    if operator == ">":
        return _Interval(low=version, low_inclusive=False)
    if operator == "<=":
        return _Interval(high=version)
    if operator == "<":
        return _Interval(high=version, high_inclusive=False)
    if operator == "~=":  # ~=1.4.5 means >=1.4.5, ==1.4.*
        return _Interval(version, True, _next_prefix(version, 1), False)
    return None  # != excludes one version: not an interval


def _next_prefix(version: Version, drop: int) -> Version:
    """The first dev release after every version starting with `version`'s release minus `drop` parts."""
    from packaging.version import Version

    release = list(version.release[: len(version.release) - drop] if drop else version.release)
    release[-1] += 1
    epoch = f"{version.epoch}!" if version.epoch else ""
    return Version(f"{epoch}{'.'.join(map(str, release))}.dev0")


def _span(specifiers: str) -> _Interval | None:
    """The interval of a whole set (operators not read as intervals leave it wider); None when unparseable."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        parsed = SpecifierSet(specifiers)
    except InvalidSpecifier:
        return None
    found = _Interval()
    for specifier in parsed:
        interval = _interval(specifier)
        if interval is not None:
            found = found.meet(interval)
    return found


def cannot_both_hold(first: str, second: str) -> bool:
    """Whether no version satisfies both specifier sets (certain answers only; unparseable sets are False)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        sets = (SpecifierSet(first), SpecifierSet(second))
    except InvalidSpecifier:
        return False
    # A pin (`==1.2`) either satisfies the other set or not; packaging decides as pip does.
    for own, other in (sets, sets[::-1]):
        for specifier in own:
            if specifier.operator == "==" and not specifier.version.endswith(".*"):
                try:
                    pinned = Version(specifier.version)
                except InvalidVersion:
                    continue
                if not other.contains(pinned, prereleases=True):
                    return True
    spans = (_span(first), _span(second))
    return spans[0] is not None and spans[1] is not None and spans[0].meet(spans[1]).empty


def implies(stronger: str, weaker: str) -> bool:
    """Whether every version `stronger` allows is allowed by `weaker`: then `weaker` adds nothing.

    Certain answers only: both sets must use plain release versions (no pre-, post-, dev or local parts) and
    the operators `==`, `>=`, `>`, `<=`, `<`, `~=`; a `!=` in `weaker` must be in `stronger` too.
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import Version

    try:
        strong, weak = SpecifierSet(stronger), SpecifierSet(weaker)
    except InvalidSpecifier:
        return False
    for specifier in (*strong, *weak):
        if specifier.operator == "===" or specifier.version.endswith(".*"):
            return False
        version = Version(specifier.version)
        if version.is_prerelease or version.is_postrelease or version.local:
            return False
    if any(specifier.operator == "!=" and specifier not in set(strong) for specifier in weak):
        return False
    strong_span, weak_span = _span(stronger), _span(weaker)
    return strong_span is not None and weak_span is not None and strong_span.within(weak_span)


def combined(first: str, second: str) -> str | None:
    """The one specifier set pip checks for both (`>=1.5,<2`), sorted; None when either does not parse."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        merged = SpecifierSet(first) & SpecifierSet(second)
    except InvalidSpecifier:
        return None
    return ",".join(sorted({str(specifier) for specifier in merged}))
