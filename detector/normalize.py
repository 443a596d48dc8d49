"""Normalisation of informal Indonesian with an exact offset map back to the original text.

Indicators and the money parser read the normalised text; their evidence is mapped back to the
ORIGINAL post with :meth:`Normalized.to_original`. Steps:

1. per character: Unicode NFKC (fancy fonts such as 𝐆𝐀𝐉𝐈, full-width digits), zero-width characters,
   variation selectors and tag characters dropped, lower case (a character whose lower case is longer,
   like ``İ``, yields several characters, all mapped to it), flag emoji (regional-indicator pairs) →
   `` <country> ``, a few emoji → words (✈️ → `` pesawat ``, 💰 → `` uang ``);
2. per token: spaced-out words collapsed (``k a m b o j a`` → kamboja, ``W A``/``w.a`` → wa), common
   abbreviations and slang expanded from :data:`ABBREVIATIONS` (``gj`` → gaji, ``tdk`` → tidak,
   ``wa`` → whatsapp, ``loker`` → lowongan kerja …), magnitudes glued to a number split off and
   expanded (``15jt`` → ``15 juta``), common typos of bait words read as the word (:data:`TYPOS`:
   ``tiekt`` → tiket, ``tikit`` → tiket; two swapped letters of a short list of key words),
   reduplication written with 2 reduced (``kerja2`` → kerja), a letter repeated 3+ times collapsed
   (``gajiii`` → gaji; ``w`` and ``x`` are kept: ``www``, ``xxxx`` masks), whitespace runs → one
   space, leading and trailing whitespace removed. Step 2 reads the text chunk by chunk (the pieces
   between single spaces): each distinct chunk's changes are worked out once and cached, and a chunk
   whose token may run over a space into its neighbour is read together with it (see ``_changes``):
   the same changes as one scan of the whole text, several times cheaper on posts.

Offsets: a replacement of original span ``[a, b)`` by ``r`` maps every character of ``r`` to ``a``
(``offsets``) and records ``b`` as its end (``ends``), so ``to_original`` of the whole replacement,
or of any part of it, is ``(a, b)``.

Deliberate choices: ``tkw``/``tki`` are kept as written (the learned model weighs them; no indicator
needs an expansion); ``pmi`` is kept (it is also Palang Merah Indonesia, and indicators match
``bpjs pmi``); ``pm``/``dm``/``japri``/``inbox`` are kept and ``ib`` → inbox; ``hr`` is kept (HR
department; the money parser reads ``/hr`` itself). NFKC is applied per character, so a base letter
plus a combining accent is not composed.

Every pattern is linear: no nested variable quantifiers, and each alternative is anchored on a
character class that cannot overlap its repetition separator.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, compress

from detector.memo import Memo

# -- step 1: characters -------------------------------------------------------------------------

#: Regional-indicator pair (ISO 3166 alpha-2) → Indonesian country name. Unknown flags → luar negeri.
FLAG_COUNTRIES: dict[str, str] = {
    "KH": "kamboja", "MM": "myanmar", "LA": "laos", "TH": "thailand", "VN": "vietnam", "PH": "filipina",
    "MY": "malaysia", "BN": "brunei", "SG": "singapura", "HK": "hong kong", "TW": "taiwan", "KR": "korea",
    "JP": "jepang", "CN": "china", "MO": "makau", "SA": "arab saudi", "AE": "uea", "QA": "qatar",
    "KW": "kuwait", "OM": "oman", "BH": "bahrain", "JO": "yordania", "TR": "turki", "PL": "polandia",
    "DE": "jerman", "NL": "belanda", "FR": "prancis", "IT": "italia", "ES": "spanyol", "PT": "portugal",
    "GB": "inggris", "RU": "rusia", "AU": "australia", "NZ": "selandia baru", "US": "amerika", "CA": "kanada",
    "ID": "indonesia", "NG": "nigeria", "GE": "georgia", "CZ": "ceko", "RO": "rumania", "HU": "hungaria",
    "IN": "india", "LK": "sri lanka", "BD": "bangladesh", "NP": "nepal", "PK": "pakistan", "EG": "mesir",
    "TL": "timor leste", "AT": "austria", "CH": "swiss", "SE": "swedia", "IE": "irlandia", "DK": "denmark",
}
UNKNOWN_FLAG = "luar negeri"
#: Single emoji → word (variation selectors after them are dropped separately).
EMOJI_WORDS: dict[str, str] = {
    "✈": "pesawat", "🛫": "pesawat", "🛬": "pesawat", "💰": "uang", "💵": "uang", "💸": "uang", "🤑": "uang",
    "💴": "uang", "💶": "uang", "💷": "uang", "📞": "telepon", "☎": "telepon", "📱": "hp",
}
_DROP = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u20e3")
_RI_FIRST, _RI_LAST = 0x1F1E6, 0x1F1FF


def _dropped(o: int) -> bool:
    """Zero-width characters, variation selectors (both ranges) and tag characters."""
    return 0xFE00 <= o <= 0xFE0F or 0xE0000 <= o <= 0xE01EF


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _char_step(text: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """Step 1: per-character rewriting; returns the text and each output char's source start/end."""
    if text.isascii():  # fast path: most posts (one character each)
        return text.lower(), range(len(text)), range(1, len(text) + 1)
    out: list[str] = []
    offs: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        m = _NON_ASCII.search(text, i)
        j = n if m is None else m.start()
        if j > i:  # an ASCII run: lower case, one output character per input character
            out.append(text[i:j].lower())
            offs.extend(range(i, j))
            ends.extend(range(i + 1, j + 1))
        if m is None:
            break
        ch = text[j]
        o = ord(ch)
        if ch in _DROP or _dropped(o):
            i = j + 1
            continue
        if _RI_FIRST <= o <= _RI_LAST and j + 1 < n and _RI_FIRST <= ord(text[j + 1]) <= _RI_LAST:
            code = chr(o - _RI_FIRST + 65) + chr(ord(text[j + 1]) - _RI_FIRST + 65)
            rep, width = f" {FLAG_COUNTRIES.get(code, UNKNOWN_FLAG)} ", 2
        elif ch in EMOJI_WORDS:
            rep, width = f" {EMOJI_WORDS[ch]} ", 1
        else:
            rep, width = unicodedata.normalize("NFKC", ch).lower(), 1
        out.append(rep)
        offs.extend([j] * len(rep))
        ends.extend([j + width] * len(rep))
        i = j + width
    return "".join(out), offs, ends


