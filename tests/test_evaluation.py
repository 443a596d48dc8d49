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


def test_a_few_negatives_among_the_highest_scores_do_not_hold_tinggi_at_the_top() -> None:
    # 500 positives spread over 0.5-1.0, 30 negatives below 0.45, and one negative scored 0.999 among the top
    # ten: precision over the top 11 rows is 0.91, over every threshold putting 30 or more rows at tinggi
    # above 0.97; the threshold goes down to where precision over enough rows stops holding (0.5).
    rng = np.random.default_rng(1)
    p = np.concatenate([np.linspace(0.5, 0.9985, 490), np.full(10, 0.9995), [0.999], rng.uniform(0, 0.45, 30)])
    y = np.concatenate([np.ones(500, bool), [False], np.zeros(30, bool)])
    assert y[p >= 0.999].mean() < 0.93  # what the old rule stopped at
    assert choose_thresholds(y, p)["tinggi"] == 0.5
    assert choose_thresholds(y, p, min_rows=1)["tinggi"] == 0.95  # every prefix judged: the old rule


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
