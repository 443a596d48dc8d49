"""``OfferRiskModel`` and ``RiskFeatures``: the structure that keeps red flags from being talked away."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from detector.features import analyses
from detector.offer_model import CLASSES, OfferRiskModel, combine
from detector.risk_features import RiskFeatures, without_claims

REPO = Path(__file__).resolve().parents[1]
LICENCE = " Resmi terdaftar di SISKOP2MI, P3MI berizin SIP2MI No. 123/2024."


def _rows(limit: int) -> tuple[list[str], list[str]]:
    with (REPO / "data" / "written_adverts.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()][:limit]
    return [r["text"] for r in rows], [r["label"] for r in rows]


@pytest.fixture(scope="module")
def fitted() -> OfferRiskModel:
    texts, labels = _rows(300)
    return OfferRiskModel(cv=3, max_iter=40, random_state=3).fit(texts, labels)


def test_params_round_trip_and_use_before_fit_is_refused() -> None:
    est = OfferRiskModel(cv=3, use_text=False)
    assert clone(est).get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        est.predict_proba(["gaji 15jt di Kamboja"])


@pytest.mark.parametrize(("labels", "message"), [
    (["low"] * 6, "both 'high' and 'low'"),
    (["high", "low", "maybe", "low", "high", "low"], "labels must be among"),
], ids=["one-class", "unknown-label"])
def test_when_labels_cannot_train_it_then_fit_says_why(labels: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OfferRiskModel(cv=2).fit([f"post {i} gaji {i} juta" for i in range(6)], labels)


def test_probabilities_are_the_three_classes_and_sum_to_one(fitted: OfferRiskModel) -> None:
    p = fitted.predict_proba(["Kerja di Kamboja gaji 20jt tanpa pengalaman, tiket ditanggung", "Dicari kasir"])
    assert list(fitted.classes_) == list(CLASSES) and p.shape == (2, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(combine(np.array([0.2]), np.array([0.5])), [[0.2, 0.4, 0.4]])


def test_every_red_flag_column_is_constrained_up_and_every_claim_column_down() -> None:
    rf = RiskFeatures().fit(["x"])
    cst = dict(zip(rf.feature_names_, rf.constraints_, strict=True))
    assert all(v == 1 for k, v in cst.items() if k.startswith("flag__"))
    assert cst["official_claim"] == -1 and cst["company_identity"] == -1 and cst["text_high"] == 1
    assert "flag__awareness_context" not in cst  # voice never carries risk


@pytest.mark.parametrize("post", [
    "Kerja ART di Riyadh gaji 6jt, berangkat pakai visa umroh, paspor dipegang agen.",
    "Operator komputer di Myawaddy, gaji 1.000 USD, tidak perlu skill, lewat jalur belakang.",
], ids=["umrah-visa", "back-route"])
def test_when_a_post_has_a_strong_red_flag_then_its_licence_claim_column_is_zero(post: str) -> None:
    rf = RiskFeatures(use_text=False).fit([post])
    row = dict(zip(rf.feature_names_, rf.transform([post + LICENCE])[0], strict=True))
    assert row["strong"] >= 0.5 and row["official_claim"] == 0.0


def test_when_a_post_has_no_strong_red_flag_then_its_claim_counts() -> None:
    post = "Lowongan perawat lansia ke Jepang program resmi, wajib JLPT N4." + LICENCE
    rf = RiskFeatures(use_text=False).fit([post])
    row = dict(zip(rf.feature_names_, rf.transform([post])[0], strict=True))
    assert row["strong"] < 0.5 and row["official_claim"] > 0


def test_the_text_column_never_reads_a_licence_claim() -> None:
    post = "Kerja di Kamboja gaji 20jt tanpa pengalaman."
    plain, claimed = without_claims(analyses([post, post + LICENCE]))
    assert "siskop2mi" not in claimed.normalized.text and "sip2mi" not in claimed.normalized.text
    assert claimed.normalized.text.split()[: len(plain.normalized.text.split())] == plain.normalized.text.split()


def test_when_red_flag_columns_only_rise_then_risk_never_falls(fitted: OfferRiskModel) -> None:
    """The monotonic constraints, checked directly on the fitted risk model with random feature rows."""
    rng = np.random.default_rng(0)
    n_cols = len(fitted.risk_features_.feature_names_)
    up = np.array(fitted.risk_features_.constraints_) == 1
    base = rng.random((200, n_cols))
    raised = base.copy()
    raised[:, up] += rng.random((200, int(up.sum()))) * 0.5
    p0 = fitted.risk_.predict_proba(base)[:, 1]
    p1 = fitted.risk_.predict_proba(raised)[:, 1]
    assert np.all(p1 >= p0 - 1e-12)


@pytest.mark.parametrize(("proba", "kind", "share"), [
    ([0.44, 0.00, 0.01, 0.02, 0.53], "offer", 1.0),     # a warning by a nose: still an offer, risk kept
    ([0.05, 0.00, 0.05, 0.05, 0.85], "warning", 0.15),  # a confident warning carries no offer
    ([0.02, 0.80, 0.08, 0.05, 0.05], "other", 0.15),
    ([0.10, 0.00, 0.20, 0.60, 0.10], "report", 1.0),
    ([0.35, 0.00, 0.02, 0.03, 0.60], "warning", 0.40),  # at the cut
], ids=["near-tie", "warning", "other", "report", "at-the-cut"])
def test_a_text_is_read_as_carrying_no_offer_only_when_that_is_likely(proba: list[float], kind: str,
                                                                      share: float) -> None:
    from detector.offer_model import decide_kinds

    kinds, shares = decide_kinds(np.array([proba]), ["offer", "other", "question", "report", "warning"])
    assert kinds[0] == kind and shares[0] == pytest.approx(share)
