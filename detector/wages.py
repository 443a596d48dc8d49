"""Legal minimum wages of destinations, from the dated table ``resources/min_wages.toml``.

Used by ``high_pay`` and ``wage_anomaly`` (:mod:`detector.indicators.money_based`) to judge a salary
against what work legally pays where the post sends people. Each row is a published figure with its
sector, date and source; a destination without a row is judged by the domestic rules only.

Conversion to IDR per month (:meth:`MinimumWage.idr_per_month`) uses the exchange rates of
``resources/rates.toml`` (:func:`detector.money.idr_rate`) and, for a minimum published per hour, day or
week, a full-time month of a 40-hour, 5-day week (:data:`HOURS_PER_MONTH` = 173.3 hours,
:data:`DAYS_PER_MONTH` = 21.7 days, :data:`WEEKS_PER_MONTH` = 4.33 weeks): the shortest full-time
schedule, so the monthly floor is never overstated (real schedules abroad are longer). A minimum
published per month (Taiwan, Korea's 209-hour month, Malaysia …) is used as published.

Destinations are found with :func:`find_destinations` (country aliases of the table, in the
normalised text); :func:`nearest_destination` picks the one named closest to an amount.
"""

from __future__ import annotations

import bisect
import functools
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from detector.alternation import first_char_alternation
from detector.money import idr_rate

#: A full-time month of a 40-hour, 5-day week: hours, days and weeks (52 weeks / 12 months).
HOURS_PER_MONTH = 40 * 52 / 12
DAYS_PER_MONTH = 5 * 52 / 12
WEEKS_PER_MONTH = 52 / 12
_PER_MONTH = {"month": 1.0, "week": WEEKS_PER_MONTH, "day": DAYS_PER_MONTH, "hour": HOURS_PER_MONTH}
SECTORS = ("all", "general", "domestic", "garment", "fishing")


@dataclass(frozen=True, slots=True)
class MinimumWage:
    """One row of the table: a legal minimum (or official reference) of one destination and sector."""

    country: str
    sector: str
    amount: float
    currency: str
    period: str
    effective: str
    #: True for the destination's own law; False for an official reference that is not (embassy rule).
    binding: bool
    source: str
    note: str = ""

    @property
    def idr_per_month(self) -> float | None:
        """The minimum in IDR for a full-time month (see the module docstring); None without a rate."""
        rate = idr_rate(self.currency)
        return None if rate is None else self.amount * rate * _PER_MONTH[self.period]

    def describe(self) -> dict[str, object]:
        """What a hit's ``details`` say about the row that decided it."""
        return {"destination": self.country, "sector": self.sector, "minimum": self.amount,
                "minimum_currency": self.currency, "minimum_period": self.period,
                "minimum_effective": self.effective, "minimum_binding": self.binding,
                "min_wage_table_date": TABLE_DATE}


@dataclass(frozen=True, slots=True)
class WageTable:
    date: str
    rows: tuple[MinimumWage, ...]
    aliases: dict[str, str]  # alias -> country
    #: Indonesia's lowest and highest provincial minimum (UMP), IDR per month.
    ump_lowest: float
    ump_highest: float

    def rows_for(self, country: str) -> list[MinimumWage]:
        return [r for r in self.rows if r.country == country]


@functools.cache
def wage_table() -> WageTable:
    """The table in ``resources/min_wages.toml``, validated, read once."""
    ref = resources.files("detector") / "resources" / "min_wages.toml"
    doc = tomllib.loads(ref.read_text(encoding="utf-8"))
    rows = tuple(MinimumWage(**row) for row in doc["wage"])
    aliases = {alias: country for country, names in doc["aliases"].items() for alias in names}
    for r in rows:
        if r.sector not in SECTORS or r.period not in _PER_MONTH or r.amount <= 0:
            raise ValueError(f"min_wages.toml: bad row {r}")
        if r.country not in doc["aliases"]:
            raise ValueError(f"min_wages.toml: {r.country!r} has no aliases")
        if idr_rate(r.currency) is None:
            raise ValueError(f"min_wages.toml: no exchange rate for {r.currency}")
    ind = doc["indonesia"]
    return WageTable(date=str(doc["date"]), rows=rows, aliases=aliases,
                     ump_lowest=float(ind["ump_lowest"]), ump_highest=float(ind["ump_highest"]))


#: Date of the minimum-wage table.
TABLE_DATE: str = wage_table().date


@functools.cache
def destination_regex() -> re.Pattern[str]:
    """The regex of every country alias of the table (what :func:`find_destinations` searches for)."""
    aliases = sorted(wage_table().aliases, key=len, reverse=True)
    return re.compile(r"\b(?:" + first_char_alternation([re.escape(a).replace(r"\ ", r"\s+") for a in aliases])
                      + r")\b")


@functools.lru_cache(maxsize=8)  # high_pay and wage_anomaly both ask, for the same post
def find_destinations(text: str) -> tuple[tuple[int, int, str], ...]:
    """``(start, end, country)`` of every destination of the table named in (normalised) ``text``."""
    lookup = wage_table().aliases
    return tuple((m.start(), m.end(), lookup[" ".join(m.group(0).split())]) for m in destination_regex().finditer(text))


def nearest_destination(destinations: Sequence[tuple[int, int, str]], start: int, end: int) -> str | None:
    """The country named closest (in characters) to the span ``[start, end)``; ties go to the earlier one.

    ``destinations`` are in text order and do not overlap (as :func:`find_destinations` gives them), so
    only the last one starting before ``start`` and the first one starting at or after it can be
    nearest: a binary search, not a scan (a hostile post can name a place a thousand times).
    """
    i = bisect.bisect_left(destinations, start, key=lambda d: d[0])
    best: tuple[int, str] | None = None
    for d_start, d_end, country in destinations[max(0, i - 1):i + 1]:
        gap = d_start - end if d_start >= end else start - d_end if d_end <= start else 0
        if best is None or gap < best[0]:
            best = (gap, country)
    return None if best is None else best[1]
