"""Cheap prefilters for indicator regexes.

From a pattern's parse tree we derive a set of literal strings one of which every match must
start with (the literal prefixes of its alternatives, also after a common prefix that the parser
factored out: ``t(?:anpa|idak)``; leading zero-width assertions are skipped). A post that contains
none of them cannot match, so the regex is not run: ``str.__contains__`` is far cheaper than a regex
scan. Where no such set can be derived (a pattern starting with a character class, say) the pattern
always runs.
"""

from __future__ import annotations

from typing import Any

try:  # Python ≥ 3.11
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

_ZERO_WIDTH = {C.AT, C.ASSERT, C.ASSERT_NOT}
MIN_LITERAL = 2
#: Most literals one pattern's prefilter may hold.
MAX_LITERALS = 64


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Literals one of which any match of ``pattern`` starts with, or None if none can be derived."""
    try:
        tree = P.parse(pattern)
    except Exception:  # syntax only the `regex` module knows: no prefilter
        return None
    lits = _seq(list(tree))
    if not lits or any(len(x) < MIN_LITERAL for x in lits):
        return None
    return tuple(sorted(lits))


def _seq(items: list[Any]) -> set[str] | None:
    """Prefixes one of which every match of the sequence ``items`` starts with, or None."""
    prefix = ""
    for idx, (op, av) in enumerate(items):
        if op in _ZERO_WIDTH:
            if prefix:
                break
            continue
        if op is C.LITERAL:
            prefix += chr(av)
            continue
        rest = _element(op, av, items[idx + 1:])
        if rest is None or len(rest) > MAX_LITERALS:
            break
        return {prefix + r for r in rest}  # "t(?:anpa|idak)" (sre factors common prefixes out)
    return {prefix} if len(prefix) >= MIN_LITERAL else None


def _element(op: Any, av: Any, following: list[Any]) -> set[str] | None:
    """Prefixes of the match of one non-literal element followed by ``following``."""
    if op is C.SUBPATTERN:
        return _seq(list(av[-1]))
    if op is C.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            sub = _seq(list(branch))
            if sub is None:
                return None
            out |= sub
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        lo, _hi, inner = av
        first = _seq(list(inner))
        if first is None:
            return None
        if lo >= 1:
            return first
        rest = _seq(following)
        return None if rest is None else first | rest
    return None
