"""Cheap prefilters for indicator regexes: decide which patterns can possibly match a text.

From a pattern's parse tree we derive a *requirement*: literal strings that must occur in any text
the pattern matches, as an OR of ANDs of "one of these literals" factors (disjunctive normal form).
``\\btanpa\\s+(?:pengalaman|skill)|\\bnon\\s+skill`` requires ``tanpa`` and one of ``pengalaman``/``skill``,
or ``non`` and ``skill``. Literals are the strings that mandatory runs of fixed elements can match
(plain characters, small alternations and sets, optional literals: ``transport(?:asi)?``); unbounded
repeats, large classes and categories end a literal. A literal run is pushed into the alternatives
that follow it (the parser factors ``t(?:anpa|idak)`` out of ``tanpa|tidak``). With ``single_spaces``
(texts whose only whitespace is lone spaces, as normalised posts) ``\\s``, ``\\s+`` and ``\\s*`` read as
one space or none, so literals span words: ``tanpa pengalaman``.

:class:`LiteralScreen` finds, in ONE scan of a text, every literal of every pattern it holds, and
then tells which patterns' requirements hold; a pattern whose requirement fails cannot match and
is not run. The derivation only ever weakens a requirement (drops a factor, merges alternatives),
never strengthens it, so a skipped pattern provably has no match.

Patterns using syntax that the stdlib parser reads differently from the ``regex`` module (nested
or operator character sets, fuzzy ``{e<=1}`` constraints, inline flags, ``\\L<...>`` lists …) get no
requirement and always run.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

try:  # Python ≥ 3.11
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

#: One factor: at least one of these literals occurs in the text.
Factor = frozenset[str]
#: A conjunction of factors; the empty conjunction always holds.
Conj = tuple[Factor, ...]
#: A disjunction of conjunctions: the pattern's requirement.
Requirement = tuple[Conj, ...]

try:  # optional: a C Aho–Corasick automaton makes the literal scan several times faster
    import ahocorasick as _ahocorasick  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - exercised by forcing engine="regex" in the tests
    _ahocorasick = None

K = TypeVar("K")
_second = operator.itemgetter(1)
#: A requirement as bit masks over a screen's literals (see :func:`holds`).
Masks = tuple[tuple[int, tuple[int, ...]], ...]
_TRUE: Requirement = ((),)
_ZERO_WIDTH = {C.AT, C.ASSERT, C.ASSERT_NOT}
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT} | ({C.POSSESSIVE_REPEAT} if hasattr(C, "POSSESSIVE_REPEAT") else set())
MIN_LITERAL = 2
#: Most literals one factor may hold (a larger one is dropped: it would not skip much).
MAX_LITERALS = 128
#: Most conjunctions one requirement may hold (larger products are merged into one factor).
MAX_CONJ = 32
#: Largest character set, and largest bounded repeat, read as a fixed set of strings.
MAX_SET_CHARS = 10
MAX_FIXED_REPEAT = 3
_ATOMIC = getattr(C, "ATOMIC_GROUP", object())
_SPACE = [(C.IN, [(C.CATEGORY, C.CATEGORY_SPACE)])]
_NOT_SINGLE_SPACED = re.compile(r"[^\S ]|  ")

_REPEAT_BRACE = re.compile(r"\{(?:\d+(?:,\d*)?|,\d+)\}")
_GROUP_OPENERS = ("(?:", "(?=", "(?!", "(?<=", "(?<!", "(?P<", "(?>")


def _portable(pattern: str) -> bool:
    """True if the stdlib parser reads ``pattern`` as the ``regex`` module (VERSION1) does.

    Conservative: refuses nested sets and set operators (``[[a]b]``, ``--``, ``&&``, ``||``, ``~~``),
    braces that are not a plain repeat count (fuzzy ``{e<=1}``), a ``]`` first in a set, and any
    ``(?`` group other than non-capturing, look-around, named and atomic groups (flags, branch reset …).
    """
    i, n = 0, len(pattern)
    in_set = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_set:
            if c == "[" or pattern[i:i + 2] in ("--", "&&", "||", "~~"):
                return False
            if c == "]":
                in_set = False
        elif c == "[":
            in_set = True
            if pattern[i + 1:i + 2] == "^":
                i += 1
            if pattern[i + 1:i + 2] == "]":
                return False
        elif c == "{":
            m = _REPEAT_BRACE.match(pattern, i)
            if m is None:
                return False
            i = m.end()
            continue
        elif c == "(" and pattern[i + 1:i + 2] == "?" and not pattern.startswith(_GROUP_OPENERS, i):
            return False
        i += 1
    return not in_set


def may_match(req: Requirement | None, text: str) -> bool:
    """Whether ``text`` holds the literals of requirement ``req`` (None: no requirement), by substring tests."""
    return req is None or any(all(any(lit in text for lit in f) for f in conj) for conj in req)


def single_spaced(text: str) -> bool:
    """True if every whitespace character of ``text`` is a lone plain space (no two adjacent).

    Uses the stdlib ``\\s``, which covers every character the ``regex`` module's ``\\s`` matches
    (and \\x1c-\\x1f besides). Normalised text (:func:`detector.normalize.normalize`) always is.
    """
    return _NOT_SINGLE_SPACED.search(text) is None


def requirement(pattern: str, single_spaces: bool = False) -> Requirement | None:
    """The literal requirement of ``pattern`` (see the module docstring), or None if there is none.

    ``single_spaces``: the requirement holds only for texts in which every whitespace character
    (as the ``regex`` module's ``\\s`` sees it) is a plain space and no two are adjacent — as in
    :func:`detector.normalize.normalize` output (see :func:`single_spaced`). ``\\s`` then reads as
    one space, so literals span words: ``tanpa pengalaman`` instead of ``tanpa`` and ``pengalaman``.
    """
    tree = _parse(pattern)
    if tree is None or tree.state.flags & ~C.SRE_FLAG_UNICODE:
        return None
    try:
        req = _seq(list(tree), {""}, single_spaces)
    except _Unsupported:
        return None
    if any(not conj for conj in req):
        return None
    return _compact(req)


#: A repeat of a variable-width sub-pattern up to this many times is taken as harmless: a text splits
#: among so few repetitions in polynomially many ways.
FEW_REPEATS = 3


def backtracking_can_explode(pattern: str) -> bool | None:
    """Whether a backtracking search of ``pattern`` may take time exponential in the text's length: the
    pattern repeats a sub-pattern whose matches vary in length (``(a+)+``, ``(?:a|aa)+``,
    ``(?:\\s*\\w+){0,50}``) a varying number of times, without a bound or up to more than
    :data:`FEW_REPEATS` (a fixed count such as ``{5}`` is not flagged), so that a text can be split among
    the repetitions in exponentially many ways. A repeated sub-pattern of fixed width (``[\\d.,]*``,
    ``(?:[ .-][a-z]){2,}``) splits a text one way only. None when the stdlib parser cannot read the
    pattern (syntax only the ``regex`` module knows)."""
    tree = _parse(pattern)
    return None if tree is None else _variable_repeat(list(tree))


@functools.lru_cache(maxsize=4096)
def _parse(pattern: str) -> Any:
    """The stdlib parse tree of ``pattern`` (shared: never modified), or None for syntax only the ``regex``
    module reads as it does (see :func:`_portable`). Every pattern is parsed once, though its requirement
    is derived twice (with and without single spaces) and its backtracking is judged too."""
    if not _portable(pattern):
        return None
    try:
        return P.parse(pattern)
    except Exception:  # syntax only the `regex` module knows
        return None


def _variable_repeat(items: list[Any]) -> bool:
    for op, av in items:
        if op in _REPEATS:
            lo, hi, body = av
            low, high = body.getwidth()
            if hi > max(lo, FEW_REPEATS) and low != high:
                return True
            if _variable_repeat(list(body)):
                return True
        elif any(_variable_repeat(list(sub)) for sub in _subpatterns(av)):
            return True  # groups, alternatives, look-arounds, conditionals
    return False


def _subpatterns(av: Any) -> Iterable[Any]:
    """The parsed sub-patterns held in an opcode's argument."""
    if isinstance(av, P.SubPattern):
        yield av
    elif isinstance(av, (tuple, list)):
        for x in av:
            yield from _subpatterns(x)


def _compact(req: Requirement) -> Requirement:
    """An equivalent, smaller requirement: ``(a∧x)∨(a∧y)`` → ``a∧(x∨y)``; ``a∨(a∧b)`` → ``a``."""
    conjs = {frozenset(conj) for conj in req}
    changed = True
    while changed:
        changed = False
        # absorption: a conjunction implied by a weaker one is redundant
        conjs = {c for c in conjs if not any(o < c for o in conjs)}
        for c1, c2 in itertools.combinations(sorted(conjs, key=_conj_order), 2):
            if len(c1) != len(c2) or len(c1 & c2) != len(c1) - 1:
                continue
            (f1,), (f2,) = c1 - c2, c2 - c1
            merged = _factor(f1 | f2)
            if len(merged) > MAX_LITERALS:
                continue
            conjs -= {c1, c2}
            conjs.add((c1 & c2) | {merged})
            changed = True
            break
    return tuple(tuple(sorted(c, key=sorted)) for c in sorted(conjs, key=_conj_order))


def _conj_order(conj: frozenset[Factor]) -> list[list[str]]:
    return sorted(sorted(f) for f in conj)


class _Unsupported(Exception):
    """A construct whose literals we do not reason about (e.g. scoped inline flags)."""


def _and(a: Requirement, b: Requirement) -> Requirement:
    if len(a) * len(b) > MAX_CONJ:
        b = _merge(b)
        if len(a) * len(b) > MAX_CONJ:
            a = _merge(a)
    return tuple(_simplify(x + y) for x in a for y in b)


def _or(parts: Iterable[Requirement]) -> Requirement:
    """Disjunction; alternatives that each require one factor become one factor (``tiket|visa``)."""
    out: list[Conj] = []
    for p in parts:
        if any(not conj for conj in p):
            return _TRUE
        out.extend(p)
    if len(out) > 1 and all(len(conj) == 1 for conj in out):
        return _merge(tuple(out))
    return tuple(dict.fromkeys(out))


def _merge(req: Requirement) -> Requirement:
    """Weaken a disjunction to one conjunction: factor k is the union of factor k of every conjunction."""
    if len(req) == 1:
        return req
    width = min(len(conj) for conj in req)
    factors = (_factor(lit for conj in req for lit in conj[k]) for k in range(width))
    return (tuple(f for f in factors if len(f) <= MAX_LITERALS),)


def _factor(lits: Iterable[str]) -> Factor:
    """A factor without literals implied by a shorter one in it (``transportasi`` by ``transport``)."""
    s = set(lits)
    return frozenset(x for x in s if not any(y != x and y in x for y in s))


def _simplify(conj: Conj) -> Conj:
    return tuple(dict.fromkeys(conj))


def _literals(strings: Iterable[str]) -> Requirement:
    """One of ``strings`` occurs: a factor, unless one is too short to be worth looking for."""
    lits = set(strings)
    if not lits or min(map(len, lits)) < MIN_LITERAL or len(lits) > MAX_LITERALS:
        return _TRUE
    return ((_factor(lits),),)


def _seq(items: Sequence[Any], prefixes: Iterable[str], spaces: bool) -> Requirement:
    """Requirement of the sequence ``items`` matched right after one of the strings ``prefixes``.

    Elements that match one of a few fixed strings (literals, small alternations and sets, optional
    literals, assertions) extend the strings matched so far; any other element ends them.
    """
    req: Requirement = _TRUE
    cur = set(prefixes)
    for op, av in items:
        fixed = _fixed(op, av, spaces)
        if fixed is not None:
            grown = {a + b for a in cur for b in fixed}
            if len(grown) <= MAX_LITERALS:
                cur = grown
            else:
                req = _and(req, _literals(cur))
                cur = fixed
            continue
        if op is C.SUBPATTERN:
            elem = _seq(list(_subpattern_items(av)), cur, spaces)
        elif op is C.BRANCH:
            elem = _or(_seq(list(branch), cur, spaces) for branch in av[1])
        elif op in _REPEATS and av[0] >= 1:  # the first repetition follows the strings so far directly
            elem = _seq(list(av[2]), cur, spaces)
        elif op is _ATOMIC:
            elem = _seq(list(av), cur, spaces)
        else:  # unbounded or optional repeats, character classes, categories, any, back references …
            elem = _literals(cur)
        req = _and(req, elem)
        cur = {""}
    req = _and(req, _literals(cur))
    return tuple(_limit(conj) for conj in req) if any(len(f) > MAX_LITERALS for conj in req for f in conj) else req


def _subpattern_items(av: Any) -> Any:
    _group, add_flags, del_flags, sub = av
    if add_flags or del_flags:
        raise _Unsupported
    return sub


def _fixed(op: Any, av: Any, spaces: bool) -> set[str] | None:
    """The few strings one element can match (None: too many, or not a fixed set)."""
    if op is C.LITERAL:
        return {chr(av)}
    if op in _ZERO_WIDTH:  # assertions consume nothing
        return {""}
    if op is C.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if spaces and iop is C.CATEGORY and iav is C.CATEGORY_SPACE:
                chars.add(" ")  # single_spaces: the only whitespace is a lone " "
            elif iop is C.LITERAL:
                chars.add(chr(iav))
            elif iop is C.RANGE and iav[1] - iav[0] < MAX_SET_CHARS:
                chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
            else:  # negated sets, categories (\s, \d), big ranges
                return None
        return chars if len(chars) <= MAX_SET_CHARS else None
    if op is C.SUBPATTERN:
        return _fixed_seq(_subpattern_items(av), spaces)
    if op is C.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            alt = _fixed_seq(branch, spaces)
            if alt is None:
                return None
            out |= alt
        return out if len(out) <= MAX_LITERALS else None
    if op in _REPEATS:
        lo, hi, inner = av
        if spaces and lo <= 1 and list(inner) == _SPACE:  # \s*, \s+, \s? match "" or one " " at most
            hi = 1
        if hi > MAX_FIXED_REPEAT:  # also MAXREPEAT (unbounded)
            return None
        one = _fixed_seq(inner, spaces)
        if one is None:
            return None
        out, power = set(), {""}
        for k in range(hi + 1):
            if k >= lo:
                out |= power
            if k < hi:
                power = {a + b for a in power for b in one}
                if len(power) > MAX_LITERALS:
                    return None
        return out if len(out) <= MAX_LITERALS else None
    if op is _ATOMIC:
        return _fixed_seq(av, spaces)
    return None


def _fixed_seq(items: Any, spaces: bool) -> set[str] | None:
    out = {""}
    for op, av in items:
        part = _fixed(op, av, spaces)
        if part is None:
            return None
        out = {a + b for a in out for b in part}
        if len(out) > MAX_LITERALS:
            return None
    return out


def _limit(conj: Conj) -> Conj:
    return tuple(f for f in conj if len(f) <= MAX_LITERALS)


class LiteralScreen(Generic[K]):
    """One scan of a text for the literals of many requirements; then which requirements hold.

    The scan is an Aho–Corasick automaton (``pyahocorasick``) reporting every occurrence of every
    literal. Without that package (or with ``engine="regex"``) it is a stdlib regex instead: a
    look-ahead holding a trie of all literals, tried at every position, capturing the longest literal
    starting there. Every other literal starting at that position is a prefix of it and every literal
    that occurs starts somewhere, so the literals occurring in the text are exactly those contained in
    a captured one. Both give the same answer; the automaton is several times faster.
    """

    def __init__(self, items: Sequence[tuple[K, Requirement | None]], engine: str | None = None) -> None:
        if engine not in (None, "ahocorasick", "regex"):
            raise ValueError(f"unknown engine {engine!r}")
        if engine == "ahocorasick" and _ahocorasick is None:
            raise ValueError("engine 'ahocorasick' needs the pyahocorasick package")
        lits = sorted({lit for _, req in items if req for conj in req for f in conj for lit in f})
        bit = {lit: 1 << i for i, lit in enumerate(lits)}
        self._automaton: Any = None
        self._scan: re.Pattern[str] | None = None
        if lits and engine != "regex" and _ahocorasick is not None:
            self.engine = "ahocorasick"
            self._automaton = _ahocorasick.Automaton()
            for i, lit in enumerate(lits):
                self._automaton.add_word(lit, i)  # the literal's index: its bit is 1 << i
            self._automaton.make_automaton()
        else:
            self.engine = "regex"
            if lits:
                self._scan = re.compile("(?=(" + _trie_regex(lits) + "))")
        #: (regex engine) literal → bits of all literals contained in it, itself included
        self._implied = {lit: _mask((o for o in lits if o in lit), bit) for lit in lits} if self._scan else {}
        #: keys whose requirement is None: always run
        self._always = frozenset(key for key, req in items if req is None)
        #: (key, quick necessary test mask, conjunctions as (mask of all single-literal factors,
        #: masks of the other factors)) — see :func:`holds`
        self._checks: list[tuple[K, int, Masks]] = []
        for key, req in items:
            if req is not None:
                masks = tuple(_conj_masks(conj, bit) for conj in req)
                quick = functools.reduce(operator.or_, (_necessary(conj, bit) for conj in req))
                self._checks.append((key, quick, masks))
        #: (automaton) literal index → its bit, and the checks whose quick mask holds it: a post then
        #: tests only the checks one of its literals can pass (~9 of 82 for the shipped indicators)
        self._bits = [bit[lit] for lit in lits]
        self._candidates = _checks_by_literal(self._checks, len(lits)) if self._automaton is not None else []

    def found(self, text: str) -> int:
        """Bit mask of the literals that occur in ``text``."""
        if self._automaton is not None:
            return self._mask_of(self._literals(text))
        if self._scan is None:
            return 0
        return functools.reduce(operator.or_, map(self._implied.__getitem__, set(self._scan.findall(text))), 0)

    def _literals(self, text: str) -> set[int]:
        """(automaton) Indices of the literals that occur in ``text``."""
        return set(map(_second, self._automaton.iter(text)))

    def _mask_of(self, literals: Iterable[int]) -> int:
        """(automaton) Bit mask of the literals with these indices."""
        return functools.reduce(operator.or_, map(self._bits.__getitem__, literals), 0)

    def passing(self, text: str) -> set[K]:
        """Keys whose requirement holds in ``text`` (a superset of the keys whose pattern matches)."""
        out = set(self._always)
        checks = self._checks
        if self._automaton is not None:
            lits = self._literals(text)
            found = self._mask_of(lits)
            candidates = set().union(*map(self._candidates.__getitem__, lits))
            out.update(checks[i][0] for i in candidates if holds(checks[i][2], found))
            return out
        found = self.found(text)
        out.update(key for key, first, masks in checks if found & first and holds(masks, found))
        return out


def _checks_by_literal(checks: Sequence[tuple[Any, int, Masks]], n_literals: int) -> list[tuple[int, ...]]:
    """For each literal index, the indices of the checks whose quick mask holds its bit (ascending), from
    each mask's set bits: one pass over the checks, not one per literal (3,013 literals × 82 checks)."""
    by_literal: list[list[int]] = [[] for _ in range(n_literals)]
    for i, (_, quick, _) in enumerate(checks):
        while quick:
            low = quick & -quick
            by_literal[low.bit_length() - 1].append(i)
            quick ^= low
    return [tuple(c) for c in by_literal]


def _necessary(conj: Conj, bit: dict[str, int]) -> int:
    """Mask of one factor of ``conj`` (some bit of it is set whenever ``conj`` holds), the most selective:
    fewest literals, then the longest shortest literal."""
    best = min(conj, key=lambda f: (len(f), -min(map(len, f))))
    return _mask(best, bit)


def _conj_masks(conj: Conj, bit: dict[str, int]) -> tuple[int, tuple[int, ...]]:
    need = _mask((lit for f in conj if len(f) == 1 for lit in f), bit)
    return need, tuple(_mask(f, bit) for f in conj if len(f) > 1)


def _mask(lits: Iterable[str], bit: dict[str, int]) -> int:
    return functools.reduce(operator.or_, (bit[lit] for lit in lits), 0)


def holds(masks: Masks, found: int) -> bool:
    """Whether a requirement, as masks, holds for the literal mask ``found``.

    A conjunction ``(need, anys)`` holds when ``found`` has every bit of ``need`` (its single-literal
    factors) and at least one bit of each mask in ``anys`` (its other factors).
    """
    for need, anys in masks:
        if found & need == need:
            for m in anys:
                if not found & m:
                    break
            else:
                return True
    return False


def _trie_regex(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, structured as a trie, preferring the longest match."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + emit(node[ch]) for ch in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return emit(trie)
