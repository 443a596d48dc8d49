"""Money in informal Indonesian adverts → amounts, currency, period and IDR per month.

Reads, on raw or normalised text (:func:`detector.normalize.normalize`): ``Rp 15.000.000``, ``Rp15jt``,
``15 juta``, ``8-12jt``, ``gaji 2 digit`` (10–99 juta), ``35rb/hari``, ``1.200 USD``, ``USD 1,200``, ``$800``,
``800$``, ``RM3500``, ``2.000 SR``, ``NT$ 27.470``, ``27rb NT``, ``¥200.000``, ``₩2.000.000``, ``2 juta won``,
``100k/hari``, ``Rp. 4.500.000,-`` …

Number rules:

* ``.`` groups thousands and ``,`` marks decimals: ``15.000.000`` = 15 million, ``1,5 juta`` = 1.5 million;
* a ``,`` followed by exactly three digits (and more such groups) groups thousands too: ``USD 1,200`` =
  1200, ``IDR 5,000,000`` = 5 million; then a ``.`` marks decimals;
* any other single ``.`` or ``,`` is a decimal point: ``1.5jt`` = 1.5 million, ``1,25 juta``;
* a magnitude word multiplies: juta/jt (10⁶), ribu/rb/k (10³), miliar (10⁹).

What counts as money: a number with a currency (``Rp``, ``USD``, ``$``, ``RM`` … before or after it), or
with juta/ribu/miliar, or of at least 100.000 with a salary, fee or period word near it. ``k`` counts
only with a currency, a period or a salary/fee word (``100k followers`` is not money); ``m`` is not read
(juta in English, miliar in Indonesian slang). Numbers starting with 0 (phone numbers, clock times), of
9+ digits without separators (ids), of more than 15 digits, or running on into more digits
(``1.2345``) are never money. Small amounts in ambiguous currency words (``2 sr``, ``won``, ``real``)
need a pay or fee context.

Period: ``/hari``, ``per hari``, ``sehari``, ``harian``, ``/hr``, ``/day`` → day (×26 working days);
``/minggu``, ``seminggu``, ``/week`` → week (×4.33); ``/bulan``, ``sebulan``, ``/bln``, ``/mo`` → month;
``/tahun``, ``setahun``, ``/thn``, ``/year`` → year (÷12); ``/jam``, ``per jam``, ``/hour`` → hour (×8×26).
``/tugas``, ``per order``, ``per klik``, ``per like``, ``per video``, ``per misi`` … → task (piece work: the
amount paid for one task, order, click or view). A task amount has NO monthly value (``idr_per_month_*`` are
``None``, as for one-off amounts): how many tasks a month bring is unknown, and in task scams ("komisi 50rb
per tugas") the per-task figure is the bait, not a wage. Read after the amount, else right before it
(``gaji harian Rp 150.000``, ``sehari bisa dapat 500rb``: a period word followed by up to three pay words
such as bisa, dapat, sampai, gaji, komisi). Without one, the nearest fee
or salary word in the 25 characters before the amount (same sentence) decides: a fee word (biaya, bayar,
DP, deposit, mahar, transfer, admin …) makes it a one-off (``once``, no monthly value), a salary word
(gaji, upah, salary, penghasilan …) makes it monthly; failing that, such a word right after the amount
(``Rp 450rb untuk biaya admin``, ``5jt gaji pokok``); else the period is ``unknown`` and the amount is
converted as if monthly.

Conversion uses the dated table ``resources/rates.toml`` (:data:`RATES_DATE`). All patterns run with the
stdlib ``re`` and are linear: a number cannot start inside a digit run (look-behind), no quantifier is
nested in another variable one, and the context patterns read at most 40 characters.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from importlib import resources

from detector.alternation import words_alternation

#: Working days per month, hours per working day and weeks per month used for the conversion.
DAYS_PER_MONTH = 26
HOURS_PER_DAY = 8
WEEKS_PER_MONTH = 4.33
PERIODS = ("month", "day", "week", "year", "hour", "unknown", "once", "task")

#: Currency word or symbol (lower case) → ISO 4217 code.
CURRENCY_WORDS: dict[str, str] = {
    "rp": "IDR", "rp.": "IDR", "idr": "IDR", "rupiah": "IDR",
    "usd": "USD", "us$": "USD", "$": "USD", "dolar": "USD", "dollar": "USD", "dollars": "USD",
    "rm": "MYR", "myr": "MYR", "ringgit": "MYR",
    "sgd": "SGD", "s$": "SGD", "hkd": "HKD", "hk$": "HKD",
    "nt$": "TWD", "ntd": "TWD", "twd": "TWD", "nt": "TWD",
    "¥": "JPY", "jpy": "JPY", "yen": "JPY", "₩": "KRW", "krw": "KRW", "won": "KRW",
    "sar": "SAR", "sr": "SAR", "riyal": "SAR", "real": "SAR", "aed": "AED", "dirham": "AED",
    "qar": "QAR", "kwd": "KWD", "dinar": "KWD", "omr": "OMR", "bhd": "BHD", "jod": "JOD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "£": "GBP", "gbp": "GBP", "pound": "GBP",
    "aud": "AUD", "a$": "AUD", "nzd": "NZD", "cad": "CAD", "cny": "CNY", "rmb": "CNY", "yuan": "CNY",
    "thb": "THB", "baht": "THB", "bnd": "BND", "b$": "BND", "php": "PHP", "peso": "PHP",
    "try": "TRY", "lira": "TRY", "pln": "PLN", "zloty": "PLN", "mop": "MOP", "czk": "CZK",
    "vnd": "VND", "dong": "VND", "rub": "RUB", "rubel": "RUB",
}
#: Currency words that are also ordinary words or units: small amounts need a pay/fee context.
_AMBIGUOUS_CURRENCY = frozenset({"nt", "sr", "real", "try", "peso", "pound", "dong", "won", "rub"})
_MAGNITUDE: dict[str, float] = {
    "juta": 1e6, "jt": 1e6, "jta": 1e6, "jutaan": 1e6, "million": 1e6, "mio": 1e6,
    "ribu": 1e3, "rb": 1e3, "k": 1e3, "thousand": 1e3, "miliar": 1e9, "milyar": 1e9,
}
_PERIOD_WORDS: dict[str, str] = {
    "hari": "day", "hr": "day", "day": "day", "harian": "day", "sehari": "day", "perhari": "day",
    "minggu": "week", "mgg": "week", "week": "week", "mingguan": "week", "seminggu": "week", "perminggu": "week",
    "bulan": "month", "bln": "month", "bl": "month", "month": "month", "mo": "month", "bulanan": "month",
    "sebulan": "month", "perbulan": "month",
    "tahun": "year", "thn": "year", "year": "year", "tahunan": "year", "setahun": "year", "pertahun": "year",
    "jam": "hour", "hour": "hour", "perjam": "hour", "sejam": "hour",
    "tugas": "task", "task": "task", "order": "task", "orderan": "task", "pesanan": "task", "klik": "task",
    "click": "task", "like": "task", "view": "task", "video": "task", "misi": "task", "transaksi": "task",
    "ulasan": "task", "review": "task", "rating": "task", "follow": "task", "subscribe": "task", "produk": "task",
}
#: Period → months factor; "once" and "task" have none (no monthly value).
_PER_MONTH: dict[str, float] = {"month": 1.0, "unknown": 1.0, "day": DAYS_PER_MONTH, "week": WEEKS_PER_MONTH,
                                "year": 1 / 12, "hour": HOURS_PER_DAY * DAYS_PER_MONTH}


def _alt(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first (so ``jtaan`` wins over ``jt``), grouped by first
    character (``(?:rp\\.|rmb|rp|rm)|idr|…``): the same matches as the flat alternation, tried faster."""
    return words_alternation(words)


