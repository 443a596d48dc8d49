"""Metrics, thresholds and baselines for the evaluation report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import regex
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_recall_fscore_support,
    roc_auc_score,
)

from detector.model import LABELS
from detector.training.data import HARD_NEGATIVE_CATEGORIES, Record

# -- thresholds -----------------------------------------------------------------------------------

#: Fewest rows a threshold must put at tinggi before its precision is judged: over a handful of rows a
#: precision is noise (one legitimate text at 0.998 among the 11 highest out-of-fold scores once held
#: ``tinggi`` at 0.95, where 0.5 kept precision above 0.94 with 16 points more recall).
MIN_TINGGI_ROWS = 30


def choose_thresholds(y_high: np.ndarray, p_high: np.ndarray, *, tinggi_precision: float = 0.93,
                      sedang_recall: float = 0.99, min_rows: int = MIN_TINGGI_ROWS) -> dict[str, float]:
    """Level thresholds on P(high), chosen on validation (out-of-fold) predictions only.

    ``tinggi``: the lowest threshold whose precision (and that of every higher threshold that puts at
    least ``min_rows`` rows at tinggi) is at least ``tinggi_precision`` (a margin above the 0.9 product
    target, for unseen data).
    ``sedang``: the highest threshold that still keeps recall of high-risk posts at
    ``sedang_recall`` (0.99: a margin above the 0.97 product target, for unseen data; the model is
    confident, so out-of-fold scores put almost no positive in the middle, and a 0.97 target left
    ``sedang`` a 0.05-wide band that real texts hardly ever fall in), capped below ``tinggi``.
    """
    y = np.asarray(y_high, dtype=bool)
    p = np.asarray(p_high, dtype=float)
    cands = np.unique(np.round(p, 4))
    best_t = 0.9
    ok_from_here = True
    for t in cands[::-1]:  # from high to low: precision must hold all the way down
        pred = p >= t
        prec = y[pred].mean() if pred.any() else 1.0
        if prec < tinggi_precision and int(pred.sum()) >= min_rows:
            ok_from_here = False
        if ok_from_here:
            best_t = float(t)
    tinggi = float(min(max(best_t, 0.5), 0.95))
    pos = np.sort(p[y])
    k = int(np.floor((1 - sedang_recall) * len(pos)))
    sedang = float(pos[k]) if len(pos) else 0.3
    sedang = float(min(max(sedang, 0.1), tinggi - 0.05))
    return {"sedang": round(sedang, 4), "tinggi": round(tinggi, 4)}


def levels_for(p_high: np.ndarray, thresholds: dict[str, float]) -> np.ndarray:
    return np.where(p_high >= thresholds["tinggi"], "tinggi",
                    np.where(p_high >= thresholds["sedang"], "sedang", "rendah"))


def labels_for(proba: np.ndarray, classes: Sequence[str], thresholds: dict[str, float]) -> np.ndarray:
    """Label = most probable class, except that a ``tinggi`` post is always ``high``."""
    classes = list(classes)
    lab = np.asarray(classes, dtype=object)[np.argmax(proba, axis=1)]
    lab[proba[:, classes.index("high")] >= thresholds["tinggi"]] = "high"
    return lab


# -- the report -----------------------------------------------------------------------------------

def report(records: Sequence[Record], proba: np.ndarray, classes: Sequence[str],
           thresholds: dict[str, float]) -> dict[str, Any]:
    """Every number the model card and the issue ask for, on one set of predictions."""
    classes = list(classes)
    y = np.array([r.label for r in records], dtype=object)
    p_high = proba[:, classes.index("high")]
    pred = labels_for(proba, classes, thresholds)
    lev = levels_for(p_high, thresholds)
    prec, rec, f1, sup = precision_recall_fscore_support(y, pred, labels=list(LABELS), zero_division=0)
    per_class = {c: {"precision": float(prec[i]), "recall": float(rec[i]), "f1": float(f1[i]),
                     "support": int(sup[i])} for i, c in enumerate(LABELS)}
    hl = np.isin(y, ["high", "low"])
    is_high = y == "high"
    tinggi = lev == "tinggi"
    out: dict[str, Any] = {
        "n": len(records),
        "per_class": per_class,
        "macro_f1": float(np.mean(f1)),
        "roc_auc_high_vs_low": _safe(roc_auc_score, is_high[hl], p_high[hl]),
        "roc_auc_high_vs_rest": _safe(roc_auc_score, is_high, p_high),
        "pr_auc_high": _safe(average_precision_score, is_high, p_high),
        "confusion_matrix": {"labels": list(LABELS),
                             "matrix": confusion_matrix(y, pred, labels=list(LABELS)).tolist()},
        "tinggi": {
            "precision": float(is_high[tinggi].mean()) if tinggi.any() else None,
            "recall": float(tinggi[is_high].mean()) if is_high.any() else None,
            "n_predicted": int(tinggi.sum()),
        },
        "sedang_or_above_recall": float((lev[is_high] != "rendah").mean()) if is_high.any() else None,
        "thresholds": thresholds,
    }
    cats: dict[str, dict[str, Any]] = {}
    for cat in sorted({r.category for r in records}):
        m = np.array([r.category == cat for r in records])
        lab = y[m][0]
        entry: dict[str, Any] = {"label": str(lab), "n": int(m.sum())}
        if lab == "high":
            entry["recall_tinggi"] = float((lev[m] == "tinggi").mean())
            entry["recall_sedang_or_above"] = float((lev[m] != "rendah").mean())
        else:
            entry["rate_tinggi"] = float((lev[m] == "tinggi").mean())
            entry["rate_sedang_or_above"] = float((lev[m] != "rendah").mean())
        entry["label_accuracy"] = float((pred[m] == lab).mean())
        cats[cat] = entry
    out["per_category"] = cats
    hard = np.array([r.category in HARD_NEGATIVE_CATEGORIES for r in records])
    out["hard_negatives"] = {
        "categories": list(HARD_NEGATIVE_CATEGORIES),
        "n": int(hard.sum()),
        "fpr_tinggi": float(tinggi[hard].mean()) if hard.any() else None,
        "fpr_sedang_or_above": float((lev[hard] != "rendah").mean()) if hard.any() else None,
    }
    portal = np.array([r.source == "loker" for r in records])
    out["portal_adverts"] = {"n": int(portal.sum()), "n_tinggi": int((tinggi & portal).sum()),
                             "n_sedang": int(((lev == "sedang") & portal).sum())}
    return out


def voice_report(records: Sequence[Record], proba: np.ndarray, kinds: Any, thresholds: dict[str, float],
                 base_high: np.ndarray, base_tinggi: float) -> dict[str, Any]:
    """Real cases by voice: recall at tinggi of trafficking offers, low rows at tinggi (all of them, and
    apart: legitimate offers in any voice, generic warnings), job fraud labelled other_scam, kind accuracy,
    and ROC-AUC (model and TF-IDF baseline) high vs rest."""
    classes = list(LABELS)
    p_high = proba[:, classes.index("high")]
    lev = levels_for(p_high, thresholds)
    pred = labels_for(proba, classes, thresholds)
    y = np.array([r.label for r in records], dtype=object)
    voice = np.array([str(r.extra.get("voice", r.kind)) for r in records], dtype=object)
    true_kind = np.array([r.kind for r in records], dtype=object)
    predicted = np.asarray(kinds, dtype=object)
    warn = true_kind == "warning"  # a generic warning carries no offer: not a "legitimate offer"
    out: dict[str, Any] = {}
    for v in ["all", *sorted(set(voice.tolist()))]:
        m = np.ones(len(y), dtype=bool) if v == "all" else voice == v
        hi, lo, fr = m & (y == "high"), m & (y == "low"), m & (y == "other_scam")
        legit, warned = lo & ~warn, lo & warn
        out[v] = {
            "n": int(m.sum()),
            "high_n": int(hi.sum()),
            "high_recall_tinggi": float((lev[hi] == "tinggi").mean()) if hi.any() else None,
            "high_recall_sedang_or_above": float((lev[hi] != "rendah").mean()) if hi.any() else None,
            "low_n": int(lo.sum()),
            "low_rate_tinggi": float((lev[lo] == "tinggi").mean()) if lo.any() else None,
            "legit_offer_n": int(legit.sum()),
            "legit_offer_rate_tinggi": float((lev[legit] == "tinggi").mean()) if legit.any() else None,
            "warning_n": int(warned.sum()),
            "warning_rate_tinggi": float((lev[warned] == "tinggi").mean()) if warned.any() else None,
            "fraud_n": int(fr.sum()),
            "fraud_as_other_scam": float((pred[fr] == "other_scam").mean()) if fr.any() else None,
            "kind_accuracy": float((predicted[m] == true_kind[m]).mean()) if m.any() else None,
            "roc_auc_high_vs_rest": _safe(roc_auc_score, y[m] == "high", p_high[m]),
            "baseline_roc_auc_high_vs_rest": _safe(roc_auc_score, y[m] == "high", base_high[m]),
            "baseline_high_recall_tinggi": float((base_high[hi] >= base_tinggi).mean()) if hi.any() else None,
            "level_shares": {lv: float((lev[m] == lv).mean()) for lv in ("rendah", "sedang", "tinggi")} if m.any() else {},
        }
    return out


def _safe(fn: Any, y: np.ndarray, s: np.ndarray) -> float | None:
    return float(fn(y, s)) if len(np.unique(y)) == 2 else None


# -- baselines ------------------------------------------------------------------------------------

_CARD = {
    "high_pay": regex.compile(r"gaji\s*(?:rp\.?\s*)?\d+\s*(?:jt|juta)|\d+\s*(?:jt|juta)|usd|\$|dolar|dollar|gaji\s+besar|2\s+digit"),
    "no_skills": regex.compile(r"tanpa\s+pengalaman|tidak\s+perlu\s+pengalaman|tanpa\s+skill|tanpa\s+ijazah|tidak\s+perlu\s+(?:skill|keahlian)"),
    "overseas": regex.compile(r"luar\s+negeri|kamboja|cambodia|myanmar|laos|thailand|malaysia|taiwan|hong\s*kong|jepang|korea|dubai|arab|singapura|🇰🇭|🇲🇲|🇹🇭|🇲🇾"),
    "paid_travel": regex.compile(r"(?:tiket|visa|pesawat|keberangkatan)[^.\n]{0,20}(?:ditanggung|gratis|free|dibayar)|gratis\s+(?:tiket|visa)"),
}


def keyword_rule_scores(texts: Sequence[str]) -> np.ndarray:
    """Baseline 1: the share of the four "card" red flags found by plain keyword search."""
    return np.array([sum(bool(rx.search(t.lower())) for rx in _CARD.values()) / 4.0 for t in texts])


def baseline_report(records: Sequence[Record], scores: np.ndarray, tinggi_at: float) -> dict[str, Any]:
    y = np.array([r.label for r in records], dtype=object)
    is_high = y == "high"
    hl = np.isin(y, ["high", "low"])
    pred = scores >= tinggi_at
    hard = np.array([r.category in HARD_NEGATIVE_CATEGORIES for r in records])
    portal = np.array([r.source == "loker" for r in records])
    return {
        "roc_auc_high_vs_low": _safe(roc_auc_score, is_high[hl], scores[hl]),
        "pr_auc_high": _safe(average_precision_score, is_high, scores),
        "tinggi_threshold": float(tinggi_at),
        "tinggi": {"precision": float(is_high[pred].mean()) if pred.any() else None,
                   "recall": float(pred[is_high].mean()) if is_high.any() else None},
        "hard_negatives_fpr_tinggi": float(pred[hard].mean()) if hard.any() else None,
        "portal_n_tinggi": int((pred & portal).sum()),
        "n_tinggi": int(pred.sum()),
    }


def assess(detector: Any, records: Sequence[Record]) -> dict[str, Any]:
    """The :func:`report` of a fitted :class:`~detector.Detector` on labelled ``records``, at the
    thresholds stored in its bundle (``detector assess``: check a shipped model on your own data)."""
    rows = [[res.probabilities[c] for c in LABELS] for res in detector.iter_scores(r.text for r in records)]
    proba = np.asarray(rows, dtype=np.float64).reshape(len(records), len(LABELS))
    return {"model": report(records, proba, LABELS, detector.thresholds)}
