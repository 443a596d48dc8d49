"""Building blocks of red-flag indicators: patterns, hits and the indicator contract.

An indicator is mostly data (like a presidio recognizer): a name, a bilingual description and
reason, the official guidance it encodes, a weight, and regex patterns run over the normalised
text. Every hit carries evidence as offsets into the ORIGINAL text.
"""

from __future__ import annotations

import re as _stdlib_re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import regex

from detector.indicators.prefilter import Requirement, backtracking_can_explode, may_match, requirement
from detector.normalize import Normalized

Kind = Literal["risk", "counter"]

#: Seconds (wall clock) a single regex search may take before it is abandoned (hostile input). Every
#: pattern is linear and posts are at most 20,000 characters, so a real search takes milliseconds;
#: the bound is generous because a busy machine (N scan workers on N cores, a Dask scheduler beside
#: them) can pause a process for a good fraction of a second, and that must not change a result.
REGEX_TIMEOUT_S = 2.0
#: Texts up to this many characters (every seed and written post; 83 % of the portal adverts, whose
#: descriptions are long) are searched without the time-out, whose bookkeeping costs ~1.5 µs a search
#: (~4 % of the rules), by every pattern that cannot backtrack exponentially (no long repeat of a
#: variable-width part: see ``Pattern.guarded``). On so short a text even a quadratic search ends within
#: milliseconds; a longer text is always searched with the time-out.
UNTIMED_MAX_CHARS = 2_000
_TIMED: dict[str, Any] = {"timeout": REGEX_TIMEOUT_S}
_UNTIMED: dict[str, Any] = {}  # no keyword at all: even ``timeout=None`` costs ~0.5 µs a search


def can_explode(pattern: str) -> bool:
    """Whether a backtracking search of ``pattern`` may explode, or the stdlib parser cannot tell (see
    :func:`~detector.indicators.prefilter.backtracking_can_explode`): then every search is timed."""
    return backtracking_can_explode(pattern) is not False


def timeout_options(text: str, guarded: bool) -> dict[str, Any]:
    """Keyword arguments of one ``regex`` search of ``text``: the time-out on a text over
    :data:`UNTIMED_MAX_CHARS` and for a ``guarded`` pattern (:func:`can_explode`), none otherwise. A
    search that runs out of time raises ``TimeoutError``. Never modify the mapping returned."""
    return _TIMED if guarded or len(text) > UNTIMED_MAX_CHARS else _UNTIMED

_NAME_RE = _stdlib_re.compile(r"^[a-z][a-z0-9_]*$")
#: Where a clause ends, for ``clause_negations``: punctuation or a word that turns the sentence.
_CLAUSE_BOUNDARY = _stdlib_re.compile(r"[,.;:!?\n]|\b(?:tapi|tetapi|namun|melainkan|cukup|hanya|justru|malah|"
                                      r"sedangkan|padahal|but|only)\b")
_ESCAPE = _stdlib_re.compile(r"\\.|\(\?P?<[^>]*>")
_UPPER_OUTSIDE_ESCAPES = _stdlib_re.compile(r"[A-Z]")


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


@dataclass(frozen=True, slots=True)
class Text2:
    """A bilingual text (Indonesian first)."""

    id: str
    en: str

    def __post_init__(self) -> None:
        _require(bool(self.id.strip()) and bool(self.en.strip()), "both 'id' and 'en' texts are required")

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.id


@dataclass(frozen=True, slots=True)
class Pattern:
    """One regular expression with the confidence a match carries. Validated on construction."""

    name: str
    regex: str
    score: float
    #: Put in the ``details`` of every hit of this pattern (e.g. ``{"claim": True}``: what the match
    #: says is only the post's own assertion).
    details: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    compiled: Any = field(init=False, repr=False, compare=False)
    #: Literals every match's text contains (see :mod:`detector.indicators.prefilter`; None: always run).
    requirement: Requirement | None = field(init=False, repr=False, compare=False)
    #: Every search runs with the time-out, whatever the text's length: backtracking may explode (see
    #: :func:`~detector.indicators.prefilter.backtracking_can_explode`; or the stdlib parser cannot tell).
    guarded: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _require(bool(self.name.strip()), "pattern name must not be empty")
        _require(0.0 < self.score <= 1.0, f"pattern {self.name!r}: score must be in (0, 1], got {self.score}")
        _require(isinstance(self.details, Mapping) and all(isinstance(k, str) for k in self.details),
                 f"pattern {self.name!r}: details must be a mapping with string keys")
        _require(not _UPPER_OUTSIDE_ESCAPES.search(_ESCAPE.sub("", self.regex)),
                 f"pattern {self.name!r}: patterns run on lower-cased text, so they must be lower case")
        try:
            compiled = regex.compile(self.regex, regex.VERSION1)
        except regex.error as exc:
            raise ValueError(f"pattern {self.name!r}: invalid regex: {exc}") from exc
        _require(not compiled.match(""), f"pattern {self.name!r} matches the empty string")
        object.__setattr__(self, "compiled", compiled)
        object.__setattr__(self, "requirement", requirement(self.regex))
        object.__setattr__(self, "guarded", can_explode(self.regex))

    def may_match(self, text: str) -> bool:
        """False only if ``text`` lacks the literals every match needs (then there is no match)."""
        return may_match(self.requirement, text)

    def finditer(self, text: str) -> Iterable[Any]:
        """The matches in ``text``; stops early (keeping the matches so far) on hostile input."""
        if not self.may_match(text):
            return ()
        return self.run(text)

    def run(self, text: str) -> Iterator[Any]:
        """The matches in ``text``, without the literal prefilter (the caller has screened ``text``)."""
        try:
            yield from self.compiled.finditer(text, **timeout_options(text, self.guarded))
        except TimeoutError:
            return


