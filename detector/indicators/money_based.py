"""``high_pay``: a salary implausibly high for the role, using the money parser."""

from __future__ import annotations

import math
from dataclasses import dataclass

import regex

from detector.indicators.base import AnalysisContext, Hit, Indicator

#: Monthly pay (IDR) above which an entry-level or unnamed role's offer is implausible.
ENTRY_LEVEL_THRESHOLD_IDR = 8_000_000
#: Monthly pay (IDR) above which even a skilled/professional role's offer is implausible.
SKILLED_THRESHOLD_IDR = 60_000_000

_SKILLED_ROLE = regex.compile(
    r"\b(?:dokter|dr\.|spesialis|specialist|pilot|co-?pilot|engineer|insinyur|programmer|developer|"
    r"software|data\s+scientist|data\s+engineer|devops|arsitek|architect|manager|manajer|direktur|"
    r"director|head\s+of|vp|konsultan\s+senior|akuntan\s+senior|auditor|aktuaris|geolog|geologist|"
    r"ahli\s+geologi|lawyer|advokat|pengacara|notaris|dosen|profesor|researcher|peneliti|"
    r"nakhoda|nahkoda|kapten|mualim|masinis\s+kapal|chief\s+officer|offshore|rig|welder\s+bersertifikat|"
    r"apoteker|perawat\s+(?:icu|bersertifikat|berlisensi)|cto|cfo|ceo|senior|lead)\b"
)


@dataclass(frozen=True)
class HighPayIndicator(Indicator):
    """Fires on a salary above the plausible level for the role found in the post."""

    def extra_hits(self, ctx: AnalysisContext) -> list[Hit]:
        hits: list[Hit] = []
        top_pay = max((m.idr_per_month_max or 0.0 for m in ctx.money if m.period != "once"), default=0.0)
        if top_pay < ENTRY_LEVEL_THRESHOLD_IDR:
            return hits
        skilled = bool(_SKILLED_ROLE.search(ctx.normalized.text, timeout=0.25))
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
