"""Golden file of labelled posts (written for the tests, not in any training data): behavioural checks
on the shipped model, like detoxify's — risky posts must reach `tinggi`, hard negatives must not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detector import Detector

GOLDEN = [json.loads(line) for line in (Path(__file__).parent / "golden" / "adverts.jsonl").open(encoding="utf-8")]


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector.load()


@pytest.mark.parametrize("row", GOLDEN, ids=[r["id"] for r in GOLDEN])
def test_golden_post_gets_expected_level(detector: Detector, row: dict[str, str]) -> None:
    res = detector.score(row["text"])
    expect = row["expect_level"]
    if expect == "not_tinggi":
        assert res.risk_level != "tinggi", res.summary("en")
    else:
        assert res.risk_level == expect, res.summary("en")
    if row["label"] == "high":
        assert res.label == "high"
    if "expect_kind" in row:
        assert res.kind == row["expect_kind"]
        assert res.needs_action == (res.risk_level == "tinggi" and row["expect_kind"] in ("offer", "question"))


def test_golden_scam_posts_are_told_apart_from_trafficking(detector: Detector) -> None:
    scams = [r for r in GOLDEN if r["label"] == "other_scam"]
    results = detector.score_many([r["text"] for r in scams])
    assert sum(r.label == "other_scam" for r in results) >= len(scams) - 1