# -- step 2: tokens -------------------------------------------------------------------------------

#: Abbreviation / slang / common misspelling → expansion. Whole letter tokens only (a token glued
#: after a digit is left alone, except the magnitudes in ``_GLUED``).
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
    "aja": "saja", "aj": "saja", "sj": "saja", "doang": "saja", "cuman": "cuma",
    # work, recruitment
    "krj": "kerja", "krja": "kerja", "kerjaan": "pekerjaan", "loker": "lowongan kerja",
    "lowker": "lowongan kerja", "lowkr": "lowongan kerja", "vacancy": "lowongan", "hiring": "dibutuhkan",
    "dibthkan": "dibutuhkan", "dbthkn": "dibutuhkan", "dibutuhkn": "dibutuhkan", "btuh": "butuh",
    "pngalaman": "pengalaman", "pengalamn": "pengalaman", "pglmn": "pengalaman", "pglaman": "pengalaman",
    "pengalman": "pengalaman", "pngalamn": "pengalaman", "exp": "pengalaman", "experience": "pengalaman",
    "prlu": "perlu", "sgr": "segera", "sgra": "segera", "asap": "segera",
    "lgsg": "langsung", "lgs": "langsung", "lsg": "langsung", "langsng": "langsung", "lngsung": "langsung",
    "brgkt": "berangkat", "brkt": "berangkat", "brangkat": "berangkat", "berangkt": "berangkat",
    "ditangung": "ditanggung", "ditanggng": "ditanggung",
    "prshn": "perusahaan", "perush": "perusahaan",
    "ln": "luar negeri", "luarnegeri": "luar negeri",
    "pasport": "paspor", "passport": "paspor", "pspr": "paspor",
    # time
    "bln": "bulan", "blan": "bulan", "thn": "tahun", "th": "tahun", "thun": "tahun",
    "mgg": "minggu", "mggu": "minggu", "jm": "jam",
    # people
    "cwe": "cewek", "cewe": "cewek", "cwo": "cowok", "cowo": "cowok",
    # contact channels
    "wa": "whatsapp", "wasap": "whatsapp", "watsap": "whatsapp", "whatsap": "whatsapp", "whatapp": "whatsapp",
    "ib": "inbox", "inbok": "inbox", "hub": "hubungi", "hubungin": "hubungi", "tele": "telegram", "tg": "telegram",
    # regional languages mixed into posts (Javanese, Sundanese) and Malay words used by brokers
    "ora": "tidak", "mboten": "tidak", "teu": "tidak", "henteu": "tidak", "ojo": "jangan",
    "kerjo": "kerja", "gawe": "kerja", "mbayar": "bayar", "mayar": "bayar",
    "duwit": "uang", "artos": "uang", "ewu": "ribu", "sedino": "sehari", "wis": "sudah",
    "imigresen": "imigrasi", "melancong": "wisata", "majikane": "majikan",
}

