"""STOPGAP (replaced by the full normaliser): NFKC + lowercase with an exact offset map."""
from __future__ import annotations
import unicodedata
from dataclasses import dataclass

FLAGS = {"KH": "kamboja", "MM": "myanmar", "LA": "laos", "TH": "thailand", "MY": "malaysia", "TW": "taiwan",
         "JP": "jepang", "KR": "korea", "SA": "arab saudi", "AE": "uea", "HK": "hong kong"}

@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    text: str
    offsets: tuple[int, ...]
    def to_original(self, start: int, end: int) -> tuple[int, int]:
        s = self.offsets[start]
        e = self.offsets[end - 1] + 1 if end > start else s
        while e < len(self.original) and self.offsets.count(e) == 0 and unicodedata.combining(self.original[e]):
            e += 1
        return s, max(e, s)

def normalize(text: str) -> Normalized:
    out: list[str] = []
    offs: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if 0x1F1E6 <= ord(ch) <= 0x1F1FF and i + 1 < n and 0x1F1E6 <= ord(text[i + 1]) <= 0x1F1FF:
            code = chr(ord(ch) - 0x1F1E6 + 65) + chr(ord(text[i + 1]) - 0x1F1E6 + 65)
            rep = " " + FLAGS.get(code, "luar negeri") + " "
            out.extend(rep); offs.extend([i] * (len(rep) - 1) + [i + 1])
            i += 2
            continue
        rep = unicodedata.normalize("NFKC", ch).lower()
        out.extend(rep); offs.extend([i] * len(rep))
        i += 1
    offs.append(n)
    return Normalized(text, "".join(out), tuple(offs))
