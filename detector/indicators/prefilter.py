"""Cheap prefilters for indicator regexes.

From a pattern's parse tree we derive a set of literal strings one of which every match must
contain (the literal prefixes of its alternatives). A post that contains none of them cannot match,
so the regex is not run: ``str.__contains__`` is far cheaper than a regex scan. Where no such set
can be derived (a pattern starting with a character class, say) the pattern always runs.
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


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Literals one of which any match of ``pattern`` contains, or None if none can be derived."""
    try:
        tree = P.parse(pattern)
    except Exception:  # syntax only the `regex` module knows: no prefilter
        return None
    lits = _seq(list(tree))
    if not lits or any(len(x) < MIN_LITERAL for x in lits):
        return None
    return tuple(sorted(lits))


def _seq(items: list[Any]) -> set[str] | None:
    prefix = ""
    for idx, (op, av) in enumerate(items):
        if op in _ZERO_WIDTH:
            if prefix:
                break
            continue
        if op is C.LITERAL:
            prefix += chr(av)
            continue
        if prefix:
            break
        if op is C.SUBPATTERN:
            inner = _seq(list(av[-1]))
            return inner
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
            rest = _seq(items[idx + 1:])
            return None if rest is None else first | rest
        return None
    return {prefix} if len(prefix) >= MIN_LITERAL else None
