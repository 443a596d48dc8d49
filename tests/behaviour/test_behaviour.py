"""Behavioural tests of the shipped model (tables in ``detector/training/behaviour.py``, which
``detector train`` also reports): clear cases, invariance to how an offer is told, and directions
(a red flag, a licence claim or more pay never lowers risk)."""

from __future__ import annotations

from typing import Any

import pytest

from detector import Detector
from detector.training.behaviour import FAMILIES, MINIMUM, TARGETS, applicable, minimum_passes, pair_passes


@pytest.fixture(scope="module")
def det() -> Detector:
    return Detector.load()


@pytest.mark.parametrize(("case_id", "text", "want"), MINIMUM, ids=[m[0] for m in MINIMUM])
def test_when_a_case_is_clear_then_level_label_and_kind_are_right(det: Detector, case_id: str, text: str,
                                                                  want: dict[str, Any]) -> None:
    res = det.score(text)
    assert minimum_passes(res, want), (case_id, res.risk_level, res.label, res.kind, round(res.risk_score, 3))


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_when_only_the_telling_changes_or_a_red_flag_is_added_then_risk_holds(det: Detector, family: str) -> None:
    pairs = list(FAMILIES[family]())
    scored = det.score_many([t for p in pairs for t in (p.before, p.after)])
    judged = [(p, scored[2 * i], scored[2 * i + 1]) for i, p in enumerate(pairs) if applicable(family, scored[2 * i])]
    failures = [(p.id, round(a.risk_score, 3), round(b.risk_score, 3)) for p, a, b in judged
                if not pair_passes(family, a, b)]
    rate = 1 - len(failures) / len(judged)
    assert len(judged) >= 20
    assert rate >= TARGETS[family], f"{family}: pass rate {rate:.3f} < {TARGETS[family]}; failures {failures}"


def test_pass_rule_of_directional_pairs_catches_a_lowered_score() -> None:
    class R:
        def __init__(self, score: float, level: str) -> None:
            self.risk_score, self.risk_level = score, level

    assert not pair_passes("direction_red_flag", R(0.9, "tinggi"), R(0.5, "sedang"))
    assert pair_passes("direction_red_flag", R(0.5, "sedang"), R(0.9, "tinggi"))
    assert not pair_passes("direction_licence", R(0.95, "tinggi"), R(0.2, "rendah"))
    assert not pair_passes("invariance", R(0.95, "tinggi"), R(0.5, "sedang"))
