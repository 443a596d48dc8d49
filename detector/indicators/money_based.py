"""``high_pay`` and ``wage_anomaly``: a salary judged against the role and the destination's legal minimum.

The destination of an amount is the country of the minimum-wage table (:mod:`detector.wages`) named
closest to it in the post; the role is read from the whole post (:func:`read_role`).

``high_pay`` (bait): monthly pay at or above a threshold fires.

* skilled or professional roles (doctor, engineer, certified welder, ICU nurse …):
  :data:`SKILLED_THRESHOLD_IDR` (60 juta), wherever the job is;
* no destination in the table (a job in Indonesia, or a country without a row):
  :data:`ENTRY_LEVEL_THRESHOLD_IDR` (8 juta, about 1.4 times the highest provincial minimum, UMP DKI
  Jakarta 2026 Rp 5,729,876);
* a destination in the table: :data:`BAIT_MULTIPLE` (2) times the minimum that applies to the role
  there, and never below 8 juta. Twice the legal minimum is more than unskilled migrant work pays
  with overtime (Taiwan factories, Korea EPS, Malaysian plantations), so an offer above it for a job
  that asks nothing is the lure; a legal minimum itself (NT$ 29,500 ≈ 14.8 juta) no longer fires.
  Thresholds (IDR/month, rates.toml): Taiwan 20 juta (caregiver minimum; 29.5 juta for a factory
  job), Hong Kong 20.9 juta (helper), Japan 37 juta, Korea 49.6 juta, Australia 86 juta; Malaysia
  12.2, Singapore 13.2, Saudi Arabia 12.9, Qatar 8.8 juta; Thailand and Cambodia the 8 juta floor.

``wage_anomaly`` (exploitation): base pay below :data:`ANOMALY_RATIO` (0.85) of the minimum that
legally applies to the role at the destination fires (a margin for approximate exchange rates and
for posts quoting last year's minimum); below :data:`CONVERTED_ANOMALY_RATIO` (0.8) when a minimum
set per hour, day or week is compared with monthly pay (working hours vary).
Only base pay counts (gaji, upah, salary … before the amount; not bonus, komisi, lembur, uang saku),
and an hourly or daily offer is compared per hour or per day with an hourly or daily minimum. A
dancer in Japan at Rp 2 juta a month (minimum ¥1,023 an hour ≈ 18.6 juta a month) fires; Indonesian
posts are not tested (micro and small businesses are exempt from the UMP).

Fishing crews on foreign vessels (ABK, kapal ikan, longline …) are outside the land minimums: only a
fishing row binds them (Taiwan's distant-water crew minimum, US$550); elsewhere they are judged by
the 8 juta threshold and never by ``wage_anomaly``.

Which row applies: a domestic role (PRT, caregiver, babysitter …) the domestic or all-sector row; a
garment role (garmen, konveksi, jahit …) the garment row, else the general one; any other named role
the general or all-sector row; an unnamed role the lowest row of the destination (for
``wage_anomaly`` not the garment row, which binds garment factories only; never the fishing row, which
binds crews only). Every hit's ``details`` name the row (destination, sector, minimum, its currency,
period, effective date, whether it binds, the table date) and the ratio.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import regex

from detector.alternation import first_char_alternation
from detector.indicators.base import AnalysisContext, Hit, Indicator, LiteralCheck, can_explode, timeout_options
from detector.money import Money, idr_rate
from detector.wages import MinimumWage, destination_regex, find_destinations, nearest_destination, wage_table

#: Monthly pay (IDR) above which an entry-level or unnamed role's offer in Indonesia (or in a country
#: without a minimum-wage row) is implausible; also the floor of every destination's threshold.
ENTRY_LEVEL_THRESHOLD_IDR = 8_000_000
#: Monthly pay (IDR) above which even a skilled/professional role's offer is implausible.
SKILLED_THRESHOLD_IDR = 60_000_000
#: An offer this many times the destination's applicable minimum, or more, is bait for unskilled work.
BAIT_MULTIPLE = 2.0
#: Base pay below this share of the destination's legal minimum is a wage anomaly: a 15 % margin for
#: the approximate exchange rates of rates.toml and for posts still quoting last year's minimum
#: (Malaysia's RM 1,500 before 2025 is 0.88 of RM 1,700).
ANOMALY_RATIO = 0.85
#: The same when a minimum set per hour, day or week is compared with monthly pay: hours vary (a
#: 160-hour month is 0.92 of the 173-hour month used), so the margin is wider.
CONVERTED_ANOMALY_RATIO = 0.8

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
_SKILLED_GUARDED = can_explode(_SKILLED_ROLE.pattern)  # searched with the time-out on every text
_DOMESTIC_ROLE = re.compile(
    r"\b(?:prt|art|pembantu|asisten\s+rumah\s+tangga|pekerja\s+rumah\s+tangga|penata\s+laksana\s+rumah\s+tangga|"
    r"plrt|domestic\s+(?:helper|worker)|housemaid|maid|babysitter|baby\s+sitter|nanny|pengasuh|"
    r"(?:perawat|jaga|penjaga|rawat)\s+(?:lansia|jompo|orang\s+tua|nenek|kakek|manula)|caregiver|care\s+giver|"
    r"sektor\s+informal)\b")
_FISHING_ROLE = re.compile(
    r"\b(?:abk|anak\s+buah\s+kapal|kapal\s+(?:ikan|penangkap\s+ikan|tuna|cumi|longline|long\s+line|"
    r"purse\s+seine|asing)|nelayan|deck\s*hand|fishing\s+vessel|longline|long\s+line|purse\s+seine)\b")
_GARMENT_ROLE = re.compile(r"\b(?:garmen|garment|konveksi|penjahit|jahit|tekstil|textile|pabrik\s+sepatu|footwear)\b")
_FORMAL_ROLE = re.compile(
    r"\b(?:pabrik|kilang|factory|operator|produksi|manufaktur|konstruksi|bangunan|perkebunan|ladang|sawit|"
    r"restoran|restaurant|hotel|kapal|nelayan|abk|gudang|warehouse|admin|customer\s+service|cs|marketing|"
    r"sales|telemarketing|dancer|penari|pelayan|waitress|waiter|terapis|spa|karaoke|kasir|koki|cook|chef|"
    r"sopir|driver|supir|teknisi|mekanik|las|welder|tukang)\b")
#: The unskilled roles in the order :func:`read_role` tries them.
_ROLES_IN_ORDER = (("fishing", _FISHING_ROLE), ("domestic", _DOMESTIC_ROLE), ("garment", _GARMENT_ROLE),
                   ("formal", _FORMAL_ROLE))
#: Every role regex (skilled first) as a literal check: the registry's one scan of a post tells which of
#: them can match, and only those are searched for.
_ROLE_CHECKS = {role: LiteralCheck(f"role:{role}", rx.pattern)
                for role, rx in (("skilled", _SKILLED_ROLE), *_ROLES_IN_ORDER)}
_DESTINATION_CHECK = LiteralCheck("wages:destination", destination_regex().pattern)
_BASE_PAY_BEFORE = re.compile(
    r"(?<!\w)(?:gaji|upah|salary|penghasilan|pendapatan|income|bayaran|honor|dibayar|digaji|take\s?home\s?pay|thp)"
    r"(?!\w)(?P<rest>[^.\n]{0,30})$")
_NOT_BASE_PAY = re.compile(
    r"(?<!\w)(?:bonus|komisi|insentif|tunjangan|lembur|overtime|uang\s+saku|uang\s+makan|makan|transport|tip|"
    r"tips|potongan|dipotong|biaya|bayar|cicilan|talangan)(?!\w)")

ROLES = ("skilled", "fishing", "domestic", "garment", "formal", "unspecified")
#: Sectors whose rows bind each role (wage_anomaly) and the order of preference for the bait reference.
_BINDING_SECTORS = {"skilled": ("general", "all"), "fishing": ("fishing",), "domestic": ("domestic", "all"),
                    "garment": ("garment", "general", "all"), "formal": ("general", "all"),
                    "unspecified": ("general", "domestic", "all")}


def roles_with_literals(ctx: AnalysisContext) -> frozenset[str]:
    """The roles (of :data:`ROLES`) whose regex can match the post: the literals its matches need occur."""
    return frozenset(role for role, check in _ROLE_CHECKS.items() if ctx.may_match(check))


@functools.lru_cache(maxsize=8)  # high_pay asks, then read_role, for the same post
def is_skilled(text: str, candidates: frozenset[str]) -> bool:
    """A skilled or professional role is named in the (normalised) post; ``candidates``: the roles that
    can be (:func:`roles_with_literals`)."""
    try:
        return "skilled" in candidates and bool(_SKILLED_ROLE.search(text, **timeout_options(text, _SKILLED_GUARDED)))
    except TimeoutError:  # hostile input: read the role as unspecified (the stricter threshold)
        return False


@functools.lru_cache(maxsize=8)  # high_pay and wage_anomaly both ask, for the same post
def read_role(text: str, candidates: frozenset[str]) -> str:
    """The kind of work the (normalised) post offers: one of :data:`ROLES`; ``candidates`` as for
    :func:`is_skilled`."""
    if is_skilled(text, candidates):
        return "skilled"
    for role, rx in _ROLES_IN_ORDER:
        if role in candidates and rx.search(text):
            return role
    return "unspecified"


def _destinations(ctx: AnalysisContext) -> tuple[tuple[int, int, str], ...]:
    """The table's destinations named in the post (none without the literals of any)."""
    if not ctx.may_match(_DESTINATION_CHECK):
        return ()
    return find_destinations(ctx.normalized.text)


