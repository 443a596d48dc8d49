"""Normalisation of informal Indonesian, and its offset map back to the original text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.normalize import normalize

CASES = [
    ("Gaji 15jt di 🇰🇭", "gaji 15 juta di kamboja "),
    ("tdk perlu pngalaman, yg penting mau kerja2", "tidak perlu pengalaman, yang penting mau kerja"),
    ("lowongan k a m b o j a", "lowongan kamboja"),
    ("Info W A 0812-xxxx-xxxx", "info whatsapp 0812-xxxx-xxxx"),
    ("GAJIII gedeee", "gaji gede"),
    ("𝐆𝐀𝐉𝐈 ＲＰ１５", "gaji rp15"),
    ("loker   admin\n\nsgr", "lowongan kerja admin segera"),
    ("a\u200bb", "ab"),
    ("SIP2MI No. 12", "sip2mi no. 12"),
    ("dr. spesialis", "dr. spesialis"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_informal_text_is_normalised(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


@pytest.mark.parametrize(("raw", "word", "source"), [
    ("kerja di 🇰🇭, ok", "kamboja", "🇰🇭"),
    ("Penempatan 🇰🇭 langsung", "kamboja", "🇰🇭"),
    ("Penempatan 🇰🇭 langsung", "kamboja langsung", "🇰🇭 langsung"),
    ("lowongan k a m b o j a gaji", "kamboja", "k a m b o j a"),
    ("gaji 15jt ya", "15 juta", "15jt"),
    ("tdk perlu", "tidak", "tdk"),
    ("Hub W.A 0812", "whatsapp", "W.A"),
    ("ＲＰ１５ juta", "rp15", "ＲＰ１５"),
])
def test_normalised_span_maps_back_to_its_source(raw: str, word: str, source: str) -> None:
    n = normalize(raw)
    i = n.text.index(word)
    s, e = n.to_original(i, i + len(word))
    assert raw[s:e] == source


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_offset_map_is_total_and_monotone_for_any_text(raw: str) -> None:
    n = normalize(raw)
    assert len(n.offsets) == len(n.text) + 1 and len(n.ends) == len(n.text)
    assert n.offsets[-1] == len(raw)
    assert all(0 <= a <= b <= len(raw) for a, b in zip(n.offsets, n.offsets[1:]))
    for i in range(len(n.text)):
        s, e = n.to_original(i, i + 1)
        assert 0 <= s < e <= len(raw)
