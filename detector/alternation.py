"""Regex alternations grouped by first character: the same matches, tried faster. Standard library only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

_META = frozenset(".^$*+?{}[]|()\\")
_QUANTIFIERS = ("*", "+", "?", "{")


def _first_literal(alt: str) -> str:
    """The literal character an alternative starts with, as written (``a`` or an escape like ``\\$``)."""
    if alt[:1] == "\\" and len(alt) > 1 and not alt[1].isalnum():
        key = alt[:2]  # an escaped metacharacter is a literal
    elif alt[:1] and alt[0] not in _META:
        key = alt[0]
    else:
        raise ValueError(f"alternative {alt!r} must start with a plain character")
    if alt[len(key):len(key) + 1] in _QUANTIFIERS:  # "a?b": the first character is optional
        raise ValueError(f"alternative {alt!r} must start with a plain character")
    return key


def first_char_alternation(alternatives: Sequence[str]) -> str:
    """``a1|a2|…`` with the alternatives grouped by their first character, order kept within a group.

    Matches exactly what the flat alternation matches, at the same positions, choosing the same
    alternative: at any position only the alternatives starting with the character there can
    match, and they are tried in their original order. It is faster because the engine tries
    one group per position instead of every alternative. Each alternative must start with a
    literal character (a plain one or an escaped metacharacter; not a class, group or assertion).
    """
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        groups.setdefault(_first_literal(alt), []).append(alt)
    return "|".join(g[0] if len(g) == 1 else "(?:" + "|".join(g) + ")" for g in groups.values())


def words_alternation(words: Iterable[str]) -> str:
    """An alternation of literal ``words``, longest first (so ``jtaan`` wins over ``jt``), grouped."""
    import re

    return first_char_alternation([re.escape(w) for w in sorted(words, key=len, reverse=True)])
