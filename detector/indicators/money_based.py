"""``high_pay``: a salary implausibly high for the role, using the money parser."""

from __future__ import annotations

import math
from dataclasses import dataclass

import regex

from detector.alternation import first_char_alternation
from detector.indicators.base import REGEX_TIMEOUT_S, AnalysisContext, Hit, Indicator
from detector.indicators.prefilter import may_match, requirement

#: Monthly pay (IDR) above which an entry-level or unnamed role's offer is implausible.
ENTRY_LEVEL_THRESHOLD_IDR = 8_000_000
#: Monthly pay (IDR) above which even a skilled/professional role's offer is implausible.
SKILLED_THRESHOLD_IDR = 60_000_000

_SKILLED_ROLES = (
    r"dokter", r"dr\.", r"spesialis", r"specialist", r"pilot", r"co-?pilot", r"engineer", r"insinyur",
    r"programmer", r"developer", r"software", r"data\s+scientist", r"data\s+engineer", r"devops", r"arsitek",
    r"architect", r"manager", r"manajer", r"direktur", r"director", r"head\s+of", r"vp", r"konsultan\s+senior",
    r"akuntan\s+senior", r"auditor", r"aktuaris", r"geolog", r"geologist", r"ahli\s+geologi", r"lawyer",
    r"advokat", r"pengacara", r"notaris", r"dosen", r"profesor", r"researcher", r"peneliti", r"nakhoda",
    r"nahkoda", r"kapten", r"mualim", r"masinis\s+kapal", r"chief\s+officer", r"offshore", r"rig",
    r"welder\s+bersertifikat", r"apoteker", r"perawat\s+(?:icu|bersertifikat|berlisensi)", r"cto", r"cfo",
    r"ceo", r"senior", r"lead",
)
# The alternatives grouped by first letter: the same matches, found faster.
_SKILLED_ROLE = regex.compile(r"\b(?:" + first_char_alternation(_SKILLED_ROLES) + r")\b")
#: Literals every match of _SKILLED_ROLE contains: without them the regex need not run.
_SKILLED_REQUIREMENT = requirement(_SKILLED_ROLE.pattern)


@dataclass(frozen=True)
class HighPayIndicator(Indicator):
    """Fires on a salary above the plausible level for the role found in the post."""

    def extra_hits(self, ctx: AnalysisContext) -> list[Hit]:
        hits: list[Hit] = []
        top_pay = max((m.idr_per_month_max or 0.0 for m in ctx.money if m.period != "once"), default=0.0)
        if top_pay < ENTRY_LEVEL_THRESHOLD_IDR:
            return hits
        text = ctx.normalized.text
        try:
            skilled = may_match(_SKILLED_REQUIREMENT, text) and bool(
                _SKILLED_ROLE.search(text, timeout=REGEX_TIMEOUT_S))
        except TimeoutError:  # hostile input: read the role as unspecified (the stricter threshold)
            skilled = False
        threshold = SKILLED_THRESHOLD_IDR if skilled else ENTRY_LEVEL_THRESHOLD_IDR
        for m in ctx.money:
            top = m.idr_per_month_max
            if m.period == "once" or top is None or top < threshold:
                continue
            ratio = math.log(top / threshold) / math.log(3.0)
            score = 0.55 + 0.4 * min(1.0, max(0.0, ratio))
            details = {
                "idr_per_month": round(top),
                "threshold_idr_per_month": threshold,
                "role": "skilled" if skilled else "entry_level_or_unspecified",
                "period": m.period,
                "currency": m.currency,
            }
            hits.append(ctx.make_hit(self, m.start, m.end, score, "salary above plausible level", details))
        return hits
