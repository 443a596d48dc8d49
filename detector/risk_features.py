"""``RiskFeatures``: what the risk model may read, each column with the direction it may move risk.

The risk of an offer must not be talked away (issue 13): adding a red flag never lowers it, more pay
for the same unskilled work abroad never lowers it, and a claimed licence lowers it only when the post
has no strong red flag. The model that reads these columns is a gradient-boosted tree ensemble with
*monotonic constraints* (:attr:`RiskFeatures.constraints_`): +1 columns can only raise the risk, -1
columns can only lower it. So the guarantee comes from the structure, not from the training data:

* every trafficking red flag's strength (the indicator's max hit score), the number of distinct red
  flags, the destination's risk tier, a minor targeted, the monthly pay and its ratio to the pay
  threshold: +1;
* ``strong``: the strongest of the red flags that no licence claim can answer (tourist/visit visa or
  another non-procedural route, documents held, paid travel that becomes a debt, an online-scam
  destination with unskilled high pay): +1;
* ``official_claim`` and ``company_identity``: the signs of legitimacy the post claims, *set to 0 when
  ``strong`` reaches* :data:`STRONG_AT`: -1. A post with a strong red flag gets 0 here whatever it
  claims, so a claim cannot clear it; adding a strong flag takes the claim away, which can only raise
  the risk.

Left out on purpose: ``awareness_context`` (news, court and warning words) says how a text is told, not
what the offer is, and voice must not carry risk (``kind`` reads it instead); job-fraud flags
(:data:`FRAUD_FLAGS`) say "this takes your money", which the separate fraud model reads.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from detector.features import analyses
from detector.indicators import Analysis, IndicatorRegistry

#: Red flags of job fraud that is not trafficking: read by the fraud model, never by the risk model
#: (a pay-to-apply scam is not a trafficking offer, and a red flag must never lower risk).
FRAUD_FLAGS = frozenset({"task_scam", "upfront_payment", "impersonation", "deposit_scam"})
#: Indicators that only describe how a text is told (voice), not the offer.
VOICE_ONLY = frozenset({"awareness_context"})
#: Claims of legitimacy that a strong red flag cancels.
CLAIMS = ("licensed_agency", "official_programme", "official_registration")
#: Red flags no licence claim answers, on their own.
STRONG_ALONE = ("nonprocedural", "document_control")
#: ``strong`` at or above this cancels every claim of legitimacy (a hard gate: a tree could split on any
#: small remainder of a soft one).
STRONG_AT = 0.5
#: Pay far above a monthly salary of this many rupiah counts fully in ``log_pay`` (log10 scale).
PAY_SCALE_LOG10 = 8.0


#: Claims of legitimacy: words no text model reads (see :func:`without_claims`).
CLAIM_WORDS = frozenset(CLAIMS) | {"company_identity"}
#: Hits whose words the risk model's text column never sees.
UNSEEN_BY_TEXT = CLAIM_WORDS | VOICE_ONLY


@dataclass(frozen=True, slots=True)
class _Masked:
    text: str


@dataclass(frozen=True, slots=True)
class MaskedDoc:
    """A post as the text column reads it: its normalised text with some words blanked out. Looks like
    an ``Analysis`` to :func:`detector.text.normalized_text` (it has ``normalized.text``)."""

    normalized: _Masked


def without_claims(docs: Sequence[Analysis], hide: frozenset[str] = UNSEEN_BY_TEXT) -> list[Any]:
    """The posts with the words of every claim of legitimacy and every news/warning word blanked.

    The risk model's text column is a text model's P(high); if it read "P3MI berizin SIP2MI" it would
    learn that a claim lowers risk, and a claim could then clear any post through it. Blanked, a claim
    acts only through the gated, -1-constrained ``official_claim`` column, and the words that say how a
    text is told (``awareness_context``) cannot move the risk either. The kind model reads the post with
    the claims blanked (``hide=CLAIM_WORDS``): otherwise "resmi terdaftar di SISKOP2MI", common in
    warnings, could turn a recruiter's post into a "warning" without offer risk. A post with nothing to
    blank is passed through unchanged."""
    out: list[Any] = []
    for a in docs:
        spans = [(h.start, h.end) for h in a.hits if h.indicator in hide]
        if not spans:
            out.append(a)
            continue
        norm = a.normalized
        chars = list(norm.text)
        offsets = norm.offsets
        for start, end in spans:  # normalised characters whose source lies inside an original span
            i = bisect_left(offsets, start, 0, len(chars))
            while i < len(chars) and offsets[i] < end:
                chars[i] = " "
                i += 1
        out.append(MaskedDoc(_Masked("".join(chars))))
    return out


class RiskFeatures(TransformerMixin, BaseEstimator):
    """Indicator analyses → the risk model's columns (see the module docstring) and their constraints.

    ``transform(X, text_high=None)``: with ``text_high`` (one probability per post, e.g. a text model's
    out-of-fold P(high)) a last column ``text_high`` is added, constrained +1.
    """

    def __init__(self, *, use_text: bool = True) -> None:
        self.use_text = use_text

    def fit(self, X: Iterable[Any], y: Any = None) -> RiskFeatures:
        reg = IndicatorRegistry.default()
        kinds = {ind.name: ind.kind for ind in reg}
        self.flag_names_ = [n for n in reg.names()
                            if kinds[n] == "risk" and n not in FRAUD_FLAGS and n not in VOICE_ONLY]
        self.registry_version_ = reg.version
        names = [f"flag__{n}" for n in self.flag_names_] + [
            "n_flags", "overseas_tier", "minor", "log_pay", "pay_ratio", "strong", "official_claim",
            "company_identity"]
        cst = [1] * (len(self.flag_names_) + 6) + [-1, -1]
        if self.use_text:
            names.append("text_high")
            cst.append(1)
        self.feature_names_ = names
        self.constraints_ = cst
        return self

    def transform(self, X: Iterable[Any], text_high: Sequence[float] | np.ndarray | None = None) -> np.ndarray:
        check_is_fitted(self, "flag_names_")
        docs = analyses(X)
        if self.use_text and text_high is None:
            raise ValueError("RiskFeatures(use_text=True) needs text_high, one probability per post")
        col = {n: i for i, n in enumerate(self.flag_names_)}
        base = len(self.flag_names_)
        out = np.zeros((len(docs), len(self.feature_names_)), dtype=np.float64)
        if docs:  # the rows as lists, converted at once
            out[:, :base + 8] = [self._row(a, col, base) for a in docs]
        if self.use_text:
            out[:, -1] = np.asarray(text_high, dtype=np.float64)
        return out

    @staticmethod
    def _row(a: Analysis, col: dict[str, int], base: int) -> list[float]:
        flags = [0.0] * base
        other: dict[str, float] = {}
        tier, minor, pay_ratio, pay = 0, 0.0, 0.0, 0.0
        for h in a.hits:
            c = col.get(h.indicator)
            if c is not None:
                flags[c] = max(flags[c], h.score)
            elif h.kind == "counter" or h.indicator in FRAUD_FLAGS:
                other[h.indicator] = max(other.get(h.indicator, 0.0), h.score)
            tier = max(tier, int(h.details.get("tier", 0)))
            if h.details.get("minor"):
                minor = 1.0
            if h.indicator == "high_pay" and h.details.get("threshold_idr_per_month"):
                pay_ratio = max(pay_ratio, h.details["idr_per_month"] / h.details["threshold_idr_per_month"])
        for m in a.money:
            if m.period != "once" and m.idr_per_month_max:
                pay = max(pay, m.idr_per_month_max)

        def f(name: str) -> float:
            c = col.get(name)
            return flags[c] if c is not None else 0.0

        strong = max([f(n) for n in STRONG_ALONE]
                     + [min(f("paid_travel"), f("fees_or_debt")),
                        min(1.0, tier / 3.0) * min(f("high_pay"), f("no_skills")) if tier >= 3 else 0.0])
        claim = max((other.get(n, 0.0) for n in CLAIMS), default=0.0)
        gate = 0.0 if strong >= STRONG_AT else 1.0
        return flags + [
            (base - flags.count(0.0)) / 6.0,  # flags that fired (a flag's strength is 0 or a score > 0)
            tier / 3.0,
            minor,
            min(math.log10(1.0 + pay) / PAY_SCALE_LOG10, 1.5),
            min(pay_ratio, 5.0) / 5.0,
            strong,
            claim * gate,
            other.get("company_identity", 0.0) * gate,
        ]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "feature_names_")
        return np.asarray(self.feature_names_, dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags
