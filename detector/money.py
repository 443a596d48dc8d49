"""Money and numbers in informal Indonesian adverts → amounts normalised to IDR per month.

Reads ``Rp 15.000.000``, ``15jt``/``15 juta``, ``8-12jt``, ``gaji 2 digit``, ``35rb/hari``,
``1.200 USD``, ``$800``, ``RM 3.500``, ``2.000 SR``, ``NT$ 27.470``, ``¥200.000``, ``100k`` … on raw
or normalised text. Number rules: ``.`` groups thousands and ``,`` marks decimals
(``15.000.000``, ``1,5 juta``), except that a ``,`` followed by exactly three digits groups thousands
too (``USD 1,200``) and ``1.5jt`` is one and a half million. A bare number is money only with a
currency, a magnitude word (juta/ribu/k) or a salary word right before it and at least 100.000.
Period: ``/hari``, ``per minggu``, ``sebulan``, ``/thn``, ``/jam`` … after the amount; fee words before
it (biaya, bayar, DP, deposit, mahar …) make it a one-off (``once``); a salary word makes it monthly.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any


#: Working days per month and hours per day used to turn daily/hourly pay into monthly pay.
DAYS_PER_MONTH = 26
HOURS_PER_DAY = 8
WEEKS_PER_MONTH = 4.33

_CURRENCY_WORDS: dict[str, str] = {
    "rp": "IDR", "rp.": "IDR", "idr": "IDR", "rupiah": "IDR",
    "usd": "USD", "us$": "USD", "$": "USD", "dolar": "USD", "dollar": "USD", "dollars": "USD",
    "rm": "MYR", "myr": "MYR", "ringgit": "MYR",
    "sgd": "SGD", "s$": "SGD", "hkd": "HKD", "hk$": "HKD",
    "nt$": "TWD", "ntd": "TWD", "twd": "TWD", "nt": "TWD",
    "¥": "JPY", "jpy": "JPY", "yen": "JPY", "₩": "KRW", "krw": "KRW", "won": "KRW",
    "sar": "SAR", "sr": "SAR", "riyal": "SAR", "real": "SAR", "aed": "AED", "dirham": "AED",
    "qar": "QAR", "kwd": "KWD", "dinar": "KWD", "omr": "OMR", "bhd": "BHD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "£": "GBP", "gbp": "GBP", "pound": "GBP",
    "aud": "AUD", "a$": "AUD", "nzd": "NZD", "cad": "CAD", "cny": "CNY", "rmb": "CNY", "yuan": "CNY",
    "thb": "THB", "baht": "THB", "bnd": "BND", "b$": "BND", "php": "PHP", "peso": "PHP",
    "try": "TRY", "lira": "TRY", "pln": "PLN", "zloty": "PLN", "mop": "MOP", "czk": "CZK",
}
_MAGNITUDE = {"juta": 1e6, "jt": 1e6, "jta": 1e6, "jutaan": 1e6, "ribu": 1e3, "rb": 1e3, "k": 1e3,
              "miliar": 1e9, "milyar": 1e9, "m": 1e6, "million": 1e6, "mio": 1e6, "thousand": 1e3}
_PERIOD = {"hari": "day", "day": "day", "hr": "day", "harian": "day", "sehari": "day", "perhari": "day",
           "minggu": "week", "week": "week", "mingguan": "week", "seminggu": "week", "perminggu": "week",
           "bulan": "month", "bln": "month", "month": "month", "mo": "month", "bulanan": "month",
           "sebulan": "month", "perbulan": "month", "bl": "month",
           "tahun": "year", "thn": "year", "year": "year", "tahunan": "year", "setahun": "year",
           "pertahun": "year", "jam": "hour", "hour": "hour", "perjam": "hour", "sejam": "hour"}
_PER_MONTH = {"month": 1.0, "unknown": 1.0, "day": DAYS_PER_MONTH, "week": WEEKS_PER_MONTH,
              "year": 1 / 12, "hour": HOURS_PER_DAY * DAYS_PER_MONTH}

_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d+)?"
_PRE_CUR = r"rp\.?|idr|us\$|usd|nt\$|ntd|twd|hk\$|hkd|s\$|sgd|a\$|aud|b\$|bnd|rm|myr|sar|aed|qar|kwd|eur|€|£|gbp|¥|jpy|₩|krw|\$|cny|rmb|thb|php|pln"
_POST_CUR = (r"usd|us\$|dollars?|dolar|\$|rm|ringgit|myr|sgd|hkd|nt\$|ntd|twd|nt|yen|jpy|won|krw|sar|sr|riyal|real|"
             r"aed|dirham|qar|kwd|dinar|omr|bhd|euro|eur|€|£|gbp|pound|aud|nzd|cad|cny|rmb|yuan|thb|baht|bnd|"
             r"php|peso|try|lira|pln|zloty|mop|czk|rupiah|idr")
_MAG = r"juta|jutaan|jta|jt|ribu|rb|miliar|milyar|million|mio|thousand|k|m"
_PER = (r"(?:\s*(?:/|per|tiap|setiap)\s*(?P<per>hari|day|hr|minggu|week|bulan|bln|bl|month|mo|tahun|thn|year|jam|hour)\b"
        r"|\s*(?P<per2>sehari|perhari|harian|seminggu|perminggu|mingguan|sebulan|perbulan|bulanan|setahun|pertahun|"
        r"tahunan|perjam|sejam)\b)?")

_MONEY_RX = re.compile(
    r"(?<![\w$])(?:(?P<pre>" + _PRE_CUR + r")\s*)?"
    r"(?P<n1>" + _NUM + r")(?:\s*(?P<mag1>" + _MAG + r")\b)?"
    r"(?:\s*(?:-|–|s/d|sd|sampai|hingga|~|to)\s*(?:(?:" + _PRE_CUR + r")\s*)?(?P<n2>" + _NUM + r"))?"
    r"(?:\s*(?P<mag>" + _MAG + r")\b)?"
    r"(?:\s*(?P<post>" + _POST_CUR + r")(?![\w]))?"
    r"(?:,-)?" + _PER
)
_TWO_DIGIT = re.compile(r"\bgaji\s+(?:minimal\s+|min\s+)?(?:2|dua)\s+digit\b")
_FEE_BEFORE = re.compile(
    r"\b(?:biaya|bayar|membayar|dibayar\s+di\s+muka|dp|deposit|deposito|mahar|transfer|modal|jaminan|denda|setor|"
    r"setoran|ongkos|harga|fee|potongan|pendaftaran|administrasi|admin|cicil(?:an)?|utang|hutang|pinjaman|"
    r"top\s*up|investasi|tebus)\b[^.\n]{0,25}$"
)
_SALARY_BEFORE = re.compile(
    r"\b(?:gaji|salary|upah|penghasilan|pendapatan|income|bayaran|honor|take\s+home|thp|komisi|bonus|insentif|"
    r"uang\s+saku|fee\s+harian|dibayar)\b[^.\n]{0,25}$"
)
_PHONE_LIKE = re.compile(r"^0\d{6,}$")
_DOT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?")
_COMMA_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?")


@dataclass(frozen=True, slots=True)
class Money:
    start: int
    end: int
    text: str
    amount_min: float
    amount_max: float
    currency: str
    period: str  # month | day | week | year | hour | unknown | once
    idr_per_month_min: float | None
    idr_per_month_max: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@functools.cache
def _rates() -> tuple[str, dict[str, float]]:
    ref = resources.files("detector") / "resources" / "rates.toml"
    doc = tomllib.loads(ref.read_text(encoding="utf-8"))
    return str(doc["date"]), {k: float(v) for k, v in doc["idr_per_unit"].items()}


def rates_date() -> str:
    return _rates()[0]


RATES_DATE = rates_date()


def parse_number(s: str) -> float:
    """Indonesian/English number formats → float (see module docstring)."""
    if _DOT_THOUSANDS.fullmatch(s):
        whole, _, dec = s.partition(",")
        return float(whole.replace(".", "") + ("." + dec if dec else ""))
    if _COMMA_THOUSANDS.fullmatch(s):
        return float(s.replace(",", ""))
    return float(s.replace(",", "."))


def find_money(text: str) -> list[Money]:
    """Every amount of money in ``text`` (spans index ``text``), in order."""
    low = text.lower()
    out: list[Money] = []
    if not any(c.isdigit() for c in low):
        return out
    # stdlib `re` (faster here than `regex`): every pattern is linear — a number can't start inside
    # a digit run (look-behind), and no quantifier is nested.
    for m in _TWO_DIGIT.finditer(low):
        out.append(_make(text, m.start(), m.end(), 10e6, 99e6, "IDR", "month"))
    for m in _MONEY_RX.finditer(low):
        money = _from_match(text, low, m)
        if money is not None and not any(o.start < money.end and money.start < o.end for o in out):
            out.append(money)
    return sorted(out, key=lambda x: x.start)


def _from_match(text: str, low: str, m: Any) -> Money | None:
    n1, n2 = m.group("n1"), m.group("n2")
    pre, post = m.group("pre"), m.group("post")
    mag = m.group("mag") or m.group("mag1")
    if _PHONE_LIKE.match(n1) or (len(n1) >= 9 and "." not in n1 and "," not in n1):
        return None  # phone numbers and ids
    before = low[max(0, m.start() - 40):m.start()]
    salary_ctx = bool(_SALARY_BEFORE.search(before))
    fee_ctx = bool(_FEE_BEFORE.search(before))
    per = m.group("per") or m.group("per2")
    cur_word = (pre or post or "").strip()
    currency = _CURRENCY_WORDS.get(cur_word.rstrip("."), "IDR" if cur_word else "")
    try:
        v1 = parse_number(n1)
        v2 = parse_number(n2) if n2 else v1
    except ValueError:
        return None
    if cur_word in ("nt", "sr", "real", "try", "peso", "pound") and v1 < 500 and not (
            mag or per or salary_ctx or fee_ctx):
        return None  # ambiguous currency words: small numbers count only in a pay/fee context
    factor = _MAGNITUDE.get(mag or "", 1.0)
    if mag in ("k", "m") and not (currency or per or salary_ctx or fee_ctx):
        return None  # "100k followers", "5 m" (metres)
    if m.group("mag1") and not m.group("mag") and n2:
        v1 *= factor  # "8jt - 12jt" style where both carry the unit; second handled below
        v2 *= _MAGNITUDE.get(m.group("mag1") or "", 1.0)
    else:
        v1 *= factor
        v2 *= factor
    if not currency:
        if mag in ("juta", "jutaan", "jta", "jt", "ribu", "rb", "miliar", "milyar") or (
                (salary_ctx or fee_ctx) and v1 >= 100_000):
            currency = "IDR"
        else:
            return None
    if currency == "IDR" and not mag and v2 < 1000 and not per:
        return None  # "Rp 5" is noise; tiny IDR amounts without magnitude are not pay
    if per:
        period = _PERIOD.get(per, "unknown")
    elif fee_ctx and not salary_ctx:
        period = "once"
    elif salary_ctx:
        period = "month"
    else:
        period = "unknown"
    lo, hi = sorted((v1, v2))
    end = m.end()
    while end > m.start() and text[end - 1].isspace():
        end -= 1
    return _make(text, m.start(), end, lo, hi, currency, period)


def _make(text: str, start: int, end: int, lo: float, hi: float, currency: str, period: str) -> Money:
    rate = _rates()[1].get(currency)
    if period == "once" or rate is None:
        pm_lo = pm_hi = None
    else:
        k = rate * _PER_MONTH[period]
        pm_lo, pm_hi = lo * k, hi * k
    return Money(start=start, end=end, text=text[start:end], amount_min=lo, amount_max=hi, currency=currency,
                 period=period, idr_per_month_min=pm_lo, idr_per_month_max=pm_hi)
