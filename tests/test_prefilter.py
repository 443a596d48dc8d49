"""The literal screen (detector.indicators.prefilter) never skips a pattern that matches.

Screening only decides which regexes to run; these tests compare it with running every regex, on
the seed adverts, on random mutations of them and on hostile strings, for both scan engines.
"""

from __future__ import annotations

import json
import random
import re
import time
from functools import cache
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.alternation import first_char_alternation
from detector.indicators import IndicatorRegistry, Pattern, geo, money_based
from detector.indicators.base import AnalysisContext
from detector.indicators.prefilter import (
    MAX_LITERALS,
    LiteralScreen,
    _compact,
    backtracking_can_explode,
    holds,
    may_match,
    requirement,
    single_spaced,
)
from detector.indicators.registry import drop_counter_inside_red_flags
from detector.money import _alt, find_money
from detector.normalize import normalize

REPO = Path(__file__).resolve().parent.parent
REG = IndicatorRegistry.default()
PATTERNS = [pat for ind in REG for pat in ind.patterns]
#: The indicators' literal checks (Indicator.literal_checks): regexes their extra_hits run, by name
CHECKS = {check.name: check for ind in REG for check in ind.literal_checks()}
ENGINES = ["regex"] + (["ahocorasick"] if LiteralScreen([("k", (((frozenset({"ab"}),),)))]).engine == "ahocorasick"
                       else [])


@cache
def seed_texts() -> tuple[str, ...]:
    out: list[str] = []
    for name in ("seed_adverts.jsonl", "written_adverts.jsonl"):
        with (REPO / "data" / name).open(encoding="utf-8") as fh:
            out += [json.loads(line)["text"] for line in fh if line.strip()]
    return tuple(out)


@cache
def screens(single_spaces: bool = False) -> dict[str, LiteralScreen[int]]:
    items = [(i, requirement(pat.regex, single_spaces) if single_spaces else pat.requirement)
             for i, pat in enumerate(PATTERNS)]
    return {engine: LiteralScreen(items, engine=engine) for engine in ENGINES}


def mutate(rng: random.Random, texts: tuple[str, ...]) -> str:
    """Splice, cut, repeat and case-change pieces of real adverts."""
    a, b = rng.choice(texts), rng.choice(texts)
    i, j = rng.randrange(len(a) + 1), rng.randrange(len(b) + 1)
    t = a[:i] + b[j:j + rng.randrange(300)]
    if rng.random() < 0.3:
        k = rng.randrange(len(t) + 1)
        t = t[:k] + t[k + rng.randrange(6):]
    if rng.random() < 0.2:
        t = t.upper()
    if rng.random() < 0.2:
        k = rng.randrange(len(t) + 1)
        t = t[:k] + rng.choice([" ", "  ", "\n", "\t", "-", ".", "2", "0", "8", "62", "/", "&", "\u00a0"]) + t[k:]
    return t


def assert_screen_keeps_matching_patterns(text: str) -> None:
    """Every pattern that has a match in ``text`` passes its own check and every screen that applies
    (the word-spanning literals of ``single_spaces`` only where ``single_spaced(text)``)."""
    passing = {engine: screen.passing(text) for engine, screen in screens().items()}
    if single_spaced(text):
        passing.update({f"{e} single_spaces": screen.passing(text) for e, screen in screens(True).items()})
    for i, pat in enumerate(PATTERNS):
        if pat.compiled.search(text) is None:
            continue
        assert pat.may_match(text), (pat.name, text)
        for engine, keys in passing.items():
            assert i in keys, (engine, pat.name, text)


def unscreened_hits(text: str) -> list[dict[str, object]]:
    """The registry's hits with every pattern and every literal check run (no prefilter at all)."""
    norm = normalize(text)
    every = frozenset(id(p) for p in PATTERNS) | frozenset(CHECKS)
    ctx = AnalysisContext(normalized=norm, money=tuple(find_money(norm.text)), screened=every, runnable=every)
    return [h.to_dict() for h in drop_counter_inside_red_flags([h for ind in REG for h in ind.analyze(ctx)])]