#: Bait words the red flags hang on. Any of them with two adjacent letters swapped (``tiekt`` → tiket,
#: ``gratsi`` → gratis) is read as the word itself (see :data:`TYPOS`): one typo must not hide a red flag.
TYPO_KEYWORDS = (
    "tiket", "visa", "paspor", "gaji", "gratis", "ditanggung", "dibayar", "pengalaman", "berangkat",
    "keberangkatan", "pesawat", "kamboja", "myanmar", "thailand", "malaysia", "biaya", "pendaftaran",
    "transfer", "deposit", "saldo", "komisi", "jaminan", "potong", "hutang", "turis", "kunjungan", "umroh",
    "umrah", "majikan", "ditahan", "disita", "segera", "syarat", "tanpa", "ijazah", "rahasia", "japri",
    "lowongan", "langsung", "negeri", "sponsor", "imigrasi", "wisata", "liburan",
)
#: Letter swaps of :data:`TYPO_KEYWORDS` that are words in their own right (found in the loker.id
#: descriptions, the SMS corpus and the adverts when this table was built), never rewritten.
REAL_WORD_SWAPS = frozenset({"murah"})  # a swap of "umrah"
#: Other frequent misspellings of bait words seen in posts.
MISSPELLINGS: dict[str, str] = {
    "tikit": "tiket", "tiked": "tiket", "tikett": "tiket", "tikets": "tiket", "visah": "visa", "paspot": "paspor",
    "gratiss": "gratis", "geratis": "gratis", "ditanggug": "ditanggung", "ditangungg": "ditanggung",
    "pengalamam": "pengalaman", "kambodia": "kamboja", "kambodja": "kamboja",
}


def _swaps(word: str) -> set[str]:
    return {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1) if word[i] != word[i + 1]}


#: Typo → bait word: :data:`MISSPELLINGS` and every adjacent-letter swap of :data:`TYPO_KEYWORDS`
#: (words of 4+ letters) that is not a real word. Looked up after :data:`ABBREVIATIONS`.
TYPOS: dict[str, str] = {
    **{swap: word for word in TYPO_KEYWORDS if len(word) >= 4 for swap in _swaps(word)
       if swap not in REAL_WORD_SWAPS and swap not in TYPO_KEYWORDS},
    **MISSPELLINGS,
}

