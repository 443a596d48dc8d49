"""``overseas``: placement abroad, with the destination and its risk tier."""

from __future__ import annotations

import re
from dataclasses import dataclass

from detector.alternation import first_char_alternation
from detector.indicators.base import AnalysisContext, Hit, Indicator, LiteralCheck

# Tier 3: main destinations of online-scam compounds (BP2MI/Kemenlu repatriation cases).
# Tier 2: frequent destinations of non-procedural placement. Tier 1: other destinations.
DESTINATIONS: dict[str, tuple[int, tuple[str, ...]]] = {
    "kamboja": (3, ("kamboja", "cambodia", "phnom penh", "sihanoukville", "sihanouk", "bavet", "poipet", "siem reap",
                    "negara k", "negeri k", "negara kh")),
    "myanmar": (3, ("myanmar", "burma", "myawaddy", "shwe kokko", "kk park", "mae sot", "tachileik", "wa state",
                    "negara m")),
    "laos": (3, ("laos", "golden triangle", "segitiga emas", "bokeo", "zona ekonomi khusus")),
    "filipina": (2, ("filipina", "philippines", "manila", "pampanga", "pogo")),
    "thailand": (2, ("thailand", "bangkok", "pattaya")),
    "vietnam": (2, ("vietnam", "ho chi minh", "hanoi")),
    "malaysia": (2, ("malaysia", "kuala lumpur", "johor", "sabah", "sarawak", "kota kinabalu", "penang", "selangor",
                     "tawau", "negeri jiran")),
    "brunei": (2, ("brunei",)),
    "timur tengah": (2, ("timur tengah", "arab saudi", "saudi", "riyadh", "jeddah", "dubai", "uea", "uni emirat arab",
                         "abu dhabi", "qatar", "doha", "kuwait", "oman", "bahrain", "yordania", "irak", "suriah",
                         "arab", "middle east", "negeri kurma", "negara kurma", "negeri onta", "negara onta",
                         "negara yang banyak onta", "negeri padang pasir", "negeri petro dolar")),
    "turki": (2, ("turki", "turkey", "istanbul")),
    "china": (2, ("china", "tiongkok", "cina", "makau", "macau", "macao", "shenzhen", "guangzhou", "negeri tirai bambu",
                  "negeri panda")),
    "asia tenggara": (2, ("negara asean", "negeri asean", "asia tenggara", "southeast asia", "negeri gajah putih",
                          "negara gajah putih")),
    "afrika": (2, ("afrika", "nigeria", "ghana", "zambia", "somalia", "mauritius")),
    "rusia": (2, ("rusia", "russia", "georgia")),
    "kapal asing": (2, ("kapal asing", "kapal ikan asing", "kapal berbendera asing", "kapal taiwan", "kapal china",
                        "perairan pasifik", "samudra pasifik", "laut lepas", "perairan internasional")),
    "singapura": (1, ("singapura", "singapore")),
    "hong kong": (1, ("hong kong", "hongkong")),
    "taiwan": (1, ("taiwan", "taipei", "kaohsiung", "taichung", "formosa", "negeri formosa")),
    "korea": (1, ("korea selatan", "korsel", "korea", "seoul", "busan", "negeri ginseng", "negara ginseng")),
    # not "nagoya": Nagoya is also Batam's nightlife district, where KTV adverts place their jobs
    "jepang": (1, ("jepang", "japan", "tokyo", "osaka", "negeri sakura", "negara sakura")),
    "eropa": (1, ("jerman", "germany", "polandia", "poland", "belanda", "inggris", "prancis", "perancis", "italia",
                  "spanyol", "portugal", "ceko", "rumania", "hungaria", "eropa", "europe", "kroasia", "slowakia",
                  "lithuania", "malta", "yunani", "swiss", "austria")),
    "amerika/oseania": (1, ("australia", "selandia baru", "new zealand", "amerika", "usa", "kanada", "canada")),
}
TIER_SCORE = {1: 0.6, 2: 0.8, 3: 0.95}

_ALIASES = sorted(
    ((alias, dest, tier) for dest, (tier, aliases) in DESTINATIONS.items() for alias in aliases),
    key=lambda t: -len(t[0]),
)
_LOOKUP = {alias: (dest, tier) for alias, dest, tier in _ALIASES}
# stdlib `re`: a plain alternation of literals (longest first), scanned several times faster than with
# `regex`, and faster still with the alternatives grouped by first letter (same matches, same order).
_DEST_RE = re.compile(
    r"\b(?:" + first_char_alternation([re.escape(a).replace(r"\ ", r"\s+") for a, _, _ in _ALIASES]) + r")\b"
)
#: A post without any literal of _DEST_RE names no place and is not searched.
_DEST_CHECK = LiteralCheck("overseas:destination", _DEST_RE.pattern)


@dataclass(frozen=True)
class OverseasIndicator(Indicator):
    """Fires on each named foreign destination (and on generic "luar negeri" patterns)."""

    def literal_checks(self) -> tuple[LiteralCheck, ...]:
        return (_DEST_CHECK,)

    def extra_hits(self, ctx: AnalysisContext) -> list[Hit]:
        hits: list[Hit] = []
        if not ctx.may_match(_DEST_CHECK):
            return hits
        for m in _DEST_RE.finditer(ctx.normalized.text):
            key = " ".join(m.group(0).lower().split())
            dest, tier = _LOOKUP.get(key, (key, 1))
            details = {"destination": dest, "tier": tier, "high_risk_destination": tier == 3}
            hits.append(ctx.make_hit(self, m.start(), m.end(), TIER_SCORE[tier], f"destination: {dest}", details))
        return hits


def destinations(hits: list[Hit]) -> list[str]:
    """Distinct destinations named by ``overseas`` hits, in order of appearance."""
    seen: dict[str, None] = {}
    for h in hits:
        d = h.details.get("destination") if h.indicator == "overseas" else None
        if isinstance(d, str):
            seen.setdefault(d, None)
    return list(seen)
