"""Money parsing: every format in the adverts, normalised to IDR per month."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.money import _PERIOD_WORDS, CURRENCY_WORDS, PERIODS, RATES_DATE, Money, find_money
from detector.normalize import normalize

M = 1e6
DAYS = 26  # working days a month (money.DAYS_PER_MONTH)
RATE = {"USD": 16000, "MYR": 3600, "SAR": 4300, "TWD": 500, "JPY": 105, "KRW": 11.5, "HKD": 2050, "SGD": 12000,
        "AED": 4350, "EUR": 17500, "GBP": 20500, "QAR": 4400, "KWD": 52000, "AUD": 10500, "CNY": 2250, "THB": 460}
TABLE = [
    # text, currency, amount_min, amount_max, period, idr_per_month_min (approx.)
    ("gaji Rp 15.000.000", "IDR", 15 * M, 15 * M, "month", 15 * M),
    ("Rp15jt", "IDR", 15 * M, 15 * M, "unknown", 15 * M),
    ("gaji 15jt", "IDR", 15 * M, 15 * M, "month", 15 * M),
    ("15 juta", "IDR", 15 * M, 15 * M, "unknown", 15 * M),
    ("15 jt", "IDR", 15 * M, 15 * M, "unknown", 15 * M),
    ("gaji 8-12jt", "IDR", 8 * M, 12 * M, "month", 8 * M),
    ("8 - 12 juta", "IDR", 8 * M, 12 * M, "unknown", 8 * M),
    ("gaji 8jt - 12jt", "IDR", 8 * M, 12 * M, "month", 8 * M),
    ("Rp 8.000.000 - Rp 12.000.000", "IDR", 8 * M, 12 * M, "unknown", 8 * M),
    ("gaji 2 digit", "IDR", 10 * M, 99 * M, "month", 10 * M),
    ("gaji 3 digit", "IDR", 100 * M, 999 * M, "month", 100 * M),
    ("35rb/hari", "IDR", 35e3, 35e3, "day", 35e3 * 26),
    ("35 ribu per hari", "IDR", 35e3, 35e3, "day", 35e3 * 26),
    ("upah 150rb sehari", "IDR", 150e3, 150e3, "day", 150e3 * 26),
    ("gaji harian Rp 150.000", "IDR", 150e3, 150e3, "day", 150e3 * 26),
    ("50rb/jam", "IDR", 50e3, 50e3, "hour", 50e3 * 8 * 26),
    ("1 juta per minggu", "IDR", 1 * M, 1 * M, "week", 4.33 * M),
    ("gaji 120 juta setahun", "IDR", 120 * M, 120 * M, "year", 10 * M),
    ("gaji 5-7 jt/bulan", "IDR", 5 * M, 7 * M, "month", 5 * M),
    ("gaji 4.800.000", "IDR", 4.8 * M, 4.8 * M, "month", 4.8 * M),
    ("1,5 juta", "IDR", 1.5 * M, 1.5 * M, "unknown", 1.5 * M),
    ("1.5jt", "IDR", 1.5 * M, 1.5 * M, "unknown", 1.5 * M),
    ("Rp. 4.500.000,-", "IDR", 4.5 * M, 4.5 * M, "unknown", 4.5 * M),
    ("IDR 5,000,000", "IDR", 5 * M, 5 * M, "unknown", 5 * M),
    ("gaji 100k", "IDR", 100e3, 100e3, "month", 100e3),
    ("100k/hari", "IDR", 100e3, 100e3, "day", 100e3 * 26),
    ("1.200 USD", "USD", 1200, 1200, "unknown", 1200 * RATE["USD"]),
    ("USD 1,200", "USD", 1200, 1200, "unknown", 1200 * RATE["USD"]),
    ("$800", "USD", 800, 800, "unknown", 800 * RATE["USD"]),
    ("800$", "USD", 800, 800, "unknown", 800 * RATE["USD"]),
    ("1000 dolar", "USD", 1000, 1000, "unknown", 1000 * RATE["USD"]),
    ("gaji 1.500 USD per bulan", "USD", 1500, 1500, "month", 1500 * RATE["USD"]),
    ("$10/hour", "USD", 10, 10, "hour", 10 * 8 * 26 * RATE["USD"]),
    ("RM 3.500", "MYR", 3500, 3500, "unknown", 3500 * RATE["MYR"]),
    ("RM3500", "MYR", 3500, 3500, "unknown", 3500 * RATE["MYR"]),
    ("2.000 SR", "SAR", 2000, 2000, "unknown", 2000 * RATE["SAR"]),
    ("2000 riyal", "SAR", 2000, 2000, "unknown", 2000 * RATE["SAR"]),
    ("NT$ 27.470", "TWD", 27470, 27470, "unknown", 27470 * RATE["TWD"]),
    ("27rb NT", "TWD", 27e3, 27e3, "unknown", 27e3 * RATE["TWD"]),
    ("¥200.000", "JPY", 200e3, 200e3, "unknown", 200e3 * RATE["JPY"]),
    ("200.000 yen", "JPY", 200e3, 200e3, "unknown", 200e3 * RATE["JPY"]),
    ("600 euro", "EUR", 600, 600, "unknown", 600 * RATE["EUR"]),
    ("€600", "EUR", 600, 600, "unknown", 600 * RATE["EUR"]),
    ("£1,500", "GBP", 1500, 1500, "unknown", 1500 * RATE["GBP"]),
    ("₩2.000.000", "KRW", 2 * M, 2 * M, "unknown", 2 * M * RATE["KRW"]),
    ("2 juta won", "KRW", 2 * M, 2 * M, "unknown", 2 * M * RATE["KRW"]),
    ("HKD 4,990", "HKD", 4990, 4990, "unknown", 4990 * RATE["HKD"]),
    ("S$ 1.500", "SGD", 1500, 1500, "unknown", 1500 * RATE["SGD"]),
    ("AED 3000", "AED", 3000, 3000, "unknown", 3000 * RATE["AED"]),
    ("QAR 2,500", "QAR", 2500, 2500, "unknown", 2500 * RATE["QAR"]),
    ("250 KWD", "KWD", 250, 250, "unknown", 250 * RATE["KWD"]),
    ("AUD 4000", "AUD", 4000, 4000, "unknown", 4000 * RATE["AUD"]),
    ("8000 yuan", "CNY", 8000, 8000, "unknown", 8000 * RATE["CNY"]),
    ("25.000 baht", "THB", 25e3, 25e3, "unknown", 25e3 * RATE["THB"]),
    ("Gaji: Rp 5jt - 7jt per bulan", "IDR", 5 * M, 7 * M, "month", 5 * M),
    ("Rp 450rb", "IDR", 450e3, 450e3, "unknown", 450e3),
    ("biaya admin Rp 450rb", "IDR", 450e3, 450e3, "once", None),
    ("komisi 50rb per tugas", "IDR", 50e3, 50e3, "task", None),  # piece work: no monthly value
    ("Rp 10.000/klik", "IDR", 10e3, 10e3, "task", None),
    ("komisi 5rb per order", "IDR", 5e3, 5e3, "task", None),
    ("15rb per like", "IDR", 15e3, 15e3, "task", None),
    ("per video dibayar Rp 20.000", "IDR", 20e3, 20e3, "task", None),
    ("sehari bisa dapat 500rb", "IDR", 500e3, 500e3, "day", 500e3 * DAYS),
    ("per hari gaji Rp 150.000", "IDR", 150e3, 150e3, "day", 150e3 * DAYS),
]
IDS = [row[0] for row in TABLE]


def _variants(text: str) -> list[str]:
    return [text, normalize(text).text]


@pytest.mark.parametrize(("text", "cur", "lo", "hi", "period", "per_month_min"), TABLE, ids=IDS)
def test_when_an_amount_is_written_then_it_is_parsed_and_normalised(
        text: str, cur: str, lo: float, hi: float, period: str, per_month_min: float | None) -> None:
    for variant in _variants(text):
        found = find_money(variant)
        assert len(found) == 1, (variant, found)
        m = found[0]
        assert (m.currency, m.period) == (cur, period), variant
        assert m.amount_min == pytest.approx(lo) and m.amount_max == pytest.approx(hi), variant
        if per_month_min is None:
            assert m.idr_per_month_min is None and m.idr_per_month_max is None
        else:
            assert m.idr_per_month_min == pytest.approx(per_month_min), variant
            assert m.idr_per_month_max == pytest.approx(per_month_min * hi / lo), variant


@pytest.mark.parametrize("text", IDS)
def test_when_text_is_normalised_first_then_the_same_amounts_are_found(text: str) -> None:
    raw = [(m.currency, m.amount_min, m.amount_max) for m in find_money(text)]
    assert raw == [(m.currency, m.amount_min, m.amount_max) for m in find_money(normalize(text).text)]


@pytest.mark.parametrize("text", [
    *IDS,
    "Dibutuhkan 10 cewek, gaji 8-12jt/bln, tanpa biaya, berangkat ✈️ ke 🇰🇭! WA 0812-3456-7890",
    "GAJI 𝟏𝟓 JT + bonus $200, DP Rp 2.500.000 untuk visa",
    "Penghasilan 35rb/hr   (min. 26 hari), usia 18-35 thn",
    "İİİ gaji Rp 5.000.000 İ 100k/hari",
])
def test_when_money_is_found_then_every_span_is_an_exact_substring(text: str) -> None:
    for variant in _variants(text):
        for m in find_money(variant):
            assert variant[m.start:m.end] == m.text
            assert m.text == m.text.strip() and m.text


def test_when_the_advert_mixes_amounts_then_each_is_found_in_order() -> None:
    text = "Gaji 8jt dipotong biaya 2jt, lembur 50rb/jam, total bisa 12 juta"
    found = find_money(text)
    assert [(m.text, m.period) for m in found] == [
        ("8jt", "month"), ("2jt", "once"), ("50rb/jam", "hour"), ("12 juta", "unknown")]
    normalised = normalize(text)
    spans = [normalised.to_original(m.start, m.end) for m in find_money(normalised.text)]
    assert [text[s:e] for s, e in spans] == ["8jt", "2jt", "50rb/jam", "12 juta"]


@pytest.mark.parametrize("text", [
    "biaya pendaftaran 15 juta", "mahar 30jt", "DP 2 juta dulu", "deposit Rp 500.000", "transfer 450rb ke rekening",
    "Rp 1.500.000 untuk biaya medical", "bayar admin fee 250rb",
])
def test_when_a_fee_word_is_near_then_the_amount_is_one_off(text: str) -> None:
    for variant in _variants(text):
        (m,) = find_money(variant)
        assert m.period == "once" and m.idr_per_month_min is None and m.idr_per_month_max is None


NEAR_MISSES = [
    "usia 18-35 tahun", "pengalaman 2 tahun", "WA 0812-3456-7890", "hub 081234567890", "tahun 2025",
    "kuota 2GB", "100k followers", "kamar no 12", "jam 08.30-17.30", "tinggi 160 cm", "kode pos 55281",
    "gaji UMR", "kerja 8 jam/hari", "kontrak 2 tahun/periode", "NIK 3201234567890001", "versi 1.5",
    "lantai 3, ruang 2.01", "2x seminggu", "Rp 5", "berat 50 kg",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_when_numbers_are_not_money_then_they_are_ignored(text: str) -> None:
    for variant in _variants(text):
        assert find_money(variant) == [], variant


def test_when_converted_then_a_dict_is_json_ready() -> None:
    (m,) = find_money("gaji 35rb/hari")
    d = m.to_dict()
    assert list(d) == [f for f in Money.__dataclass_fields__]
    assert d["period"] == "day" and d["idr_per_month_max"] == pytest.approx(35e3 * 26)


def test_rate_table_is_dated_and_covers_every_currency() -> None:
    doc = tomllib.loads((resources.files("detector") / "resources" / "rates.toml").read_text(encoding="utf-8"))
    assert RATES_DATE == doc["date"] and RATES_DATE.count("-") == 2
    assert "risk scoring" in doc["source"]
    assert set(CURRENCY_WORDS.values()) <= set(doc["idr_per_unit"])
    assert all(v > 0 for v in doc["idr_per_unit"].values())
    assert set(_PERIOD_WORDS.values()) <= set(PERIODS)


@pytest.mark.parametrize("hostile", [
    "1." * 100_000, "1.111" * 40_000, "1,111" * 40_000, "gaji " + "9" * 50_000, "rp " * 50_000, "1-" * 100_000,
    "1jt " * 50_000, "gaji 2 digit 5jt " * 10_000, "$1" * 100_000, "1" + " " * 200_000 + "jt",
], ids=["dots", "dot-groups", "comma-groups", "long-number", "currency-only", "dashes", "amounts", "digit-salary",
        "dollars", "spaces"])
def test_when_input_is_hostile_then_parsing_still_finishes(hostile: str) -> None:
    for variant in _variants(hostile):
        for m in find_money(variant):
            assert variant[m.start:m.end] == m.text


_MONEYISH = st.lists(st.sampled_from(
    list("0123456789 .,-/$") + ["rp", "jt", "rb", "k", "usd", "rm", "gaji", "biaya", "hari", "per ", "bulan", "¥",
                                "İ", "２", "nt$", "sr", "digit", "\n"]
), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), _MONEYISH))
def test_when_any_text_then_find_money_returns_exact_spans(text: str) -> None:
    for variant in _variants(text):
        found = find_money(variant)
        assert [m.start for m in found] == sorted(m.start for m in found)
        for m in found:
            assert variant[m.start:m.end] == m.text
            assert m.amount_min <= m.amount_max and m.period in PERIODS


def test_digit_precheck_equals_isdigit() -> None:
    from detector.money import _has_digit

    for text in ["", "abc", "abc1", "٣", "²", "x²y", "①", "gaji dua digit ²", "१२", "\x00", "🙏", "Ⅻ"]:
        assert _has_digit(text) == any(c.isdigit() for c in text), text
    # a superscript is isdigit() but not \d: "gaji dua digit" is still read when one is present
    assert find_money("gaji dua digit ²") and not find_money("gaji dua digit")


def test_end_anchored_period_searches_look_only_near_the_end() -> None:
    """``_period`` searches the period patterns only over their reach from the end of the text before an
    amount: on every such text they find what the whole-text search finds."""
    import random

    from detector import money as M

    rng = random.Random(0)
    words = [*M._PERIOD_WORDS, *M._LEAD_WORDS, "per", "tiap", "setiap", "/", "gaji", "rp", "x" * 12, "ab"]
    seps = [" ", "  ", "", ":", " : ", "=", "\n", ".", "-"]
    texts = ["".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randrange(1, 9))) for _ in range(30000)]
    hits = 0
    for text in texts:
        for before in (text, text[-40:]):
            full = M._PERIOD_BEFORE.search(before)
            near = M._PERIOD_BEFORE.search(before, max(0, len(before) - M._PERIOD_BEFORE_REACH))
            assert (full and full.span()) == (near and near.span()), before
            if M._PERIOD_LEAD.search(before):
                hits += 1
                assert M._LEAD_TAIL.search(before, max(0, len(before) - M._LEAD_TAIL_REACH)), before
    assert hits > 100  # the lead pattern was exercised


def test_an_amount_starts_at_most_its_reach_before_its_first_digit() -> None:
    """``find_money`` starts each search of ``_MONEY_RX`` near the next digit: sound because no match starts
    more than ``_MONEY_REACH`` characters before its first digit (a currency word and the gap after it)."""
    import random

    from detector import money as M

    rng = random.Random(0)
    words = [*M._PRE_WORDS, *CURRENCY_WORDS, "gaji", "per", "/", "-", "juta", "rb", "k", "x", "12", "5.000", "1,5"]
    seps = ["", " ", "   ", "\t", "\n", ".", ",", "-"]
    texts = ["".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randrange(1, 8))) for _ in range(20000)]
    widest = 0
    for text in texts:
        for pos in range(len(text)):
            m = M._MONEY_RX.search(text, pos)
            if m is None:
                break
            lead = M._DECIMAL.search(text, m.start()).start() - m.start()  # type: ignore[union-attr]
            assert lead <= M._MONEY_REACH, text
            widest = max(widest, lead)
    assert widest == M._MONEY_REACH  # the reach is reached: a 3-character currency word and 3 spaces