def bait_reference(country: str, role: str) -> MinimumWage | None:
    """The row a bait threshold is built on: the role's own sector first; an unnamed role (or one whose
    sector has no row) the lowest row of the destination, the most sensitive reading. Fishing crews
    only the fishing row: the other minimums do not cover crews at sea."""
    rows = wage_table().rows_for(country)
    if role == "fishing":
        return min((r for r in rows if r.sector == "fishing"), key=_monthly, default=None)
    rows = [r for r in rows if r.sector != "fishing"]  # a crew minimum says nothing about work ashore
    for sector in _BINDING_SECTORS.get(role, ()) if role != "unspecified" else ():
        own = [r for r in rows if r.sector == sector]
        if own:
            return min(own, key=_monthly)
    return min(rows, key=_monthly, default=None)


def binding_minimum(country: str, role: str) -> MinimumWage | None:
    """The lowest row that applies to ``role`` at ``country`` (None: no minimum covers it)."""
    sectors = _BINDING_SECTORS.get(role, ())
    return min((r for r in wage_table().rows_for(country) if r.sector in sectors), key=_monthly, default=None)


def _monthly(row: MinimumWage) -> float:
    return row.idr_per_month or math.inf


def _salaries(ctx: AnalysisContext) -> list[Money]:
    """Amounts with a monthly value (not fees, not per-task amounts)."""
    return [m for m in ctx.money if m.idr_per_month_max is not None and m.period not in ("once", "task")]