# -- the screen against running every regex -----------------------------------------------------
def test_screen_never_skips_a_matching_pattern_on_the_adverts() -> None:
    for text in seed_texts():
        norm = normalize(text).text
        assert single_spaced(norm)
        assert_screen_keeps_matching_patterns(norm)


def test_screen_never_skips_a_matching_pattern_on_mutated_adverts() -> None:
    rng = random.Random(7)
    for _ in range(1500):
        text = mutate(rng, seed_texts())
        assert_screen_keeps_matching_patterns(normalize(text).text)
        assert_screen_keeps_matching_patterns(text.lower())  # un-normalised text too


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**9), st.text(alphabet="abdegijklmnoprstuvw 0123456789.-/&+", max_size=40))
def test_screen_never_skips_a_matching_pattern_property(seed: int, noise: str) -> None:
    rng = random.Random(seed)
    text = mutate(rng, seed_texts())
    k = rng.randrange(len(text) + 1)
    text = text[:k] + noise + text[k:]
    assert_screen_keeps_matching_patterns(normalize(text).text)


def test_registry_hits_equal_running_every_pattern() -> None:
    rng = random.Random(11)
    texts = list(seed_texts()) + [mutate(rng, seed_texts()) for _ in range(500)]
    for text in texts:
        assert [h.to_dict() for h in REG.analyze(text).hits] == unscreened_hits(text), text


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab 2.-/\t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u2028\u202f"
                                             "\u3000\u200b\ufe0f🇰🇭✈️İ")), max_size=30))
def test_normalised_text_is_single_spaced(text: str) -> None:
    assert single_spaced(normalize(text).text)


def test_normalised_adverts_are_single_spaced() -> None:
    rng = random.Random(13)
    for text in list(seed_texts()) + [mutate(rng, seed_texts()) for _ in range(500)]:
        assert single_spaced(normalize(text).text)


def test_stdlib_whitespace_covers_regex_whitespace() -> None:
    # single_spaced() checks with the stdlib \s; patterns run with the `regex` module's \s
    chars = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert set(regex.findall(r"\s", chars, flags=regex.VERSION1)) <= set(re.findall(r"\s", chars))
    assert set(regex.findall(r"\s", chars)) <= set(re.findall(r"\s", chars))


def test_single_spaces_literals_span_words() -> None:
    assert requirement(r"\btanpa\s+(?:pengalaman|skill)", single_spaces=True) == \
        ((frozenset({"tanpa pengalaman", "tanpa skill"}),),)
    assert requirement(r"\bgaji\s*:\s*(?:dolar|usd)", single_spaces=True) == \
        ((frozenset({"gaji:dolar", "gaji: dolar", "gaji :dolar", "gaji : dolar",
                     "gaji:usd", "gaji: usd", "gaji :usd", "gaji : usd"}),),)
    assert single_spaced("a b c") and not single_spaced("a  b") and not single_spaced("a\tb")
    assert not single_spaced("a\x1cb")