_GAP = 3
_S = rf"\s{{0,{_GAP}}}"  # bounded gaps keep every pattern linear
_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d+)?"
_PRE_WORDS = ("rp", "rp.", "idr", "us$", "usd", "nt$", "ntd", "twd", "hk$", "hkd", "s$", "sgd", "a$", "aud",
              "b$", "bnd", "rm", "myr", "sar", "aed", "qar", "kwd", "omr", "eur", "€", "£", "gbp", "¥", "jpy", "₩",
              "krw", "$", "cny", "rmb", "thb", "php", "pln")
_PRE = _alt(_PRE_WORDS)
_POST = _alt(k for k in CURRENCY_WORDS if k not in ("rp", "rp."))
_MAG = _alt(_MAGNITUDE)
_SLASH_PERIODS = _alt(["hari", "hr", "day", "minggu", "mgg", "week", "bulan", "bln", "bl", "month", "mo",
                       "tahun", "thn", "year", "jam", "hour", "tugas", "task", "order", "orderan", "pesanan", "klik",
                       "click", "like", "view", "video", "misi", "transaksi", "ulasan", "review", "rating", "follow",
                       "subscribe", "produk"])
_GLUED_PERIODS = _alt(["harian", "sehari", "perhari", "mingguan", "seminggu", "perminggu", "bulanan", "sebulan",
                       "perbulan", "tahunan", "setahun", "pertahun", "perjam", "sejam"])

_MONEY_RX = re.compile(
    rf"(?<![\w$€£¥₩])(?:(?P<pre>{_PRE}){_S})?"
    rf"(?P<n1>{_NUM})(?:{_S}(?P<mag1>{_MAG})(?!\w))?"
    rf"(?:{_S}(?:-|–|~|s/d|sd|sampai|hingga|to){_S}(?:(?:{_PRE}){_S})?(?P<n2>{_NUM}))?"
    rf"(?:{_S}(?P<mag>{_MAG})(?!\w))?"
    rf"(?:{_S}(?P<post>{_POST})(?!\w))?"
    r"(?:,-|\.-)?"
    rf"(?:{_S}(?:/|per|tiap|setiap){_S}(?P<per>{_SLASH_PERIODS})(?!\w)|\s{{1,3}}(?P<per2>{_GLUED_PERIODS})(?!\w))?"
)
_DIGIT_SALARY = re.compile(r"(?<!\w)(?:gaji|gj|salary|upah|penghasilan)\s(?:minimal\s|min\.?\s|bisa\s)?"
                           r"(?P<n>2|3|dua|tiga)\s?digit(?!\w)")
_SALARY_WORDS = (r"gaji|gajinya|gj|gji|gjh|salary|upah|penghasilan|pendapatan|income|bayaran|honor|take\s?home|thp|"
                 r"komisi|bonus|insentif|uang\ssaku|dibayar")
_FEE_WORDS = (r"biaya|bayar|membayar|dp|deposit|deposito|mahar|transfer|tf|modal|jaminan|denda|setor|setoran|"
              r"ongkos|harga|fee|potongan|pendaftaran|administrasi|admin|cicilan|cicil|utang|hutang|pinjaman|"
              r"top\s?up|investasi|tebus")
_SALARY_BEFORE = re.compile(rf"(?<!\w)(?:{_SALARY_WORDS})(?!\w)[^.\n]{{0,25}}$")
_FEE_BEFORE = re.compile(rf"(?<!\w)(?:{_FEE_WORDS})(?!\w)[^.\n]{{0,25}}$")
_SALARY_AFTER = re.compile(rf"[\s,:]{{0,3}}(?:{_SALARY_WORDS})(?!\w)")
_FEE_AFTER = re.compile(rf"[\s,:]{{0,3}}(?:untuk\s|utk\s)?(?:{_FEE_WORDS})(?!\w)")
_PERIOD_BEFORE = re.compile(rf"(?:(?<!\w)(?:per|tiap|setiap)\s?|/\s?)(?P<per>{_SLASH_PERIODS})(?!\w)"
                            rf"\s?[:=]?\s?$|(?<!\w)(?P<per2>{_GLUED_PERIODS})\s?[:=]?\s?$")
_LEAD_WORDS = ("bisa", "dapat", "dapet", "sampai", "mencapai", "capai", "hingga", "gaji", "upah", "komisi",
               "penghasilan", "income", "menghasilkan", "hasilkan", "cuan", "untung", "dibayar")
_LEAD = "|".join(_LEAD_WORDS)
#: A period word, then up to three pay words, right before the amount: "sehari bisa dapat 500rb".
_PERIOD_LEAD = re.compile(rf"(?:(?<!\w)(?:per|tiap|setiap)\s?|/\s?)(?P<per>{_SLASH_PERIODS})(?!\w)"
                          rf"(?:(?:\s(?:{_LEAD})){{1,3}})\s?[:=]?\s?$|"
                          rf"(?<!\w)(?P<per2>{_GLUED_PERIODS})(?:\s(?:{_LEAD})){{1,3}}\s?[:=]?\s?$")
