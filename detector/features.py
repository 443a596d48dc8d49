"""``IndicatorFeatures``: the red-flag indicators as numeric features (a scikit-learn transformer)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from detector.indicators import Analysis, IndicatorRegistry

_EXTRA = ["n_risk_flags", "overseas_tier", "minor", "log_max_pay", "pay_ratio", "n_counter", "log_length",
          "awareness_x_flags", "official_x_overseas", "overseas_x_travel", "no_counter_x_flags"]


def analyses(X: Iterable[Any], registry: IndicatorRegistry | None = None) -> list[Analysis]:
    """Analyse raw texts (or pass through ready ``Analysis`` objects)."""
    if isinstance(X, str):
        raise ValueError("expected an iterable of documents, got a single string")
    reg = registry or IndicatorRegistry.default()
    return [doc if isinstance(doc, Analysis) else reg.analyze(doc) for doc in X]


class IndicatorFeatures(TransformerMixin, BaseEstimator):
    """Turns each post into the max score of every indicator plus a few summary numbers.

    Accepts raw strings or pre-computed :class:`~detector.indicators.Analysis` objects (the
    :class:`~detector.Detector` analyses once and reuses the result for evidence).
    """

    def __init__(self, *, summary: bool = True) -> None:
        self.summary = summary

    def fit(self, X: Iterable[Any], y: Any = None) -> IndicatorFeatures:
        reg = IndicatorRegistry.default()
        docs = analyses(X, reg)
        if not docs:
            raise ValueError("IndicatorFeatures needs at least one document to fit")
        self.indicator_names_ = reg.names()
        self.registry_version_ = reg.version
        self.n_features_out_ = len(self.indicator_names_) + (len(_EXTRA) if self.summary else 0)
        return self

    def transform(self, X: Iterable[Any]) -> np.ndarray:
        check_is_fitted(self, "indicator_names_")
        docs = analyses(X)
        index = {n: i for i, n in enumerate(self.indicator_names_)}
        out = np.zeros((len(docs), self.n_features_out_), dtype=np.float64)
        base = len(self.indicator_names_)
        aware_at, overseas_at, travel_at = (index.get(n) for n in ("awareness_context", "overseas", "paid_travel"))
        official_at = [index[n] for n in ("licensed_agency", "official_programme", "official_registration")
                       if n in index]
        rows: list[list[float]] = []  # as lists, converted at once
        for a in docs:
            row = [0.0] * base
            n_risk: set[str] = set()
            n_counter: set[str] = set()
            tier, minor, pay_ratio, max_pay = 0, 0.0, 0.0, 0.0
            for h in a.hits:
                c = index.get(h.indicator)
                if c is not None and h.score > row[c]:
                    row[c] = h.score
                (n_risk if h.kind == "risk" else n_counter).add(h.indicator)
                tier = max(tier, int(h.details.get("tier", 0)))
                minor = max(minor, 1.0 if h.details.get("minor") else 0.0)
                if h.indicator == "high_pay" and "idr_per_month" in h.details:
                    pay_ratio = max(pay_ratio, h.details["idr_per_month"] / h.details["threshold_idr_per_month"])
            for m in a.money:
                if m.period != "once" and m.idr_per_month_max:
                    max_pay = max(max_pay, m.idr_per_month_max)
            if not self.summary:
                rows.append(row)
                continue
            aware = row[aware_at] if aware_at is not None else 0.0
            official = max((row[i] for i in official_at), default=0.0)
            overseas = row[overseas_at] if overseas_at is not None else 0.0
            travel = row[travel_at] if travel_at is not None else 0.0
            flags_share = len(n_risk) / 6.0
            rows.append(row + [
                flags_share,
                tier / 3.0,
                minor,
                math.log10(1.0 + max_pay) / 8.0,
                min(pay_ratio, 5.0) / 5.0,
                len(n_counter) / 3.0,
                math.log10(1.0 + len(a.original)) / 4.0,
                aware * flags_share,
                official * overseas,
                overseas * travel,
                flags_share if not n_counter else 0.0,
            ])
        if rows:
            out[:] = rows
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "indicator_names_")
        names = [f"ind__{n}" for n in self.indicator_names_] + ([f"sum__{n}" for n in _EXTRA] if self.summary else [])
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = True
        return tags
