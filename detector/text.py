"""Text views for the learned model: normalised text, and Sastrawi-stemmed word n-grams.

Stemming is used for the learned features only; indicators and money parsing read the
normalised text with its offset map. Negations are kept (no stop-word removal), and a few words
that Sastrawi over-stems ("pengalaman" -> "alam") are protected.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.Stemmer import Stemmer
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from detector.normalize import normalize

#: Bound of the stem cache (distinct word forms). Sastrawi's own cache never evicts.
STEM_CACHE_SIZE = 200_000

NEGATIONS = frozenset({"tidak", "tanpa", "bukan", "belum", "jangan", "tak", "non"})
PROTECTED = NEGATIONS | frozenset({
    "pengalaman", "berpengalaman", "lowongan", "perempuan", "pekerja", "pekerjaan", "keberangkatan",
    "penempatan", "perusahaan", "paspor", "visa", "tiket", "gaji", "juta", "ribu", "japri",
    "whatsapp", "telegram", "ditanggung", "dirahasiakan", "umrah", "turis", "kunjungan",
})
_TOKEN = re.compile(r"[a-z]+(?:-[a-z]+)*|\d+")  # re: ~30% faster than regex here


@functools.cache
def _stemmer() -> Stemmer:
    """The one uncached Sastrawi stemmer (its dictionary takes a while to build)."""
    return Stemmer(ArrayDictionary(StemmerFactory().get_words()))


@functools.lru_cache(maxsize=STEM_CACHE_SIZE)
def stem_word(word: str) -> str:
    if word in PROTECTED or len(word) <= 3 or not word.isalpha():
        return word
    stem: str = _stemmer().stem_word(word)
    return stem or word


def normalized_text(doc: Any) -> str:
    """The normalised text of a post given as a str or as an indicator ``Analysis``."""
    norm = getattr(doc, "normalized", None)
    if norm is not None:
        return str(norm.text)
    if not isinstance(doc, str):
        raise TypeError(f"expected a str or an Analysis, got {type(doc).__name__}")
    return normalize(doc).text


_NUMBER_SHAPES = tuple(f"<num{min(n, 7)}>" for n in range(8))


@functools.lru_cache(maxsize=STEM_CACHE_SIZE)
def token_feature(tok: str) -> str:
    """A token as the model reads it: a number's digit-count shape, else the word's stem."""
    return _NUMBER_SHAPES[min(len(tok), 7)] if tok.isdigit() else stem_word(tok)


class StemmedWords:
    """A picklable ``analyzer`` for ``TfidfVectorizer``: stemmed unigrams and bigrams."""

    def __init__(self, ngram_max: int = 2) -> None:
        self.ngram_max = ngram_max

    def tokens(self, doc: Any) -> list[str]:
        """The stemmed tokens the n-grams are made of: :func:`token_feature` of each :meth:`raw_tokens`
        (numbers become a digit-count shape)."""
        return list(map(token_feature, self.raw_tokens(doc)))

    @staticmethod
    def raw_tokens(doc: Any) -> list[str]:
        """The words and numbers of ``doc``'s normalised text, before stemming."""
        return _TOKEN.findall(normalized_text(doc))

    def __call__(self, doc: Any) -> list[str]:
        toks = self.tokens(doc)
        grams = list(toks)
        if self.ngram_max >= 2:
            grams += [a + " " + b for a, b in zip(toks, toks[1:], strict=False)]
        for n in range(3, self.ngram_max + 1):
            grams.extend(" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1))
        return grams

    def __repr__(self) -> str:
        return f"StemmedWords(ngram_max={self.ngram_max})"