#: How a match of :data:`_PERIOD_LEAD` ends: a text without it at its end has no such match.
_LEAD_TAIL = re.compile(rf"\s(?:{_LEAD})\s?[:=]?\s?$")
#: Matches of these end-anchored patterns start at most this many characters before the end (the longest
#: connector, period or pay word, with the spaces and ":" the patterns allow, and a final newline before
#: which ``$`` may match); searching only there finds the same match.
_PERIOD_BEFORE_REACH = len("setiap") + 1 + max(map(len, _PERIOD_WORDS)) + 4
_LEAD_TAIL_REACH = 1 + max(map(len, _LEAD_WORDS)) + 4
#: A match of :data:`_MONEY_RX` starts at most this many characters before its first digit (a currency
#: word and the gap after it), so a search for it may start there: no match starts earlier.
_MONEY_REACH = max(map(len, _PRE_WORDS)) + _GAP
_DOT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?")
_COMMA_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?")
_MAX_DIGITS = 15
_DECIMAL = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Money:
    """One amount of money found in a text. ``start``/``end`` index the string passed to :func:`find_money`."""

    start: int
    end: int
    text: str
    #: In units of ``currency``; equal unless a range (``8-12jt``) was written.
    amount_min: float
    amount_max: float
    #: ISO 4217 code.
    currency: str
    #: One of :data:`PERIODS`.
    period: str
    #: The amount in IDR per month; ``None`` for one-off amounts or a currency without a rate.
    idr_per_month_min: float | None
    idr_per_month_max: float | None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict of all fields, in declaration order (``asdict`` without its deep copies:
        every field is a scalar)."""
        return {name: getattr(self, name) for name in _MONEY_FIELDS}


_MONEY_FIELDS = tuple(f.name for f in fields(Money))


@functools.cache
def _rates() -> tuple[str, dict[str, float]]:
    """``(date, {currency: IDR per unit})`` from ``resources/rates.toml``, read once."""
    ref = resources.files("detector") / "resources" / "rates.toml"
    doc = tomllib.loads(ref.read_text(encoding="utf-8"))
    return str(doc["date"]), {k: float(v) for k, v in doc["idr_per_unit"].items()}


#: Date of the exchange-rate table.
RATES_DATE: str = _rates()[0]


def idr_rate(currency: str) -> float | None:
    """IDR per unit of ``currency`` (ISO 4217) from the dated table, ``None`` if it has no rate."""
    return _rates()[1].get(currency)


def parse_number(s: str) -> float:
    """An Indonesian or English formatted number → float (rules in the module docstring)."""
    if _DOT_THOUSANDS.fullmatch(s):
        whole, _, dec = s.partition(",")
        return float(whole.replace(".", "") + ("." + dec if dec else ""))
    if _COMMA_THOUSANDS.fullmatch(s):
        return float(s.replace(",", ""))
    return float(s.replace(",", "."))


def find_money(text: str) -> list[Money]:
    """Every amount of money in ``text``, in order of position; spans index ``text``."""
    if not _has_digit(text):
        return []
    low = text.lower()
    if len(low) != len(text):  # a character whose lower case is longer (İ): keep indices aligned
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    spans = [_make(text, d.start(), d.end(), *_digit_range(d.group("n")), "IDR", "month")
             for d in _DIGIT_SALARY.finditer(low)] if "digit" in low else []
    out = list(spans)
    i, pos = 0, 0  # spans are sorted; i is the first that may still overlap a later amount
    # Every amount holds a digit: the search starts near the next one, not at every character before it.
    while (d := _DECIMAL.search(low, pos)) is not None and (
            m := _MONEY_RX.search(low, max(pos, d.start() - _MONEY_REACH))) is not None:
        money = _from_match(text, low, m)
        if money is None:
            pos = m.end("n1")  # what followed the rejected number may start an amount ("no 12 rp 50.000")
            continue
        pos = m.end()
        while i < len(spans) and spans[i].end <= money.start:
            i += 1
        if i == len(spans) or spans[i].start >= money.end:
            out.append(money)
    return sorted(out, key=lambda x: x.start)


def _has_digit(text: str) -> bool:
    """``any(c.isdigit() for c in text)``, quickly: ``\\d`` (Unicode Nd) chars are all ``isdigit``; the
    other ``isdigit`` chars (superscripts, circled digits …) are not ASCII."""
    if _DECIMAL.search(text) is not None:
        return True
    return not text.isascii() and any(c.isdigit() for c in text)


def _digit_range(n: str) -> tuple[float, float]:
    """``gaji 2 digit`` = 10-99 juta, ``3 digit`` = 100-999 juta."""
    digits = 2 if n in ("2", "dua") else 3
    return 10.0 ** (digits + 5), 10.0 ** (digits + 6) - 1e6


def _is_id_like(n: str, following: str) -> bool:
    """Phone numbers, ids, malformed or absurdly long numbers are never amounts."""
    digits = sum(c.isdigit() for c in n)
    malformed = following[:1].isdigit() or (following[:1] in (".", ",") and following[1:2].isdigit())
    return malformed or (n[0] == "0" and n[1:2].isdigit()) or digits > _MAX_DIGITS or (digits >= 9 and n.isdigit())


def _period(m: re.Match[str], before: str, after: str) -> str:
    """The period of match ``m``: a period word after it, else right before it, else its context."""
    per = m.group("per") or m.group("per2")
    if per is None and ((pm := _PERIOD_BEFORE.search(before, max(0, len(before) - _PERIOD_BEFORE_REACH))) is not None
                        or (_LEAD_TAIL.search(before, max(0, len(before) - _LEAD_TAIL_REACH)) is not None
                            and (pm := _PERIOD_LEAD.search(before)) is not None)):
        per = pm.group("per") or pm.group("per2")
    if per is not None:
        return _PERIOD_WORDS[per]
    fee, salary = _FEE_BEFORE.search(before), _SALARY_BEFORE.search(before)
    if fee is not None or salary is not None:  # the nearer word wins: "gaji 5jt dipotong biaya 2jt"
        return "once" if salary is None or (fee is not None and fee.start() > salary.start()) else "month"
    if _FEE_AFTER.match(after):
        return "once"
    return "month" if _SALARY_AFTER.match(after) else "unknown"


def _from_match(text: str, low: str, m: re.Match[str]) -> Money | None:
    """Validate one candidate match; ``None`` when it is not money."""
    n1, n2 = m.group("n1"), m.group("n2")
    if _is_id_like(n1, low[m.end("n1"):m.end("n1") + 2]) or (
            n2 is not None and _is_id_like(n2, low[m.end("n2"):m.end("n2") + 2])):
        return None
    cur_word = m.group("pre") or m.group("post") or ""
    currency = CURRENCY_WORDS.get(cur_word, "")
    mag1, mag = m.group("mag1"), m.group("mag")
    unit = mag or mag1 or ""
    v1 = parse_number(n1) * _MAGNITUDE.get(mag1 or unit, 1.0)
    v2 = v1 if n2 is None else parse_number(n2) * _MAGNITUDE.get(unit, 1.0)
    if not (currency or unit) and v1 < 100_000:
        return None  # bare numbers: ages, years, durations, room numbers, postcodes
    period = _period(m, low[max(0, m.start() - 40):m.start()], low[m.end():m.end() + 30])
    context = period != "unknown"  # a period, fee or salary word is near
    if unit in ("k", "thousand", "million", "mio") and not (currency or context):
        return None  # "100k followers"
    if cur_word in _AMBIGUOUS_CURRENCY and v1 < 500 and not (unit or context):
        return None  # "2 sr", "we won 3": small numbers count only in a pay/fee context
    if not currency:
        if not (unit or context):
            return None  # a big bare number needs a salary, fee or period word
        currency = "IDR"
    if currency == "IDR" and not unit and max(v1, v2) < 1000:
        return None  # "Rp 5": tiny rupiah amounts without a magnitude are noise
    end = m.end()
    while end > m.start() and text[end - 1].isspace():
        end -= 1
    lo, hi = sorted((v1, v2))
    return _make(text, m.start(), end, lo, hi, currency, period)


def _make(text: str, start: int, end: int, lo: float, hi: float, currency: str, period: str) -> Money:
    rate = _rates()[1].get(currency)
    per_month = _PER_MONTH.get(period)
    pm_lo: float | None = None
    pm_hi: float | None = None
    if per_month is not None and rate is not None:
        k = rate * per_month
        pm_lo, pm_hi = lo * k, hi * k
    return Money(start=start, end=end, text=text[start:end], amount_min=lo, amount_max=hi, currency=currency,
                 period=period, idr_per_month_min=pm_lo, idr_per_month_max=pm_hi)