@dataclass(frozen=True)
class _PayIndicator(Indicator):
    """An indicator that reads the role and the destinations of the post."""

    def literal_checks(self) -> tuple[LiteralCheck, ...]:
        return (*_ROLE_CHECKS.values(), _DESTINATION_CHECK)


@dataclass(frozen=True)
class HighPayIndicator(_PayIndicator):
    """Fires on a salary at or above the bait threshold for the role and destination (module docstring)."""

    def extra_hits(self, ctx: AnalysisContext) -> list[Hit]:
        salaries = _salaries(ctx)
        if max((m.idr_per_month_max or 0.0 for m in salaries), default=0.0) < ENTRY_LEVEL_THRESHOLD_IDR:
            return []  # below the lowest threshold there is: nothing can fire
        text = ctx.normalized.text
        candidates = roles_with_literals(ctx)
        skilled = is_skilled(text, candidates)
        destinations = () if skilled else _destinations(ctx)
        # the kind of unskilled work matters only where a destination's minimum is looked up
        role = "skilled" if skilled else read_role(text, candidates) if destinations else None
        hits: list[Hit] = []
        for m in salaries:
            top = m.idr_per_month_max or 0.0
            country = nearest_destination(destinations, m.start, m.end)
            row = None if role is None or role == "skilled" or country is None else bait_reference(country, role)
            if skilled:
                threshold = float(SKILLED_THRESHOLD_IDR)
            elif row is not None and row.idr_per_month is not None:
                threshold = max(float(ENTRY_LEVEL_THRESHOLD_IDR), BAIT_MULTIPLE * row.idr_per_month)
            else:
                threshold = float(ENTRY_LEVEL_THRESHOLD_IDR)
            if top < threshold:
                continue
            ratio = math.log(top / threshold) / math.log(3.0)
            score = 0.55 + 0.4 * min(1.0, max(0.0, ratio))
            details: dict[str, object] = {
                "idr_per_month": round(top),
                "threshold_idr_per_month": round(threshold),
                "role": "skilled" if skilled else "entry_level_or_unspecified",
                "period": m.period,
                "currency": m.currency,
            }
            if role is not None:
                details["role_kind"] = role
            if row is not None and row.idr_per_month is not None:
                details |= row.describe() | {"minimum_idr_per_month": round(row.idr_per_month),
                                             "ratio_to_minimum": round(top / row.idr_per_month, 2)}
            hits.append(ctx.make_hit(self, m.start, m.end, score, "salary above plausible level", details))
        return hits


