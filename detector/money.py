"""STOPGAP (replaced by the full money parser)."""
from __future__ import annotations
from dataclasses import asdict, dataclass
import regex
RATES_DATE = "2026-11-01"
_RX = regex.compile(r"(?:rp\.?\s*)?(\d+(?:[.,]\d+)*)\s*(jt|juta|rb|ribu)\b(?:\s*(?:/|per\s*)(hari|bulan|bln))?", regex.I)

@dataclass(frozen=True, slots=True)
class Money:
    start: int; end: int; text: str; amount_min: float; amount_max: float; currency: str; period: str
    idr_per_month_min: float | None; idr_per_month_max: float | None
    def to_dict(self) -> dict[str, object]:
        return asdict(self)

def find_money(text: str) -> list[Money]:
    out = []
    for m in _RX.finditer(text):
        v = float(m.group(1).replace(".", "").replace(",", "."))
        v *= 1e6 if m.group(2).startswith("j") else 1e3
        period = "day" if m.group(3) == "hari" else "month"
        pm = v * 26 if period == "day" else v
        out.append(Money(m.start(), m.end(), m.group(0), v, v, "IDR", period, pm, pm))
    return out
