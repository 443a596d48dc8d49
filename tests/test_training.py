"""Seeded training smoke test: `train` on a small corpus writes a loadable, verified bundle, a
report and a model card, and the same seed gives the same model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from detector import Detector
from detector.training.data import holdout_split, load_jsonl, near_duplicate_groups
from detector.training.train import TrainConfig, run

REPO = Path(__file__).resolve().parent.parent


def _small_corpus(tmp_path: Path) -> Path:
    rows = (REPO / "data" / "seed_adverts.jsonl").read_text(encoding="utf-8").splitlines()
    d = tmp_path / "data"
    d.mkdir()
    (d / "seed_adverts.jsonl").write_text("\n".join(rows[::3]) + "\n", encoding="utf-8")  # ~147 rows
    return d


@pytest.mark.slow
def test_seeded_training_writes_a_verified_bundle_and_is_reproducible(tmp_path: Path) -> None:
    data = _small_corpus(tmp_path)
    seed_lines = (REPO / "data" / "seed_adverts.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in seed_lines]
    first = rows[0]  # in the training corpus; its near-duplicate in the check set must take it out of training
    check = [{**r, "id": f"chk-{r['id']}"} for r in rows[1::3][:24]]
    check.append({**first, "id": "chk-dup", "text": first["text"] + " !!"})
    (data / "check_adverts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in check), encoding="utf-8")
    sms_lines = (REPO.parent / "shared" / "data" / "sms_spam_id.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "sms.csv").write_text("\n".join(sms_lines[:41]) + "\n", encoding="utf-8")  # header + 40 messages
    (data / "cases").mkdir()
    for name in ("exploitation.jsonl", "fraud_and_legit.jsonl"):  # 30 real cases of each file
        lines = (REPO / "data" / "cases" / name).read_text(encoding="utf-8").splitlines()[:30]
        (data / "cases" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = TrainConfig(data_dir=data, cv_folds=2, seed=7, version="0.0.0-test", sms_csv=tmp_path / "sms.csv")
    meta1 = run(cfg, tmp_path / "m1", log=lambda _m: None)
    meta2 = run(cfg, tmp_path / "m2", log=lambda _m: None)
    assert meta1["thresholds"] == meta2["thresholds"]
    d1, d2 = Detector.load(tmp_path / "m1"), Detector.load(tmp_path / "m2")
    text = "Kerja di Kamboja gaji 20jt tanpa pengalaman, tiket ditanggung, japri"
    assert d1.score(text).risk_score == pytest.approx(d2.score(text).risk_score)
    assert d1.version == "0.0.0-test"
    for name in ("manifest.json", "MODEL_CARD.md", "EVALUATION.md", "evaluation.json"):
        assert (tmp_path / "m1" / name).is_file()
    report = json.loads((tmp_path / "m1" / "evaluation.json").read_text())
    assert {"model", "baseline_tfidf_lr", "baseline_keyword_rule", "margins"} <= set(report["heldout_test"])
    # the recipe learns something even on a third of the seed data
    assert report["heldout_test"]["model"]["roc_auc_high_vs_low"] > 0.8
    # the text column's vote is documented with the rules-only model's cross-validated numbers
    assert report["cross_validation"]["alternative_estimator"]["estimator"] == "use_text=False"
    # real cases: held out by case, reported by voice, and the written-only transfer row beside them
    real = report["real_cases"]
    assert real["model"]["n"] == d1.metadata["data"]["case_test_rows"] > 0
    assert {"offer", "question", "report", "all"} <= set(real["by_voice"])
    assert report["written_only_to_real_cases"]["model"]["n"] == real["model"]["n"]
    assert set(report["behaviour"]) >= {"minimum_functionality", "invariance", "direction_licence"}
    assert "Held-out real cases by voice" in (tmp_path / "m1" / "EVALUATION.md").read_text()
    assert "Estimator choice" in (tmp_path / "m1" / "EVALUATION.md").read_text()
    # the fresh-writer check set is scored and reported, never trained on
    d = meta1["data"]
    fresh = report["fresh_writer_check"]
    # every row is in the risk metrics or counted as left out (awareness accounts of an offer of unknown risk)
    assert d["check_rows"] == len(check) == fresh["model"]["n"] + fresh["excluded_unknown_risk"]
    n_corpus = len(rows[::3])
    dropped = 0 if first["id"] in d["test_ids"] else 1
    assert d["train_rows_dropped_near_check"] == dropped
    sms = d["sources"]["sms.csv"]
    assert sms["rows"] == 40 and sms["train_rows"] + sms["held_out_rows"] == 40 and sms["held_out_rows"] > 0
    case_train_rows = d["sources"]["cases/"]["rows"] - d["case_test_rows"]
    expected_rows = n_corpus + sms["train_rows"] + case_train_rows + d["retold_rows"]
    assert d["train_rows"] + d["test_rows"] + dropped == expected_rows
    assert report["sms_held_out"]["model"]["n"] == sms["held_out_rows"]
    assert "Real SMS that are not job adverts" in (tmp_path / "m1" / "EVALUATION.md").read_text()
    assert "Fresh-writer check set" in (tmp_path / "m1" / "EVALUATION.md").read_text()
    assert "Fresh-writer check" in (tmp_path / "m1" / "MODEL_CARD.md").read_text()


def test_near_duplicates_share_a_group_and_never_straddle_the_split() -> None:
    base = "Dibutuhkan admin CS gaji 15jt kerja di Kamboja tiket visa ditanggung info japri kak"
    texts = [base, base + " !!", base.replace("admin", "operator"), "Lowongan kasir minimarket gaji UMR Sleman"]
    g = near_duplicate_groups(texts)
    assert g[0] == g[1] == g[2] != g[3]
    records = load_jsonl(REPO / "data" / "seed_adverts.jsonl")
    split = holdout_split(records, seed=13)
    groups = near_duplicate_groups([r.text for r in split.train + split.test])
    train_groups = set(groups[: len(split.train)])
    assert not train_groups & set(groups[len(split.train):])


def test_synthetic_rows_never_reach_the_test_split(tmp_path: Path) -> None:
    data = _small_corpus(tmp_path)
    seed = load_jsonl(data / "seed_adverts.jsonl", source="seed", synthetic=False)
    written = [r.__class__(**{**r.__dict__, "id": "w" + r.id, "source": "written", "synthetic": True})
               for r in seed[:40]]
    split = holdout_split(seed + written, seed=3)
    assert not any(r.synthetic for r in split.test)
    shutil.rmtree(data)
