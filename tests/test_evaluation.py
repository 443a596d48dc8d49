"""Threshold selection and the baselines used in the evaluation report."""

from __future__ import annotations

import numpy as np
import pytest

from detector.training.evaluation import choose_thresholds, keyword_rule_scores, labels_for, levels_for


def test_tinggi_threshold_meets_the_precision_target_on_validation_data() -> None:
    rng = np.random.default_rng(0)
    y = rng.random(2000) < 0.3
    p = np.clip(np.where(y, rng.normal(0.75, 0.15, 2000), rng.normal(0.25, 0.15, 2000)), 0, 1)
    thr = choose_thresholds(y, p, tinggi_precision=0.93)
    pred = p >= thr["tinggi"]
    assert y[pred].mean() >= 0.93
    assert thr["sedang"] < thr["tinggi"]
    assert (p[y] >= thr["sedang"]).mean() >= 0.95


def test_levels_and_labels_follow_thresholds() -> None:
    thr = {"sedang": 0.3, "tinggi": 0.6}
    p = np.array([0.1, 0.35, 0.7])
    assert list(levels_for(p, thr)) == ["rendah", "sedang", "tinggi"]
    proba = np.array([[0.5, 0.45, 0.05], [0.1, 0.5, 0.4], [0.2, 0.2, 0.6]])
    assert list(labels_for(proba, ["low", "other_scam", "high"], thr)) == ["low", "other_scam", "high"]


@pytest.mark.parametrize(("text", "share"), [
    ("Gaji 15 juta tanpa pengalaman kerja di Kamboja, tiket ditanggung", 1.0),
    ("Lowongan kasir di Sleman", 0.0),
])
def test_keyword_rule_baseline_counts_the_four_card_flags(text: str, share: float) -> None:
    assert keyword_rule_scores([text])[0] == share
