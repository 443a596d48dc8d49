"""The shipped model on real cases it was never trained or tuned on: the held-out split of
``data/cases`` (by case, all voices together) and ``data/cases_check`` (another writer). The bars are
issue 13's, except where the note says the model does not meet them yet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from detector import Detector
from detector.model import LABELS
from detector.training.cases import case_records, load_cases, split_cases
from detector.training.data import load_loker
from detector.training.evaluation import voice_report

REPO = Path(__file__).resolve().parents[1]
LOKER = REPO.parent / "shared" / "data" / "loker_id_jobs.csv"


@pytest.fixture(scope="module")
def det() -> Detector:
    return Detector.load()


def _report(det: Detector, folder: str, held_out_only: bool) -> dict[str, Any]:
    cases = load_cases(REPO / "data" / folder)
    rows = case_records(split_cases(cases)[1] if held_out_only else cases)
    res = det.score_many([r.text for r in rows])
    p = np.array([[x.probabilities[c] for c in LABELS] for x in res])
    return voice_report(rows, p, [x.kind for x in res], det.thresholds, p[:, LABELS.index("high")], 1.0)


@pytest.fixture(scope="module")
def held_out(det: Detector) -> dict[str, Any]:
    return _report(det, "cases", held_out_only=True)


@pytest.mark.parametrize(("voice", "bar"), [("offer", 0.85), ("question", 0.85), ("report", 0.80),
                                            ("testimony", 0.80)])
def test_real_trafficking_offers_reach_tinggi_in_every_voice(held_out: dict[str, Any], voice: str, bar: float) -> None:
    assert held_out[voice]["high_recall_tinggi"] >= bar, held_out[voice]


def test_real_job_fraud_is_told_apart_and_kind_is_read(held_out: dict[str, Any]) -> None:
    assert held_out["all"]["fraud_as_other_scam"] >= 0.75
    assert held_out["all"]["kind_accuracy"] >= 0.90


def test_legitimate_offers_and_warnings_seldom_reach_tinggi(held_out: dict[str, Any]) -> None:
    # Issue 13 asks for at most 2% of legitimate offers. The shipped model (198febd8) has 3 of 164 (1.8%): two in
    # the question voice, one testimony. Generic warnings, which the policy makes rendah, are the weak rows:
    # 6 of 59 at tinggi (10.2%); this bar only guards against their getting worse.
    assert held_out["all"]["legit_offer_rate_tinggi"] <= 0.02, held_out["all"]
    assert held_out["all"]["warning_rate_tinggi"] <= 0.15, held_out["all"]
    assert held_out["all"]["low_rate_tinggi"] <= 0.05, held_out["all"]


def test_cases_by_another_writer_keep_their_levels(det: Detector) -> None:
    rep = _report(det, "cases_check", held_out_only=False)["all"]
    assert rep["high_recall_tinggi"] >= 0.85 and rep["low_rate_tinggi"] <= 0.05, rep


@pytest.mark.skipif(not LOKER.is_file(), reason=f"{LOKER} not found (the portal adverts are not in the repo)")
def test_no_real_portal_advert_reaches_tinggi(det: Detector) -> None:
    rows = load_loker(LOKER)
    levels = [r.risk_level for r in det.score_many([r.text for r in rows])]
    assert levels.count("tinggi") == 0, [r.id for r, lv in zip(rows, levels, strict=True) if lv == "tinggi"][:10]
