"""The dated minimum-wage table: every row sourced, dated, convertible; the thresholds built on it."""

from __future__ import annotations

import re

import pytest

from detector.indicators.money_based import BAIT_MULTIPLE, ENTRY_LEVEL_THRESHOLD_IDR, bait_reference, binding_minimum
from detector.wages import SECTORS, find_destinations, nearest_destination, wage_table

TABLE = wage_table()


@pytest.mark.parametrize("row", TABLE.rows, ids=[f"{r.country}:{r.sector}" for r in TABLE.rows])
def test_every_minimum_wage_row_is_sourced_dated_and_convertible(row) -> None:  # type: ignore[no-untyped-def]
    assert row.source.strip() and row.sector in SECTORS
    assert re.fullmatch(r"\d{4}-\d{2}(?:-\d{2})?", row.effective)
    assert row.idr_per_month is not None and row.idr_per_month > 1_000_000


def test_brief_countries_are_in_the_table_or_documented_as_left_out() -> None:
    countries = {r.country for r in TABLE.rows}
    assert countries >= {"taiwan", "hong_kong", "malaysia", "singapura", "arab_saudi", "qatar", "jepang", "korea",
                         "kamboja", "thailand", "australia"}
    assert TABLE.ump_lowest < TABLE.ump_highest < ENTRY_LEVEL_THRESHOLD_IDR  # the domestic floor is above every UMP


@pytest.mark.parametrize(("country", "role", "sector"), [
    ("taiwan", "domestic", "domestic"), ("taiwan", "formal", "general"), ("taiwan", "unspecified", "domestic"),
    ("hong_kong", "domestic", "domestic"), ("qatar", "domestic", "all"), ("kamboja", "formal", "garment"),
    ("taiwan", "fishing", "fishing"),
])
def test_bait_reference_prefers_the_roles_own_sector_else_the_lowest_row(country: str, role: str,
                                                                          sector: str) -> None:
    row = bait_reference(country, role)
    assert row is not None and row.sector == sector


@pytest.mark.parametrize(("country", "role"), [("kamboja", "formal"), ("kamboja", "unspecified"),
                                                ("malaysia", "domestic"), ("korea", "domestic"),
                                                ("korea", "fishing")])
def test_no_binding_minimum_where_the_law_does_not_cover_the_role(country: str, role: str) -> None:
    assert binding_minimum(country, role) is None


def test_taiwan_factory_bait_threshold_is_twice_its_legal_minimum() -> None:
    row = bait_reference("taiwan", "formal")
    assert row is not None and row.idr_per_month is not None
    assert BAIT_MULTIPLE * row.idr_per_month > 2 * ENTRY_LEVEL_THRESHOLD_IDR  # NT$29,500 no longer reads as bait


def test_nearest_destination_is_measured_in_characters() -> None:
    text = "kerja di kamboja gaji 15 juta atau ke taiwan"
    dests = find_destinations(text)
    assert [c for _, _, c in dests] == ["kamboja", "taiwan"]
    start = text.index("15 juta")
    assert nearest_destination(dests, start, start + 7) == "kamboja"
    assert nearest_destination([], 0, 1) is None