_TOKEN_RX = re.compile(
    r"(?P<spaced>(?<!\w)[a-z](?:[ .\-][a-z]){2,}(?!\w))"                 # "k a m b o j a", "t.e.l.e"
    r"|(?P<wa>(?<!\w)w(?: |\. ?)a(?!\w)\.?)"                            # "w a", "w.a", "w. a."
    r"|(?P<glued>(?<=\d)(?:jtaan|jta|jt|juta|rbu|rb|ribu)(?!\w))"          # "15jt" -> "15 juta"
    r"|(?P<word>(?<![0-9a-z\u00e0-\u024f])[a-z\u00e0-\u024f]+(?:2(?!\w))?(?:/(?!\w))?)"  # table lookup
    r"|(?P<ws>\s{2,}|[^\S ])"                                             # whitespace runs -> " "
)
_REPEAT = re.compile(r"([a-vyz])\1{2,}")
_GLUED = {"jt": " juta", "jta": " juta", "jtaan": " juta", "juta": " juta",
          "rb": " ribu", "rbu": " ribu", "ribu": " ribu"}


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text and, for every normalised character, where it came from in ``original``."""

    original: str
    #: The normalised text.
    text: str
    #: ``len(text) + 1`` entries: ``offsets[i]`` is the index in ``original`` where normalised
    #: character ``i`` came from; ``offsets[len(text)] == len(original)``.
    offsets: tuple[int, ...]
    #: ``len(text)`` entries: ``ends[i]`` is the end (exclusive) in ``original`` of the source of
    #: character ``i`` (a whole flag emoji, abbreviation or whitespace run). Optional: when empty,
    #: ``to_original`` uses ``offsets[end]`` instead.
    ends: tuple[int, ...] = ()

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The span ``(s, e)`` of ``original`` that produced ``text[start:end]`` (end exclusive).

        Out-of-range arguments are clipped; an empty span maps to an empty span.
        """
        n = len(self.text)
        start = min(max(start, 0), n)
        end = min(max(end, start), n)
        o_start = self.offsets[start]
        if end == start:
            return o_start, o_start
        o_end = self.ends[end - 1] if self.ends else self.offsets[end]
        return o_start, max(o_end, o_start)


@functools.lru_cache(maxsize=65_536)
def _expand_word(word: str) -> str:
    """Table lookup for one letter token, after undoing ``kerja2`` and ``gajiii``."""
    rep = ABBREVIATIONS.get(word) or TYPOS.get(word)
    if rep is not None:
        return rep
    if word.endswith("2") and len(word) > 3:  # "kerja2" -> "kerja"
        word = word[:-1]
    if len(word) > 2:
        word = _REPEAT.sub(r"\1", word)
    return ABBREVIATIONS.get(word) or TYPOS.get(word, word)


def _replacement(kind: str | None, token: str) -> str:
    if kind == "spaced":
        return _expand_word("".join(c for c in token if c.isalpha()))
    if kind == "wa":
        return ABBREVIATIONS["wa"]
    if kind == "glued":
        return _GLUED[token]
    if kind == "word":
        return _expand_word(token)
    return " "  # whitespace


#: A change of ``t1[a:b]`` into ``rep``.
Change = tuple[int, int, str]


def _scan(t1: str, start: int = 0, end: int | None = None) -> list[Change]:
    """The tokens of ``t1[start:end]`` (step 2) that change, with what they change into."""
    out: list[Change] = []
    for m in _TOKEN_RX.finditer(t1, start, len(t1) if end is None else end):
        token, kind = m.group(), m.lastgroup
        rep = _expand_word(token) if kind == "word" else _replacement(kind, token)  # most tokens are words
        if rep != token:
            out.append((m.start(), m.end(), rep))
    return out


