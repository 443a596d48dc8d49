"""Money parsing: every format in the adverts, normalised to IDR per month."""

from __future__ import annotations

import pytest

from detector.money import RATES_DATE, find_money
from detector.normalize import normalize

M = 1e6
TABLE = [
    # text, currency, amount_min, amount_max, period, idr_per_month_max (approx.)
    ("gaji Rp 15.000.000", "IDR", 15 * M, 15 * M, "month", 15 * M),
    ("gaji 15jt", "IDR", 15 * M, 15 * M, "month", 15 * M),
    ("15 juta", "IDR", 15 * M, 15 * M, "unknown", 15 * M),
    ("gaji 8-12jt", "IDR", 8 * M, 12 * M, "month", 12 * M),
    ("8 - 12 juta", "IDR", 8 * M, 12 * M, "unknown", 12 * M),
    ("gaji 2 digit", "IDR", 10 * M, 99 * M, "month", 99 * M),
    ("35rb/hari", "IDR", 35e3, 35e3, "day", 35e3 * 26),
    ("35 ribu per hari", "IDR", 35e3, 35e3, "day", 35e3 * 26),
    ("1.200 USD", "USD", 1200, 1200, "unknown", 1200 * 16000),
    ("USD 1,200", "USD", 1200, 1200, "unknown", 1200 * 16000),
    ("$800", "USD", 800, 800, "unknown", 800 * 16000),
    ("RM 3.500", "MYR", 3500, 3500, "unknown", 3500 * 3600),
    ("RM3500", "MYR", 3500, 3500, "unknown", 3500 * 3600),
    ("2.000 SR", "SAR", 2000, 2000, "unknown", 2000 * 4300),
    ("2000 riyal", "SAR", 2000, 2000, "unknown", 2000 * 4300),
    ("NT$ 27.470", "TWD", 27470, 27470, "unknown", 27470 * 500),
    ("¥200.000", "JPY", 200_000, 200_000, "unknown", 200_000 * 105),
    ("200.000 yen", "JPY", 200_000, 200_000, "unknown", 200_000 * 105),
    ("gaji 100k/hari", "IDR", 100e3, 100e3, "day", 100e3 * 26),
    ("1000 dolar", "USD", 1000, 1000, "unknown", 16 * M),
    ("600 euro", "EUR", 600, 600, "unknown", 600 * 17500),
    ("€600", "EUR", 600, 600, "unknown", 600 * 17500),
    ("₩2.000.000", "KRW", 2 * M, 2 * M, "unknown", 2 * M * 11.5),
    ("HKD 4,990", "HKD", 4990, 4990, "unknown", 4990 * 2050),
    ("S$ 1.500", "SGD", 1500, 1500, "unknown", 1500 * 12000),
    ("AED 3000", "AED", 3000, 3000, "unknown", 3000 * 4350),
    ("1,5 juta", "IDR", 1.5 * M, 1.5 * M, "unknown", 1.5 * M),
    ("1.5jt", "IDR", 1.5 * M, 1.5 * M, "unknown", 1.5 * M),
    ("Rp. 4.500.000,-", "IDR", 4.5 * M, 4.5 * M, "unknown", 4.5 * M),
    ("IDR 5,000,000", "IDR", 5 * M, 5 * M, "unknown", 5 * M),
    ("gaji 5-7 jt/bulan", "IDR", 5 * M, 7 * M, "month", 7 * M),
    ("gaji 1.500 USD per bulan", "USD", 1500, 1500, "month", 24 * M),
    ("gaji 120 juta setahun", "IDR", 120 * M, 120 * M, "year", 10 * M),
    ("gaji 4.800.000", "IDR", 4.8 * M, 4.8 * M, "month", 4.8 * M),
]


@pytest.mark.parametrize(("text", "cur", "lo", "hi", "period", "per_month"), TABLE, ids=[t[0] for t in TABLE])
def test_amount_is_parsed_and_normalised(text: str, cur: str, lo: float, hi: float, period: str,
                                         per_month: float) -> None:
    for variant in (text, normalize(text).text):
        found = find_money(variant)
        assert len(found) == 1, (variant, found)
        m = found[0]
        assert (m.currency, m.period) == (cur, period)
        assert (m.amount_min, m.amount_max) == (pytest.approx(lo), pytest.approx(hi))
        assert m.idr_per_month_max == pytest.approx(per_month)
        assert variant[m.start:m.end] == m.text


@pytest.mark.parametrize("text", ["biaya pendaftaran 15 juta", "mahar 30jt", "DP 2 juta dulu", "deposit Rp 500.000"])
def test_fees_are_one_off_not_pay(text: str) -> None:
    (m,) = find_money(text)
    assert m.period == "once" and m.idr_per_month_max is None


@pytest.mark.parametrize("text", [
    "usia 18-35 tahun", "pengalaman 2 tahun", "WA 0812-3456-7890", "tahun 2025", "kuota 2GB",
    "100k followers", "kamar no 12", "jam 08.30-17.30", "tinggi 160 cm", "kode pos 55281",
])
def test_numbers_that_are_not_money_are_ignored(text: str) -> None:
    assert find_money(text) == []


def test_rate_table_is_dated() -> None:
    assert RATES_DATE.count("-") == 2


@pytest.mark.parametrize("hostile", ["1." * 100_000, "gaji " + "9" * 50_000, "rp " * 50_000])
def test_hostile_input_is_parsed_without_error(hostile: str) -> None:
    assert isinstance(find_money(hostile), list)