@dataclass(frozen=True, slots=True)
class Hit:
    """One piece of evidence: an indicator fired on ``original[start:end]``."""

    indicator: str
    kind: Kind
    start: int
    end: int
    text: str
    score: float
    weight: float
    pattern: str
    reason: Text2
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "flag": self.indicator,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(self.score, 3),
            "weight": self.weight,
            "pattern": self.pattern,
        }
        if lang is None:
            out["reason_id"] = self.reason.id
            out["reason_en"] = self.reason.en
        else:
            out["reason"] = self.reason.get(lang)
        if self.details:
            out["details"] = self.details
        return out


@dataclass(frozen=True)
class LiteralCheck:
    """A regex that an indicator's :meth:`~Indicator.extra_hits` runs, named so that the registry's one
    literal scan of a text decides whether it can match (:meth:`AnalysisContext.may_match`)."""

    name: str
    regex: str
    #: The literals every match contains, derived without assuming single spaces: tested instead on a
    #: text the registry's scan did not cover.
    fallback: Requirement | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fallback", requirement(self.regex))


@dataclass(frozen=True, slots=True)
class AnalysisContext:
    """What an indicator may look at: the normalised text (with its offset map) and shared parses."""

    normalized: Normalized
    money: Sequence[Any]  # detector.money.Money, found on the normalised text
    #: Set by :meth:`IndicatorRegistry.analyze` from one :class:`~detector.indicators.prefilter.LiteralScreen`
    #: scan: ``id()`` of the patterns that scan covered and the names of the literal checks it covered
    #: (:meth:`Indicator.literal_checks`), and of those whose literals the text holds. A pattern the scan
    #: did not cover checks its own literals.
    screened: AbstractSet[int | str] = frozenset()
    runnable: AbstractSet[int | str] = frozenset()

    def may_match(self, check: LiteralCheck) -> bool:
        """False only if the text lacks the literals that every match of ``check``'s regex contains. The
        registry's scan decides a check it covered; otherwise the check's ``fallback`` is tested."""
        if check.name in self.screened:
            return check.name in self.runnable
        return may_match(check.fallback, self.normalized.text)

    def make_hit(self, ind: Indicator, start: int, end: int, score: float, pattern: str,
                 details: dict[str, Any] | None = None) -> Hit:
        o_start, o_end = self.normalized.to_original(start, end)
        return Hit(
            indicator=ind.name, kind=ind.kind, start=o_start, end=o_end,
            text=self.normalized.original[o_start:o_end], score=min(1.0, score),
            weight=ind.weight, pattern=pattern, reason=ind.reason, details=details or {},
        )


