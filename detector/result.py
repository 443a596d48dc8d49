"""The scored, explained result of one post (the record every interface emits)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from detector.indicators import Hit

LEVELS = ("rendah", "sedang", "tinggi")

_LEVEL_TEXT = {
    "rendah": ("Risiko rendah", "Low risk"),
    "sedang": ("Risiko sedang — periksa lebih lanjut", "Medium risk — check further"),
    "tinggi": ("Risiko tinggi perekrutan TPPO", "High risk of trafficking recruitment"),
}
_LABEL_TEXT = {
    "high": ("indikasi perekrutan TPPO", "trafficking-recruitment risk"),
    "other_scam": ("indikasi penipuan lowongan kerja (bukan TPPO)", "job fraud (not trafficking)"),
    "low": ("tidak ada indikasi kuat", "no strong indication"),
}


@dataclass(frozen=True)
class ScoreResult:
    risk_score: float
    risk_level: str
    label: str
    probabilities: dict[str, float]
    evidence: tuple[Hit, ...]
    counter_evidence: tuple[Hit, ...]
    money: tuple[dict[str, Any], ...]
    model_version: str
    id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def flags(self) -> list[str]:
        """Names of the red flags that fired (each one's evidence is in ``evidence``)."""
        return list(dict.fromkeys(h.indicator for h in self.evidence))

    @property
    def destinations(self) -> list[str]:
        return list(dict.fromkeys(
            str(h.details["destination"]) for h in self.evidence if "destination" in h.details))

    def summary(self, lang: str = "id") -> str:
        i = 1 if lang == "en" else 0
        head = _LEVEL_TEXT[self.risk_level][i]
        label = _LABEL_TEXT[self.label][i]
        if self.flags:
            flags = ", ".join(self.flags)
            tail = f"{len(self.flags)} red flag(s): {flags}" if i else f"{len(self.flags)} tanda bahaya: {flags}"
        else:
            tail = "no red flags" if i else "tidak ada tanda bahaya"
        return f"{head} ({label}); {tail}."

    def to_dict(self, lang: str | None = None, explain: bool = True) -> dict[str, Any]:
        """The JSON record. ``flags``, ``risk_score``, ``risk_level``, ``label``, ``evidence`` and
        ``id`` are a fixed contract: fields may be added, never renamed or dropped."""
        out: dict[str, Any] = {
            "id": self.id,
            "risk_score": round(self.risk_score, 4),
            "risk_level": self.risk_level,
            "label": self.label,
            "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
            "flags": self.flags,
            "evidence": [h.to_dict(lang) if explain else _short(h) for h in self.evidence],
            "counter_evidence": [h.to_dict(lang) if explain else _short(h) for h in self.counter_evidence],
            "money": list(self.money),
            "destinations": self.destinations,
            "model_version": self.model_version,
        }
        if explain:
            out["summary"] = self.summary(lang or "id")
        out.update(self.extra)
        return out


def _short(h: Hit) -> dict[str, Any]:
    return {"flag": h.indicator, "start": h.start, "end": h.end, "text": h.text}