# -- step 2, chunk by chunk -------------------------------------------------------------------------
# Most of a post is words that no token rule changes. Step 2 splits the text at single spaces into
# chunks and looks each distinct chunk up once (:data:`_CHUNK_CHANGES`): its changes, read from the chunk
# between two spaces, or :data:`_WITH_NEIGHBOURS`. A chunk's tokens are the same in the post as between
# two spaces unless a token can run over the space into the next chunk: a spaced-out word
# (``k a m b o j a``, ``c.d e.f``), ``w a``/``w. a``, or a whitespace run. Such a token needs a letter
# that ends a chunk with no word character before it (``a``, ``.c``, ``w.``) and a letter that starts
# the next with no word character after it, or whitespace at a chunk's edge (or an empty chunk: two
# spaces). Chunks with one of these edges are read with their neighbours: each run of them is scanned
# in the text, together with the spaces around it, exactly as the whole text would be.

#: The start of a chunk that a token from the chunk before may run into.
_OPEN_START = re.compile(r"[a-z](?!\w)")
#: The end of a chunk from which a token may run into the next chunk.
_OPEN_END = re.compile(r"(?<!\w)(?:[a-z]|w\.)\Z")
#: Distinct chunks whose changes are kept (a full table is emptied).
CHUNK_CACHE_SIZE = 65_536
#: The changes of a chunk that must be read with its neighbours.
_WITH_NEIGHBOURS: tuple[Change, ...] = ((-1, -1, ""),)


def _chunk_changes(chunk: str) -> tuple[Change, ...]:
    """The changes of ``chunk`` (offsets in the chunk) when it stands between spaces, or
    :data:`_WITH_NEIGHBOURS`."""
    if (not chunk or chunk[0].isspace() or chunk[-1].isspace() or _OPEN_START.match(chunk)
            or _OPEN_END.search(chunk)):
        return _WITH_NEIGHBOURS
    return tuple((a - 1, b - 1, rep) for a, b, rep in _scan(f" {chunk} "))


#: chunk → :func:`_chunk_changes`, computed on first sight
_CHUNK_CHANGES: Memo[str, tuple[Change, ...]] = Memo(_chunk_changes, CHUNK_CACHE_SIZE)


def _changes(t1: str, chunks: list[str], per_chunk: list[tuple[Change, ...]]) -> list[Change]:
    """The changes of step 2 in ``t1`` (``chunks``: ``t1.split(" ")``, ``per_chunk``: their changes), in order."""
    ends_at = list(accumulate(map(len, chunks)))  # chunk i ends at ends_at[i] + i
    n = len(t1)
    out: list[Change] = []
    start = end = -1  # the run of chunks read with their neighbours, with the spaces around it
    for i in compress(range(len(chunks)), per_chunk):
        changes = per_chunk[i]
        e = ends_at[i] + i
        s = e - len(chunks[i])
        if changes is _WITH_NEIGHBOURS:
            if s - 1 <= end:  # the next chunk of the run
                end = min(n, e + 1)
                continue
            if end >= 0:
                out += _scan(t1, start, end)
            start, end = max(0, s - 1), min(n, e + 1)
            continue
        if end >= 0:
            out += _scan(t1, start, end)
            start = end = -1
        out += [(s + a, s + b, rep) for a, b, rep in changes]
    if end >= 0:
        out += _scan(t1, start, end)
    return out


def normalize(text: str) -> Normalized:
    """Normalise ``text`` (see the module docstring); never raises for any ``str``."""
    t1, o1, e1 = _char_step(text)
    chunks = t1.split(" ")
    per_chunk = list(map(_CHUNK_CHANGES.__getitem__, chunks))
    if not any(per_chunk):  # nothing changes (and no space to strip: that would be an empty chunk)
        return Normalized(original=text, text=t1, offsets=(*o1, len(text)), ends=tuple(e1))
    pieces: list[str] = []
    offs: list[int] = []
    ends: list[int] = []
    pos = 0
    for a, b, rep in _changes(t1, chunks, per_chunk):
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
    out = "".join(pieces)
    lo, hi = len(out) - len(out.lstrip(" ")), len(out.rstrip(" "))
    if lo or hi < len(out):
        out, offs, ends = out[lo:hi], offs[lo:hi], ends[lo:hi]
    offs.append(len(text))
    return Normalized(original=text, text=out, offsets=tuple(offs), ends=tuple(ends))
