"""Normalisation of informal Indonesian with an exact offset map back to the original text.

Indicators and the money parser read the normalised text; their evidence is mapped back to the
ORIGINAL post with :meth:`Normalized.to_original`. Steps:

1. per character: Unicode NFKC (fancy fonts, full-width digits), lower case, zero-width characters
   and variation selectors removed, flag emoji (regional-indicator pairs) → country names, a few
   emoji → words (✈️ → pesawat, 💰 → uang);
2. per token: common abbreviations and slang expanded (``gj`` → gaji, ``tdk`` → tidak, ``15jt`` →
   ``15 juta``, ``wa`` → whatsapp, ``loker`` → lowongan kerja …), spaced-out words collapsed
   (``k a m b o j a`` → kamboja, ``W A`` → whatsapp), letters repeated 3+ times collapsed
   (``gajiii`` → gaji), reduplication with 2 reduced (``kerja2`` → kerja), whitespace runs → one space.

ASCII text (most posts) takes a fast path in step 1.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


# -- step 1: characters -------------------------------------------------------------------------

#: Regional-indicator pair (ISO 3166 alpha-2) → Indonesian country name.
FLAG_COUNTRIES: dict[str, str] = {
    "KH": "kamboja", "MM": "myanmar", "LA": "laos", "TH": "thailand", "VN": "vietnam", "PH": "filipina",
    "MY": "malaysia", "BN": "brunei", "SG": "singapura", "HK": "hong kong", "TW": "taiwan", "KR": "korea",
    "JP": "jepang", "CN": "china", "MO": "makau", "SA": "arab saudi", "AE": "uea", "QA": "qatar",
    "KW": "kuwait", "OM": "oman", "BH": "bahrain", "JO": "yordania", "TR": "turki", "PL": "polandia",
    "DE": "jerman", "NL": "belanda", "FR": "prancis", "IT": "italia", "ES": "spanyol", "PT": "portugal",
    "GB": "inggris", "RU": "rusia", "AU": "australia", "NZ": "selandia baru", "US": "amerika", "CA": "kanada",
    "ID": "indonesia", "NG": "nigeria", "GE": "georgia", "CZ": "ceko", "RO": "rumania", "HU": "hungaria",
    "IN": "india", "LK": "sri lanka", "BD": "bangladesh", "NP": "nepal", "PK": "pakistan", "EG": "mesir",
}
EMOJI_WORDS: dict[str, str] = {
    "✈": "pesawat", "🛫": "pesawat", "🛬": "pesawat", "💰": "uang", "💵": "uang", "💸": "uang", "🤑": "uang",
    "📞": "telepon", "📱": "hp", "☎": "telepon",
}
_DROP = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\ufe0e\ufe0f\u20e3")
_RI_BASE = 0x1F1E6


def _char_step(text: str) -> tuple[str, list[int], list[int]]:
    if text.isascii():
        return text.lower(), list(range(len(text))), list(range(1, len(text) + 1))
    out: list[str] = []
    offs: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        o = ord(ch)
        if o < 128:
            out.append(ch.lower())
            offs.append(i)
            ends.append(i + 1)
            i += 1
            continue
        if ch in _DROP or 0xE0020 <= o <= 0xE007F:  # zero-width, variation selectors, tag chars
            i += 1
            continue
        if 0x1F1E6 <= o <= 0x1F1FF and i + 1 < n and 0x1F1E6 <= ord(text[i + 1]) <= 0x1F1FF:
            code = chr(o - _RI_BASE + 65) + chr(ord(text[i + 1]) - _RI_BASE + 65)
            rep = f" {FLAG_COUNTRIES.get(code, 'luar negeri')} "
            out.append(rep)
            offs.extend([i] * len(rep))
            ends.extend([i + 2] * len(rep))
            i += 2
            continue
        word = EMOJI_WORDS.get(ch)
        if word is not None:
            rep = f" {word} "
            out.append(rep)
            offs.extend([i] * len(rep))
            ends.extend([i + 1] * len(rep))
            i += 1
            continue
        rep = unicodedata.normalize("NFKC", ch).lower()
        out.append(rep)
        offs.extend([i] * len(rep))
        ends.extend([i + 1] * len(rep))
        i += 1
    return "".join(out), offs, ends


# -- step 2: tokens -------------------------------------------------------------------------------

#: Abbreviation / slang / common misspelling → expansion (whole tokens only).
ABBREVIATIONS: dict[str, str] = {
    # pay and money
    "gj": "gaji", "gji": "gaji", "gjh": "gaji", "gajih": "gaji", "gajinya": "gaji", "salary": "gaji",
    "jt": "juta", "jta": "juta", "jtaan": "juta", "jutaan": "juta", "jeti": "juta",
    "rb": "ribu", "rbu": "ribu", "ribuan": "ribu",
    # negation (kept, never dropped)
    "tdk": "tidak", "tak": "tidak", "gak": "tidak", "ga": "tidak", "gk": "tidak", "nggak": "tidak",
    "ngga": "tidak", "enggak": "tidak", "engga": "tidak", "ndak": "tidak", "nda": "tidak",
    "blm": "belum", "blom": "belum", "bkn": "bukan", "tnp": "tanpa",
    # common function words
    "yg": "yang", "dgn": "dengan", "dg": "dengan", "utk": "untuk", "untk": "untuk", "u/": "untuk",
    "krn": "karena", "karna": "karena", "sdh": "sudah", "udh": "sudah", "udah": "sudah", "dah": "sudah",
    "bs": "bisa", "bsa": "bisa", "tp": "tapi", "jd": "jadi", "lg": "lagi", "sy": "saya", "sm": "sama",
    "org": "orang", "orng": "orang", "msh": "masih", "dri": "dari", "kpd": "kepada",
    "trs": "terus", "klo": "kalau", "kalo": "kalau", "bgt": "banget", "bnyk": "banyak", "jg": "juga",
    "aja": "saja", "aj": "saja", "doang": "saja", "cuman": "cuma", "sj": "saja",
    # work, recruitment
    "krj": "kerja", "krja": "kerja", "kerjaan": "pekerjaan", "loker": "lowongan kerja",
    "lowker": "lowongan kerja", "lowkr": "lowongan kerja", "vacancy": "lowongan", "hiring": "dibutuhkan",
    "dibthkan": "dibutuhkan", "dbthkn": "dibutuhkan", "dibutuhkn": "dibutuhkan", "btuh": "butuh",
    "pngalaman": "pengalaman", "pengalamn": "pengalaman", "pglmn": "pengalaman", "pglaman": "pengalaman",
    "pengalman": "pengalaman", "pngalamn": "pengalaman", "exp": "pengalaman", "experience": "pengalaman",
    "prlu": "perlu", "perlu2": "perlu", "sgr": "segera", "sgra": "segera", "asap": "segera",
    "lgsg": "langsung", "lgs": "langsung", "lsg": "langsung", "langsng": "langsung", "lngsung": "langsung",
    "brgkt": "berangkat", "brkt": "berangkat", "brangkat": "berangkat", "berangkt": "berangkat",
    "ditangung": "ditanggung", "ditanggng": "ditanggung", "tanggungan": "ditanggung",
    "prshn": "perusahaan", "perush": "perusahaan", "pt.": "pt", "majikan2": "majikan",
    "tki": "tkw", "pmi": "pekerja migran", "ln": "luar negeri", "luarnegeri": "luar negeri",
    "pasport": "paspor", "passport": "paspor", "pspr": "paspor",
    # time
    "bln": "bulan", "blan": "bulan", "thn": "tahun", "th": "tahun", "thun": "tahun", "hr": "hari",
    "mgg": "minggu", "mggu": "minggu", "jm": "jam",
    # people
    "cwe": "cewek", "cewe": "cewek", "cwo": "cowok", "cowo": "cowok",
    "ortu": "ortu", "umr": "umr",
    # contact channels
    "wa": "whatsapp", "wasap": "whatsapp", "watsap": "whatsapp", "whatsap": "whatsapp", "wé": "whatsapp",
    "whatapp": "whatsapp", "ib": "inbox", "inbok": "inbox", "hub": "hubungi", "hubungin": "hubungi",
    "tele": "telegram", "tg": "telegram",
}
_KEYS = sorted(ABBREVIATIONS, key=len, reverse=True)

_TOKEN_RX = re.compile(
    r"(?P<wa>\bw\s?\.\s?a\b\.?|\bw a\b)"                              # "w.a", "w a"
    r"|(?P<spaced>(?<![\w])[a-z](?:[ .\-][a-z]){2,}(?![\w]))"         # "k a m b o j a", "t.e.l.e"
    r"|(?P<glued>(?<=\d)(?:jt|jta|jtaan|juta|rb|rbu|ribu)\b)"          # "15jt" -> "15 juta"
    r"|(?P<word>[a-z\u00e0-\u024f]+(?:2(?![\w]))?(?:/(?![\w]))?)"                   # looked up in ABBREVIATIONS
    r"|(?P<ws>\s{2,}|[\t\n\r\f\v\u00a0\u2028\u2029])"                  # whitespace runs -> " "
)
_REPEAT = re.compile(r"([a-wyz])\1{2,}")  # "gajiii" -> "gaji" ("xxxx" masks are kept)
_GLUED = {"jt": " juta", "jta": " juta", "jtaan": " juta", "juta": " juta", "rb": " ribu", "rbu": " ribu",
          "ribu": " ribu", "k": "k"}


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text and, for every normalised character, where it came from in ``original``."""

    original: str
    text: str
    #: ``len(text) + 1`` entries: ``offsets[i]`` is the index in ``original`` of the character that
    #: produced normalised character ``i``; ``offsets[len(text)] == len(original)``.
    offsets: tuple[int, ...]
    #: ``len(text)`` entries: ``ends[i]`` is the end (exclusive) in ``original`` of the source of
    #: normalised character ``i`` (a whole flag emoji, abbreviation or whitespace run).
    ends: tuple[int, ...] = ()

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``original`` that produced ``text[start:end]`` (end exclusive)."""
        n = len(self.text)
        start = min(max(start, 0), n)
        end = min(max(end, start), n)
        o_start = self.offsets[start]
        if end == start:
            return o_start, o_start
        return o_start, max(self.ends[end - 1], o_start)


def normalize(text: str) -> Normalized:
    """Normalise ``text``; never raises for any ``str``."""
    t1, o1, e1 = _char_step(text)
    pieces: list[str] = []
    offs: list[int] = []
    ends: list[int] = []
    pos = 0
    for m in _TOKEN_RX.finditer(t1):
        a, b = m.span()
        kind = m.lastgroup
        if kind == "wa":
            rep = "whatsapp"
        elif kind == "spaced":
            letters = [c for c in m.group() if c.isalpha()]
            rep = "".join(letters)
            if rep in ("wa",):
                rep = "whatsapp"
        elif kind == "glued":
            rep = _GLUED[m.group()]
        elif kind == "word":
            word = m.group()
            rep = ABBREVIATIONS.get(word)
            if rep is None:
                if word.endswith("2") and len(word) > 3:  # "kerja2" -> "kerja"
                    word = word[:-1]
                if len(word) > 2 and _REPEAT.search(word):
                    word = _REPEAT.sub(r"\1", word)
                rep = ABBREVIATIONS.get(word, word)
        else:  # whitespace
            rep = " "
        if rep == t1[a:b]:
            continue
        pieces.append(t1[pos:a])
        offs.extend(o1[pos:a])
        ends.extend(e1[pos:a])
        pieces.append(rep)
        offs.extend([o1[a]] * len(rep))
        ends.extend([e1[b - 1]] * len(rep))
        pos = b
    pieces.append(t1[pos:])
    offs.extend(o1[pos:])
    ends.extend(e1[pos:])
    offs.append(len(text))
    return Normalized(original=text, text="".join(pieces), offsets=tuple(offs), ends=tuple(ends))