def test_registry_falls_back_to_per_pattern_checks_on_text_that_is_not_single_spaced(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import detector.indicators.registry as registry_module

    text = "Tanpa pengalaman, gaji 15jt, kerja di luar negeri, japri 0812-3456-7890"
    expected = [h.to_dict() for h in REG.analyze(text).hits]
    monkeypatch.setattr(registry_module, "single_spaced", lambda _text: False)
    assert [h.to_dict() for h in REG.analyze(text).hits] == expected == unscreened_hits(text)


def test_screen_engines_agree() -> None:
    if len(ENGINES) < 2:
        pytest.skip("pyahocorasick is not installed")
    rng = random.Random(3)
    regex_screen, ac_screen = screens()["regex"], screens()["ahocorasick"]
    for text in list(seed_texts()) + [mutate(rng, seed_texts()) for _ in range(300)] + ["", "\x00", "\ud800ab"]:
        norm = normalize(text).text
        assert regex_screen.found(norm) == ac_screen.found(norm)
        assert regex_screen.passing(norm) == ac_screen.passing(norm)


def test_screen_skips_most_patterns_on_a_typical_advert() -> None:
    text = normalize("Dibutuhkan admin toko, gaji 4jt, lokasi Bandung. Kirim CV ke kantor kami.").text
    for screen in screens().values():
        assert len(screen.passing(text)) < len(PATTERNS) // 4


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("hostile", ["1." * 100_000, "a " * 100_000, "tiket " + "& visa " * 20_000, "x" * 200_000,
                                     "tanpa " * 30_000, "di" * 100_000])
def test_screen_is_linear_on_hostile_input(engine: str, hostile: str) -> None:
    t0 = time.perf_counter()
    screens()[engine].passing(hostile)
    assert time.perf_counter() - t0 < 5.0


# -- requirement derivation ---------------------------------------------------------------------
def test_requirement_reads_alternatives_and_sequences() -> None:
    req = requirement(r"\b(?:tanpa|tidak\s+perlu)\s+(?:pengalaman|skill)")
    assert req is not None
    assert {frozenset(map(frozenset, conj)) for conj in req} == {
        frozenset({frozenset({"tanpa"}), frozenset({"pengalaman", "skill"})}),
        frozenset({frozenset({"tidak"}), frozenset({"perlu"}), frozenset({"pengalaman", "skill"})}),
    }
    assert requirement(r"transport(?:asi)?\s+gratis") == ((frozenset({"gratis"}), frozenset({"transport"})),)
    assert requirement(r"(?:\+?62|\b0)8\d{1,2}") == ((frozenset({"08", "628"}),),)


@pytest.mark.parametrize("pattern", [
    r"[a-z]+\d",            # no literal at all
    r"a\s+b",               # literals too short
    r"(?:kamboja)?\s*\d",   # only optional literals
    r"kamboja|\d+",         # one alternative without literals
    r"(?i)kamboja",         # flags: the stdlib parser would read literals case-sensitively
    r"(?i:kamboja)",
    r"[[a-z]--[aeiou]]x",   # `regex` set operations
    r"[[ab]c]dd",           # nested set
    r"(?:kamboja){e<=1}",   # fuzzy matching
    r"\L<words>",           # named list
    r"(?|ab|cd)",           # branch reset
])
def test_requirement_is_none_when_it_cannot_be_derived_safely(pattern: str) -> None:
    assert requirement(pattern) is None


def test_pattern_without_requirement_always_runs() -> None:
    pat = Pattern("p", r"[a-z]+\d{3}", 0.5)
    assert pat.requirement is None and pat.may_match("") and list(pat.finditer("abc123"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sets(st.sampled_from("abcdef"), min_size=1, max_size=3), min_size=1, max_size=3),
                min_size=1, max_size=6),
       st.sets(st.sampled_from("abcdef")))
def test_compaction_is_exact(dnf: list[list[set[str]]], present: set[str]) -> None:
    req = tuple(tuple(frozenset(f) for f in conj) for conj in dnf)

    def holds_in(r: tuple[tuple[frozenset[str], ...], ...]) -> bool:
        return any(all(f & present for f in conj) for conj in r)

    assert holds_in(_compact(req)) == holds_in(req)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.lists(st.text("abcde", min_size=2, max_size=4), min_size=1, max_size=3),
                         min_size=1, max_size=3), min_size=1, max_size=4),
       st.text("abcde ", max_size=30))
def test_screen_mask_evaluation_equals_substring_check(dnf: list[list[list[str]]], text: str) -> None:
    req = tuple(tuple(frozenset(f) for f in conj) for conj in dnf)
    expected = any(all(any(lit in text for lit in f) for f in conj) for conj in req)
    for engine in ENGINES:
        screen = LiteralScreen([("k", req)], engine=engine)
        assert ("k" in screen.passing(text)) == expected
        masks = screen._checks[0][2]
        assert holds(masks, screen.found(text)) == expected


def test_factors_stay_bounded() -> None:
    for pat in PATTERNS:
        if pat.requirement is not None:
            assert all(1 <= len(f) <= MAX_LITERALS for conj in pat.requirement for f in conj)


# -- grouped alternations are the same alternations ---------------------------------------------
def _flat_dest_re() -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(a).replace(r"\ ", r"\s+") for a, _, _ in geo._ALIASES) + r")\b")


