"""The scored, explained result of one post (the record every interface emits)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from detector.indicators import Hit

LEVELS = ("rendah", "sedang", "tinggi")
#: What a text does with the offer it carries (the record's ``kind``): ``offer`` an advert, a
#: recruiter's message or a forward; ``question`` someone asks about an offer they received (or asks
#: for work); ``report`` a testimony or news about a specific case; ``warning`` awareness, education
#: or a fact-check that describes no particular offer; ``other`` not about a job.
KINDS = ("offer", "question", "report", "warning", "other")
#: Kinds whose ``tinggi`` posts need a moderator's action (a report or warning is shown with its flags,
#: never as a risky post to act on).
ACTION_KINDS = frozenset({"offer", "question"})

#: Evidence items kept per flag and per post (risk and counter evidence each). A hostile post
#: ("🇰🇭 " 10,000 times) otherwise yields 10,000 items and a 5 MB record; moderators need the first
#: few per flag, and the flag itself stays whatever the cap. What is left out is counted in
#: ``truncated``.
MAX_EVIDENCE_PER_FLAG = 5
MAX_EVIDENCE_PER_POST = 40
#: Amounts of money kept per post (the rest counted in ``truncated``): "$1000 USD " 2,000 times is
#: otherwise a 20 MB record.
MAX_MONEY_PER_POST = 20


def cap_evidence(hits: Sequence[Hit]) -> tuple[tuple[Hit, ...], int]:
    """The first :data:`MAX_EVIDENCE_PER_FLAG` hits of each flag, at most :data:`MAX_EVIDENCE_PER_POST`
    in all (each flag's first hit before any second one; kept in their original order), and how many
    were left out."""
    per_flag: dict[str, int] = {}
    kept: list[Hit] = []
    for h in hits:
        n = per_flag.get(h.indicator, 0)
        if n < MAX_EVIDENCE_PER_FLAG:
            per_flag[h.indicator] = n + 1
            kept.append(h)
    if len(kept) > MAX_EVIDENCE_PER_POST:  # each flag's first hit first, then the others in order
        firsts = set({h.indicator: i for i, h in reversed(list(enumerate(kept)))}.values())
        order = sorted(firsts) + [i for i in range(len(kept)) if i not in firsts]
        keep = set(order[:MAX_EVIDENCE_PER_POST])
        kept = [h for i, h in enumerate(kept) if i in keep]
    return tuple(kept), len(hits) - len(kept)


_LEVEL_TEXT = {
    "rendah": ("Risiko rendah", "Low risk"),
    "sedang": ("Risiko sedang — periksa lebih lanjut", "Medium risk — check further"),
    "tinggi": ("Risiko tinggi perekrutan TPPO", "High risk of trafficking recruitment"),
}
_KIND_TEXT = {
    "offer": ("", ""),
    "question": ("Pertanyaan tentang tawaran kerja", "A question about a job offer"),
    "report": ("Laporan kasus, bukan iklan", "A report of a case, not an advert"),
    "warning": ("Peringatan atau edukasi, bukan iklan", "A warning or education post, not an advert"),
    "other": ("Bukan tentang lowongan kerja", "Not about a job"),
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
    #: evidence, counter-evidence and money items left out (:func:`cap_evidence`, :data:`MAX_MONEY_PER_POST`)
    truncated: int = 0
    #: what the text does with the offer (one of :data:`KINDS`)
    kind: str = "offer"

    @property
    def needs_action(self) -> bool:
        """A ``tinggi`` offer or question: the post itself recruits, or someone is about to answer it."""
        return self.risk_level == "tinggi" and self.kind in ACTION_KINDS

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
        kind = _KIND_TEXT.get(self.kind, ("", ""))[i]
        return f"{kind}: {head} ({label}); {tail}." if kind else f"{head} ({label}); {tail}."

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
            "truncated": self.truncated,
            "kind": self.kind,
            "needs_action": self.needs_action,
        }
        if explain:
            out["summary"] = self.summary(lang or "id")
        out.update(self.extra)
        return out


def _short(h: Hit) -> dict[str, Any]:
    return {"flag": h.indicator, "start": h.start, "end": h.end, "text": h.text}