@dataclass(frozen=True)
class WageAnomalyIndicator(_PayIndicator):
    """Fires on base pay below the legal minimum of the destination for the role (module docstring)."""

    def extra_hits(self, ctx: AnalysisContext) -> list[Hit]:
        salaries = _salaries(ctx)
        if not salaries:
            return []
        text = ctx.normalized.text
        destinations = _destinations(ctx)
        if not destinations:
            return []
        role = read_role(text, roles_with_literals(ctx))
        hits: list[Hit] = []
        for m in salaries:
            country = nearest_destination(destinations, m.start, m.end)
            row = None if country is None else binding_minimum(country, role)
            if row is None or not _is_base_pay(text, m.start):
                continue
            ratio = _ratio_to_minimum(m, row)
            converted = row.period != "month" and not (m.period == row.period and m.period in ("hour", "day"))
            if ratio is None or ratio >= (CONVERTED_ANOMALY_RATIO if converted else ANOMALY_RATIO):
                continue
            score = 0.6 + 0.35 * min(1.0, (1.0 - ratio) / 0.5)
            details = row.describe() | {"idr_per_month": round(m.idr_per_month_max or 0.0), "role_kind": role,
                                        "minimum_idr_per_month": round(row.idr_per_month or 0.0),
                                        "ratio_to_minimum": round(ratio, 2), "period": m.period,
                                        "currency": m.currency}
            hits.append(ctx.make_hit(self, m.start, m.end, score, "pay below the destination's minimum", details))
        return hits


def _is_base_pay(text: str, start: int) -> bool:
    """A base-pay word (gaji, upah …) within 30 characters before the amount, and no bonus/fee word after it."""
    m = _BASE_PAY_BEFORE.search(text[max(0, start - 60):start])
    return m is not None and _NOT_BASE_PAY.search(m.group("rest")) is None


def _ratio_to_minimum(m: Money, row: MinimumWage) -> float | None:
    """Offer / minimum: per hour or per day when both are, else per full-time month."""
    if m.period == row.period and m.period in ("hour", "day"):
        offer_rate, row_rate = idr_rate(m.currency), idr_rate(row.currency)
        if offer_rate is None or row_rate is None:
            return None
        return (m.amount_max * offer_rate) / (row.amount * row_rate)
    if m.idr_per_month_max is None or not row.idr_per_month:
        return None
    return m.idr_per_month_max / row.idr_per_month