def _all_matches(rx: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
    """Every match starting at every position (not only the non-overlapping ones)."""
    out = []
    for pos in range(len(text) + 1):
        m = rx.match(text, pos)
        if m is not None:
            out.append((m.span(), m.groupdict()))
    return out


def test_grouped_alternations_match_like_flat_ones() -> None:
    flat_dest = _flat_dest_re()
    flat_skill = regex.compile(r"\b(?:" + "|".join(money_based._SKILLED_ROLES) + r")\b")
    words = ["rp", "rp.", "rupiah", "rm", "rmb", "$", "us$", "usd", "jt", "jta", "jtaan", "juta", "k", "kwd"]
    flat_alt = re.compile("(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\w*")
    grouped_alt = re.compile("(?:" + _alt(words) + r")\w*")
    rng = random.Random(5)
    texts = [normalize(t).text for t in seed_texts()]
    texts += [mutate(rng, tuple(texts)) for _ in range(200)]
    texts += ["hong  kong", "negara kh", "negara k", "kuala lumpur", "rp. 5", "us$5", "jtaan", "data scientist"]
    for text in texts:
        assert [(m.span(), m.group()) for m in geo._DEST_RE.finditer(text)] == \
            [(m.span(), m.group()) for m in flat_dest.finditer(text)]
        assert _all_matches(geo._DEST_RE, text) == _all_matches(flat_dest, text)
        assert [m.span() for m in money_based._SKILLED_ROLE.finditer(text)] == \
            [m.span() for m in flat_skill.finditer(text)]
        assert _all_matches(grouped_alt, text) == _all_matches(flat_alt, text)


def test_literal_checks_never_hide_a_match() -> None:
    """A literal check that the registry's scan rules out has no match in the text, and neither has one
    whose fallback requirement (for texts the scan does not cover) fails."""
    assert set(CHECKS) == {"overseas:destination", "wages:destination", "role:skilled", "role:fishing",
                           "role:domestic", "role:garment", "role:formal"}
    regexes = {name: re.compile(check.regex) for name, check in CHECKS.items()}
    rng = random.Random(13)
    texts = list(seed_texts()) + [mutate(rng, seed_texts()) for _ in range(1500)]
    texts += ["data scientist di jakarta", "kerja di hong  kong", "negara kh", "anak buah kapal", "ABK kapal ikan"]
    for original in texts:
        text = normalize(original).text
        passing = REG._screen.passing(text)
        for name, rx in regexes.items():
            if rx.search(text):
                assert name in passing and may_match(CHECKS[name].fallback, text), (name, text)
            if rx.search(original.lower()):
                assert may_match(CHECKS[name].fallback, original.lower()), (name, original)


@pytest.mark.parametrize(("pattern", "explodes"), [
    (r"(?:a+)+b", True), (r"(?:a|aa)+b", True), (r"(?:\s*\w+)*x", True), (r"(?=(?:a+)+)x", True),
    (r"(?>(?:a+)+)b", True), (r"(?:\w+\s){0,50}x", True),
    (r"[\d.,]*x", False), (r"(?:[ .\-][a-z]){2,}", False), (r"(?:\s+[a-z]+){0,2}?x", False), (r"a+b+", False),
    (r"(?:ab)+", False), (r"(?:a{2})+", False), (r"[^.\n]{0,40}?x", False),
    (r"[[a]--[b]]+", None),  # set operations: the `regex` module's syntax
], ids=lambda v: str(v))
def test_backtracking_can_explode_on_long_repeats_of_variable_width_parts(pattern: str, explodes: bool | None) -> None:
    assert backtracking_can_explode(pattern) is explodes


def test_first_char_alternation_refuses_alternatives_it_cannot_group() -> None:
    for bad in ([r"\bab"], ["(?:a)b"], ["a?b"], ["[ab]c"], [""]):
        with pytest.raises(ValueError):
            first_char_alternation(bad)
    assert first_char_alternation(["ab", "cd", "ax"]) == "(?:ab|ax)|cd"
    # an escaped metacharacter is a literal first character too (currency words: "$", "us$")
    assert first_char_alternation([r"\$x", "us", r"\$"]) == r"(?:\$x|\$)|us"
    with pytest.raises(ValueError):
        first_char_alternation([r"\$?x"])

