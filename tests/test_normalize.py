"""Normalisation of informal Indonesian, and its offset map back to the original text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.normalize import ABBREVIATIONS, FLAG_COUNTRIES, REAL_WORD_SWAPS, TYPOS, Normalized, normalize

CASES = [
    # fonts, width, case, invisible characters
    ("Gaji 15jt di 🇰🇭", "gaji 15 juta di kamboja"),
    ("𝐆𝐀𝐉𝐈 ＲＰ１５", "gaji rp15"),
    ("a\u200bb\u200d", "ab"),
    ("LOKER ✈️ 🇹🇼", "lowongan kerja pesawat taiwan"),
    ("💰💰 banyak", "uang uang banyak"),
    ("ke 🇦🇶 yuk", "ke luar negeri yuk"),  # a flag not in the table
    ("🇭🇰🇸🇦", "hong kong arab saudi"),
    ("İzmir", "i\u0307zmir"),  # lower case is longer: two characters, both from "İ"
    # abbreviations, slang, reduplication, repeated letters
    ("tdk perlu pngalaman, yg penting mau kerja2", "tidak perlu pengalaman, yang penting mau kerja"),
    ("gj 8jt, brgkt sgr", "gaji 8 juta, berangkat segera"),
    ("Rp15jt/bln", "rp15 juta/bulan"),
    ("35rb/hari", "35 ribu/hari"),
    ("1.5jt", "1.5 juta"),
    ("GAJIII gedeee", "gaji gede"),
    ("cwe & cowo dibthkan utk kerja di ln", "cewek & cowok dibutuhkan untuk kerja di luar negeri"),
    ("gak usah pglmn, lgsg krj", "tidak usah pengalaman, langsung kerja"),
    ("japri / pm / dm / ib", "japri / pm / dm / inbox"),
    ("ojo ngomong kerjo, ora usah mbayar", "jangan ngomong kerja, tidak usah bayar"),  # Javanese
    ("teu kedah mayar artos", "tidak kedah bayar uang"),  # Sundanese
    ("sedino 200 ewu, paspor melancong", "sehari 200 ribu, paspor wisata"),
    ("tkw tki pmi", "tkw tki pmi"),  # kept as written (see the module docstring)
    ("e-pmi, bpjs pmi", "e-pmi, bpjs pmi"),
    # typos of bait words: two swapped letters, frequent misspellings
    ("tiekt & visa ditanggung", "tiket & visa ditanggung"),
    ("GRATSI tikit pesawat", "gratis tiket pesawat"),
    ("kerja di kamobja, no experience", "kerja di kamboja, no pengalaman"),
    ("pakai visa tursi", "pakai visa turis"),
    ("paket umroh murah", "paket umroh murah"),  # "murah" is a word, not a swap of "umrah"
    ("gaji pokok, tiket kereta", "gaji pokok, tiket kereta"),
    # spacing tricks
    ("lowongan k a m b o j a", "lowongan kamboja"),
    ("t.e.l.e aja", "telegram saja"),
    ("k-a-m-b-o-j-a", "kamboja"),
    ("Info W A 0812-xxxx-xxxx", "info whatsapp 0812-xxxx-xxxx"),
    ("hub w.a. 0812", "hubungi whatsapp 0812"),
    ("wasap/watsap", "whatsapp/whatsapp"),
    # whitespace
    ("loker   admin\n\nsgr", "lowongan kerja admin segera"),
    ("  gaji\t\u00a0besar  ", "gaji besar"),
    # things that must stay as they are
    ("SIP2MI No. 12", "sip2mi no. 12"),
    ("dr. spesialis", "dr. spesialis"),
    ("5th 3bln hr dept", "5th 3bln hr dept"),  # glued to a number, or ambiguous: left alone
    ("www.example.com xxxx", "www.example.com xxxx"),
    ("a b bisa", "a b bisa"),  # two single letters are not a spaced-out word
    ("", ""),
]


@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_when_informal_text_then_it_is_normalised(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_when_a_normalised_token_is_mapped_back_then_its_source_normalises_to_it(raw: str, expected: str) -> None:
    n = normalize(raw)
    for tok in re.finditer(r"\w+", n.text):
        s, e = n.to_original(tok.start(), tok.end())
        assert 0 <= s < e <= len(raw)
        assert tok.group() in normalize(raw[s:e]).text, (tok.group(), raw[s:e])


@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_when_normalised_twice_then_nothing_changes(raw: str, expected: str) -> None:
    assert normalize(expected).text == expected


@pytest.mark.parametrize(("raw", "word", "source"), [
    ("Gaji 15jt di 🇰🇭", "kamboja", "🇰🇭"),
    ("kerja di 🇰🇭, ok", "kamboja", "🇰🇭"),
    ("Penempatan 🇰🇭 langsung", "kamboja langsung", "🇰🇭 langsung"),
    ("ke 🇭🇰\u200b sekarang", "hong kong", "🇭🇰"),
    ("naik ✈️ besok", "pesawat", "✈"),
    ("lowongan k a m b o j a gaji", "kamboja", "k a m b o j a"),
    ("gaji 15jt ya", "15 juta", "15jt"),
    ("gaji 15jt ya", "juta", "jt"),
    ("tdk perlu", "tidak", "tdk"),
    ("Hub W.A 0812", "whatsapp", "W.A"),
    ("Info W A 0812", "whatsapp", "W A"),
    ("ＲＰ１５ juta", "rp15", "ＲＰ１５"),
    ("GAJIII besar", "gaji", "GAJIII"),
    ("mau kerja2 ya", "kerja", "kerja2"),
    ("loker  admin", "lowongan kerja admin", "loker  admin"),
    ("a\u200bb", "ab", "a\u200bb"),
])
def test_when_a_span_is_mapped_back_then_it_is_its_exact_source(raw: str, word: str, source: str) -> None:
    n = normalize(raw)
    i = n.text.index(word)
    s, e = n.to_original(i, i + len(word))
    assert raw[s:e] == source


def test_when_spans_are_empty_or_out_of_range_then_they_are_clipped() -> None:
    n = normalize("gaji 15jt")
    assert n.to_original(3, 3) == (3, 3)
    assert n.to_original(-5, 100) == (0, len("gaji 15jt"))
    assert n.to_original(100, 200) == (len("gaji 15jt"), len("gaji 15jt"))


def test_when_built_without_ends_then_offsets_alone_map_spans() -> None:
    n = Normalized(original="ab  c", text="ab c", offsets=(0, 1, 2, 4, 5))
    assert n.to_original(0, 2) == (0, 2)
    assert n.to_original(3, 4) == (4, 5)


def test_tables_are_reviewable() -> None:
    word = re.compile(r"[a-z\u00e0-\u024f]+2?/?")
    assert len(ABBREVIATIONS) >= 80
    for key, value in ABBREVIATIONS.items():
        assert word.fullmatch(key), f"{key!r} can never match a token"
        assert value == value.lower().strip() and value
    assert all(len(code) == 2 and code.isupper() for code in FLAG_COUNTRIES)


def _check_offsets(raw: str, n: Normalized) -> None:
    assert n.original == raw
    assert len(n.offsets) == len(n.text) + 1 and len(n.ends) == len(n.text)
    assert n.offsets[-1] == len(raw)
    assert all(0 <= a <= b <= len(raw) for a, b in zip(n.offsets, n.offsets[1:], strict=False))
    for i in range(len(n.text)):
        s, e = n.to_original(i, i + 1)
        assert 0 <= s < e <= len(raw)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_when_any_text_then_the_offset_map_is_total_and_monotone(raw: str) -> None:
    _check_offsets(raw, normalize(raw))


_TRICKY = st.lists(st.sampled_from(
    list("abgjkltwx2 .-/\n\t") + ["jt", "rb", "1", "🇰🇭", "🇦", "✈", "\ufe0f", "\u200b", "İ", "𝐆", "Ａ", "ß"]
), max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(_TRICKY)
def test_when_text_mixes_the_rewritten_pieces_then_the_offset_map_stays_exact(raw: str) -> None:
    _check_offsets(raw, normalize(raw))


@pytest.mark.parametrize("hostile", [
    "1.1." * 50_000, "a" * 200_000, "a " * 100_000, "k.a." * 50_000, "w a " * 50_000, "gajiii" * 30_000,
    " \n" * 100_000, "🇰🇭" * 50_000, "\u200b" * 200_000, "1jt" * 60_000,
], ids=["dots", "letters", "spaced", "dotted", "wa", "repeats", "whitespace", "flags", "zero-width", "glued"])
def test_when_input_is_hostile_then_normalisation_still_finishes(hostile: str) -> None:
    n = normalize(hostile)
    assert len(n.offsets) == len(n.text) + 1


def test_typo_map_never_rewrites_a_real_word_or_an_abbreviation() -> None:
    assert not REAL_WORD_SWAPS & set(TYPOS)
    assert not set(TYPOS) & set(ABBREVIATIONS)
    assert all(len(typo) >= 4 and typo != word for typo, word in TYPOS.items())


def _chunk_and_whole_scan(raw: str) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    from detector.normalize import _CHUNK_CHANGES, _changes, _char_step, _scan

    t1 = _char_step(raw)[0]
    chunks = t1.split(" ")
    return _changes(t1, chunks, [_CHUNK_CHANGES[c] for c in chunks]), _scan(t1)


_SOUP = st.lists(st.sampled_from(
    ["wa", "w", "a", "w.", "a.", "a,", "k", "x", "c.d", "e.f", "yg", "gak", "gajiii", "kerja2", "u/", "15jt", "jt",
     "2,5jt", "tiekt", "kambodia", "pengalaman,", "é", "🇰🇭", "İ", "", " ", "\n", "\t", "-", ".", "2", "/", ":\n-"]
), max_size=16).map(" ".join)


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(), _TRICKY, _SOUP))
def test_when_read_chunk_by_chunk_then_the_changes_are_those_of_one_scan(raw: str) -> None:
    by_chunk, whole = _chunk_and_whole_scan(raw)
    assert by_chunk == whole


@pytest.mark.parametrize("raw", [
    "k a m b o j a", "ke k a m b o j a yuk", "c.d e.f g", "hub w a 0812", "hub w. a ya", "hub w.a ya", "a\n\nb",
    "x \n y", "x  y", " x ", "wa", "(w. a)", "(w a)", "(c.d e)", "k.a.m.b.o.j.a kerja2", "w", "a", "15 jt", "15jt gj",
    "gaji\t5jt",
])
def test_when_a_token_runs_over_a_space_then_chunks_are_read_with_their_neighbours(raw: str) -> None:
    by_chunk, whole = _chunk_and_whole_scan(raw)
    assert by_chunk == whole


def test_chunk_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from detector import normalize as N

    monkeypatch.setattr(N._CHUNK_CHANGES, "max_size", 50)
    N._CHUNK_CHANGES.clear()
    for i in range(500):
        assert normalize(f"gj {i}rb, hub wa 08{i}").text == f"gaji {i} ribu, hubungi whatsapp 08{i}"
        assert len(N._CHUNK_CHANGES) <= 50
    N._CHUNK_CHANGES.clear()
