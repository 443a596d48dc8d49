"""Indicators that read ages and company identity, which need a little code beyond patterns."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from detector.indicators.base import AnalysisContext, Hit, Indicator, can_explode, timeout_options

_AGE_RANGE = regex.compile(
    r"\b(?:usia|umur|age)\s*:?\s*(?:antara\s+|min(?:imal)?\.?\s*|max(?:imal)?\.?\s*|maks(?:imal)?\.?\s*)?"
    r"(?P<lo>\d{2})(?:\s*(?:-|–|s/?d|sampai|hingga|to|sd)\s*(?P<hi>\d{2}))?\s*(?:th|thn|tahun|tahunan|y\.?o)?"
    r"(?P<up>\s*(?:ke\s+atas|keatas|\+))?"
)
_MINOR_WORDS = regex.compile(
    r"\b(?:di\s*bawah\s+umur|anak\s+(?:usia\s+)?(?:sekolah|smp|remaja)|lulus(?:an)?\s+smp\s+boleh|belum\s+17|"
    r"belum\s+punya\s+ktp|tidak\s+perlu\s+ktp)\b"
)
_MAX_WORDS = ("max", "maks", "maksimal", "maximal")

_FREE_MAIL = frozenset({
    "gmail.com", "yahoo.com", "yahoo.co.id", "hotmail.com", "outlook.com", "ymail.com", "icloud.com",
    "live.com", "aol.com", "mail.com", "proton.me", "protonmail.com", "gmx.com", "rocketmail.com",
})
_EMAIL = regex.compile(r"\b[a-z0-9._%+-]{1,64}@(?P<domain>[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,4})\b")
#: Whether each of these regexes is searched with the time-out on every text (see ``timeout_options``).
_AGE_GUARDED, _MINOR_GUARDED, _EMAIL_GUARDED = (can_explode(rx.pattern) for rx in (_AGE_RANGE, _MINOR_WORDS, _EMAIL))


@dataclass(frozen=True)
class DemographicIndicator(Indicator):
    """Adds age-range reading to the pattern hits: young ranges, and above all minors."""

    def extra_hits(self, ctx: AnalysisContext) -> list[Hit]:
        text = ctx.normalized.text
        hits: list[Hit] = []
        has_age = "usia" in text or "umur" in text or "age" in text
        try:
            for m in (_AGE_RANGE.finditer(text, **timeout_options(text, _AGE_GUARDED)) if has_age else ()):
                lo, hi = int(m.group("lo")), m.group("hi")
                prefix = m.group(0)[: m.start("lo") - m.start()].lower()
                if any(w in prefix for w in _MAX_WORDS):
                    lo_age: int | None = None
                    hi_age: int | None = lo
                else:
                    lo_age, hi_age = lo, (int(hi) if hi else None)
                if lo_age is not None and not 10 <= lo_age <= 70:
                    continue
                minor = lo_age is not None and lo_age < 18
                young = hi_age is not None and hi_age <= 30
                if not (minor or young):
                    continue  # a broad adult range ("usia 20-45") is an ordinary requirement
                score = 0.95 if minor else 0.6
                details = {"min_age": lo_age, "max_age": hi_age, "minor": minor}
                hits.append(ctx.make_hit(self, m.start(), m.end(), score, "age range", details))
            minor_words = ("umur", "anak", "smp", "belum", "ktp")
            has_minor_word = any(w in text for w in minor_words)
            minors = _MINOR_WORDS.finditer(text, **timeout_options(text, _MINOR_GUARDED)) if has_minor_word else ()
            for m in minors:
                hits.append(ctx.make_hit(self, m.start(), m.end(), 0.9, "minors", {"minor": True}))
        except TimeoutError:
            pass
        return hits


@dataclass(frozen=True)
class CompanyIdentityIndicator(Indicator):
    """Adds company-domain e-mail addresses (not free webmail) to the address patterns."""

    def extra_hits(self, ctx: AnalysisContext) -> list[Hit]:
        hits: list[Hit] = []
        if "@" not in ctx.normalized.text:
            return hits
        try:
            text = ctx.normalized.text
            matches = list(_EMAIL.finditer(text, **timeout_options(text, _EMAIL_GUARDED)))
        except TimeoutError:
            return hits
        for m in matches:
            domain = m.group("domain").lower()
            if domain in _FREE_MAIL:
                continue
            hits.append(ctx.make_hit(self, m.start(), m.end(), 0.6, "company e-mail domain", {"domain": domain}))
        return hits
