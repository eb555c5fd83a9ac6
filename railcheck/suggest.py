"""Did-you-mean suggestions for misspelled keys and values."""

from __future__ import annotations

from collections.abc import Iterable


def case_insensitive_match(word: str, candidates: Iterable[str]) -> str | None:
    """The one candidate equal to `word` ignoring case (and not equal to it exactly), if any."""
    folded = word.casefold()
    matches = [candidate for candidate in candidates if candidate.casefold() == folded and candidate != word]
    return matches[0] if len(matches) == 1 else None


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.76, *, prefixes: bool = False) -> str | None:
    """The closest candidate by case-insensitive similarity, or None when nothing is close. The default cutoff
    keeps `watchPaths` -> `watchPatterns` (0.78) and drops `buildArgs` -> `builder` (0.75, another setting).

    With `prefixes`, a word that begins exactly one candidate also matches (values: "go" for "golang").
    """
    candidates = list(candidates)
    exact = case_insensitive_match(word, candidates)
    if exact:
        return exact
    import difflib  # only when a name is misspelt: most runs suggest nothing

    folded = {candidate.casefold(): candidate for candidate in candidates}
    found = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=cutoff)
    if found:
        return folded[found[0]]
    if not prefixes:
        return None
    # Abbreviations ("go" for "golang") are too short for a similarity ratio.
    prefixed = [candidate for key, candidate in folded.items() if len(word) >= 2 and key.startswith(word.casefold())]
    return prefixed[0] if len(prefixed) == 1 else None


def quoted_list(values: Iterable[str], limit: int = 12) -> str:
    values = sorted(values)
    shown = ", ".join(f"`{value}`" for value in values[:limit])
    return shown + (f" (and {len(values) - limit} more)" if len(values) > limit else "")