@dataclass(frozen=True)
class Indicator:
    """A red flag (``kind='risk'``) or a sign of legitimacy (``kind='counter'``).

    Subclasses add behaviour in :meth:`extra_hits` (e.g. money- or geography-aware checks) and
    may veto a pattern match in :meth:`accept`.
    """

    name: str
    kind: Kind
    weight: float
    description: Text2
    reason: Text2
    guidance: str
    patterns: tuple[Pattern, ...] = ()
    #: Words that, within ``window`` characters before a match, cancel it ("tanpa biaya").
    negations: tuple[str, ...] = ()
    #: Negations count only in the match's own clause: the look-back stops at the last ``, . ; : ! ?``
    #: or clause word (tapi, namun, melainkan, cukup, hanya …), so "bukan visa turis" is a denial but
    #: "tidak perlu visa kerja, cukup visa turis" still fires.
    clause_negations: bool = False
    #: When > 0, negations count only among the last ``negation_words`` words before the match:
    #: "kami tidak pakai visa turis" is a denial, "tidak usah takut pakai visa turis" is not.
    negation_words: int = 0
    #: Words that, within ``window`` characters of a match, raise its score by ``context_boost``.
    context: tuple[str, ...] = ()
    context_boost: float = 0.15
    window: int = 30
    version: int = 1

    def __post_init__(self) -> None:
        _require(bool(_NAME_RE.match(self.name)), f"indicator name {self.name!r} must be snake_case")
        _require(self.kind in ("risk", "counter"), f"{self.name}: kind must be 'risk' or 'counter'")
        _require(0.0 < self.weight <= 5.0, f"{self.name}: weight must be in (0, 5], got {self.weight}")
        _require(bool(self.guidance.strip()), f"{self.name}: guidance must say which advice it encodes")
        _require(0 <= self.context_boost <= 0.5, f"{self.name}: context_boost must be in [0, 0.5]")
        _require(0 < self.window <= 200, f"{self.name}: window must be in (0, 200]")
        _require(0 <= self.negation_words <= 10, f"{self.name}: negation_words must be in [0, 10]")
        _require(bool(self.patterns) or type(self).extra_hits is not Indicator.extra_hits,
                 f"{self.name}: an indicator needs patterns or its own extra_hits()")
        names = [p.name for p in self.patterns]
        _require(len(names) == len(set(names)), f"{self.name}: duplicate pattern names")

    # -- matching -----------------------------------------------------------------------------
    def analyze(self, ctx: AnalysisContext) -> list[Hit]:
        text = ctx.normalized.text
        hits: list[Hit] = []
        runnable, screened = ctx.runnable, ctx.screened
        for pat in self.patterns:
            key = id(pat)
            if key not in runnable and (key in screened or not pat.may_match(text)):
                continue  # the text lacks literals every match of the pattern contains
            for m in pat.run(text):
                start, end = m.span()
                if self._negated(text, start) or not self.accept(ctx, m):
                    continue
                score = pat.score + (self.context_boost if self._in_context(text, start, end) else 0.0)
                hits.append(ctx.make_hit(self, start, end, score, pat.name, dict(pat.details) or None))
        hits.extend(self.extra_hits(ctx))
        if len(hits) < 2:
            return hits
        return _merge_overlaps(hits, ctx.normalized.original)

    def accept(self, ctx: AnalysisContext, match: Any) -> bool:  # noqa: ARG002 - hook
        return True

    def literal_checks(self) -> tuple[LiteralCheck, ...]:
        """The regexes that :meth:`extra_hits` runs. The registry's one literal scan of a text decides
        whether each can match (:meth:`AnalysisContext.may_match`), so that it need not scan the text
        again. A name shared by two indicators must name the same regex."""
        return ()

    def extra_hits(self, ctx: AnalysisContext) -> list[Hit]:  # noqa: ARG002 - hook
        return []

    def _negated(self, text: str, start: int) -> bool:
        if not self.negations:
            return False
        before = text[max(0, start - self.window):start]
        if self.clause_negations:
            cuts = list(_CLAUSE_BOUNDARY.finditer(before))
            if cuts:
                before = before[cuts[-1].end():]
        if self.negation_words:
            before = " ".join(before.split()[-self.negation_words:])
        return _contains_word(before, self.negations)

    def _in_context(self, text: str, start: int, end: int) -> bool:
        if not self.context:
            return False
        around = text[max(0, start - self.window):end + self.window]
        return _contains_word(around, self.context)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "weight": self.weight,
            "description": {"id": self.description.id, "en": self.description.en},
            "reason": {"id": self.reason.id, "en": self.reason.en},
            "guidance": self.guidance,
            "version": self.version,
        }


def _contains_word(haystack: str, words: Sequence[str]) -> bool:
    for w in words:
        idx = haystack.find(w)
        while idx != -1:
            left_ok = idx == 0 or not haystack[idx - 1].isalnum()
            right = idx + len(w)
            right_ok = right >= len(haystack) or not haystack[right].isalnum()
            if left_ok and right_ok:
                return True
            idx = haystack.find(w, idx + 1)
    return False


def _merge_overlaps(hits: list[Hit], original: str) -> list[Hit]:
    """Merge overlapping hits of one indicator into one piece of evidence spanning them all.

    The merged hit keeps the score and pattern of the strongest hit it absorbed, and the details of
    all of them (the strongest's win where two name the same key).
    """
    merged: list[Hit] = []
    for h in sorted(hits, key=lambda h: (h.start, -h.end)):
        if merged and h.start < merged[-1].end:
            cur = merged[-1]
            strongest = cur if cur.score >= h.score else h
            end = max(cur.end, h.end)
            weaker = h if strongest is cur else cur
            details = {**weaker.details, **strongest.details} if weaker.details else strongest.details
            merged[-1] = replace(strongest, start=cur.start, end=end, text=original[cur.start:end], details=details)
        else:
            merged.append(h)
    return merged
