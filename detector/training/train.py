"""``detector train`` / ``detector evaluate``: held-out and cross-validated evaluation of the
recipe against two baselines, threshold selection on validation data, and the shipped bundle."""

from __future__ import annotations

import json
import platform
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.model_selection import StratifiedGroupKFold

from detector import __version__
from detector.bundle import save_bundle
from detector.features import analyses
from detector.files import file_sha256
from detector.model import LABELS, build_tfidf_baseline
from detector.offer_model import NO_OFFER_AT, NO_OFFER_KINDS, OfferRiskModel, decide_kinds, no_offer_proba
from detector.result import KINDS
from detector.training.cases import case_records, load_cases, split_cases
from detector.training.data import (
    Record,
    data_hash,
    holdout_split,
    load_feedback,
    load_jsonl,
    load_loker,
    load_sms,
    near_duplicate_groups,
    split_by_group,
)
from detector.training.evaluation import (
    baseline_report,
    choose_thresholds,
    keyword_rule_scores,
    report,
    voice_report,
)
from detector.training.voices import retold, risk_label_known, tells_of_an_offer_of_unknown_risk

Log = Callable[[str], None]


@dataclass
class TrainConfig:
    data_dir: Path = Path("data")
    loker_csv: Path | None = None
    feedback: list[Path] = field(default_factory=list)
    seed: int = 13
    test_fraction: float = 0.2
    cv_folds: int = 4
    C: float = 4.0
    #: also cross-validate the model without its text column (the risk read from red flags alone) and
    #: report it: the evidence for keeping or dropping the text model's vote (see EVALUATION.md)
    compare_estimators: bool = True
    #: the risk model reads the text model's out-of-fold P(high) as one more +1-constrained column
    use_text: bool = True
    version: str = __version__
    loker_limit: int | None = None
    data_limit: int | None = None  # for smoke tests: use only the first N labelled rows
    #: Real SMS that are not job adverts (``../shared/data/sms_spam_id.csv``): half by near-duplicate
    #: group trains as ``low``, the other half is held out and reported (never trained on).
    sms_csv: Path | None = None
    #: Labelled rows by a writer the training data never saw, scored by the shipped model and never
    #: trained or tuned on (default: ``data_dir/check_adverts.jsonl`` when it exists).
    check_file: Path | None = None
    #: Real cases (``data_dir/cases``): split by case; the test cases are never trained or tuned on.
    cases_dir: Path | None = None
    #: Real cases written by a writer whose texts are not in training (``data_dir/cases_check``): never
    #: trained or tuned on; measures how much the model depends on our case writers' style.
    case_check_dir: Path | None = None
    #: Share of written offers also retold as a question, forward or relayed account (training only).
    retold_share: float = 0.5
    #: Also train on written rows only and report that model on the real-case test split.
    written_only: bool = True

    def check_path(self) -> Path | None:
        path = self.check_file or self.data_dir / CHECK_FILE
        return path if path.is_file() else None

    def case_check_path(self) -> Path | None:
        path = self.case_check_dir or self.data_dir / "cases_check"
        return path if path.is_dir() and any(path.glob("*.jsonl")) else None

    def cases_path(self) -> Path | None:
        path = self.cases_dir or self.data_dir / "cases"
        return path if path.is_dir() and any(path.glob("*.jsonl")) else None


#: The fresh-writer check set in ``data/`` (see the datasheet).
CHECK_FILE = "check_adverts.jsonl"


def load_corpus(cfg: TrainConfig) -> tuple[list[Record], dict[str, Any]]:
    records: list[Record] = []
    sources: dict[str, Any] = {}
    seed = cfg.data_dir / "seed_adverts.jsonl"
    written = cfg.data_dir / "written_adverts.jsonl"
    if not seed.is_file():
        raise FileNotFoundError(f"{seed} not found: the seed corpus is required")
    for path, source, synthetic in ((seed, "seed", False), (written, "written", True)):
        if path.is_file():
            rows = load_jsonl(path, source=source, synthetic=synthetic)
            records += rows
            sources[path.name] = {"rows": len(rows), "sha256": file_sha256(path), "synthetic": synthetic}
    if cfg.data_limit:
        records = records[: cfg.data_limit]
    if cfg.loker_csv:
        rows = load_loker(cfg.loker_csv, limit=cfg.loker_limit)
        records += rows
        sources[Path(cfg.loker_csv).name] = {"rows": len(rows), "sha256": file_sha256(cfg.loker_csv),
                                            "synthetic": False, "redistributed": False}
    for fb in cfg.feedback:
        rows = load_feedback(fb)
        records += rows
        sources[Path(fb).name] = {"rows": len(rows), "sha256": file_sha256(fb), "synthetic": False}
    return records, sources


@dataclass
class TrainingSet:
    """Rows, their cross-validation groups, and which rows carry a trusted risk label."""

    rows: list[Record]
    groups: np.ndarray

    @property
    def labels(self) -> np.ndarray:
        return np.array([r.label for r in self.rows], dtype=object)

    @property
    def kinds(self) -> np.ndarray:
        return np.array([r.kind for r in self.rows], dtype=object)

    @property
    def known(self) -> np.ndarray:
        return np.array([risk_label_known(r) for r in self.rows], dtype=bool)

    def without(self, source: str) -> TrainingSet:
        keep = np.array([r.source != source for r in self.rows], dtype=bool)
        return TrainingSet([r for r, k in zip(self.rows, keep, strict=True) if k], self.groups[keep])


def fit_model(ts: TrainingSet, docs: Sequence[Any], cfg: TrainConfig, use_text: bool | None = None) -> OfferRiskModel:
    """The shipped recipe on ``ts``: risk and fraud on rows with a trusted label, kind on every row."""
    model = OfferRiskModel(C=cfg.C, cv=cfg.cv_folds, random_state=cfg.seed,
                           use_text=cfg.use_text if use_text is None else use_text)
    return model.fit(list(docs), ts.labels, kind=ts.kinds, groups=ts.groups, risk_rows=ts.known)


def _predict_cv(ts: TrainingSet, docs: Sequence[Any], cfg: TrainConfig, use_text: bool | None = None,
                baseline: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Out-of-fold class probabilities (LABELS order), kinds and P(no offer), folds by group (near-duplicates,
    cases)."""
    y = ts.labels
    oof = np.zeros((len(y), len(LABELS)))
    kinds = np.array(["offer"] * len(y), dtype=object)
    no_offer = np.zeros(len(y))
    sgkf = StratifiedGroupKFold(n_splits=cfg.cv_folds, shuffle=True, random_state=cfg.seed)
    for tr, va in sgkf.split(np.zeros(len(y)), y, ts.groups):
        sub = TrainingSet([ts.rows[i] for i in tr], ts.groups[tr])
        if baseline:
            known = sub.known
            model: Any = build_tfidf_baseline(cfg.seed).fit([sub.rows[i].text for i in np.flatnonzero(known)],
                                                             sub.labels[known])
            p = model.predict_proba([ts.rows[i].text for i in va])
        else:
            model = fit_model(sub, [docs[i] for i in tr], cfg, use_text)
            p = model.predict_proba([docs[i] for i in va])
            read = model.kind_proba([docs[i] for i in va])
            if read is not None:
                kinds[va] = decide_kinds(*read)[0]
                no_offer[va] = no_offer_proba(*read)
        cols = [list(model.classes_).index(c) for c in LABELS]
        oof[va] = p[:, cols]
    return oof, kinds, no_offer


def no_offer_table(p_none: np.ndarray, kinds: np.ndarray, y_high: np.ndarray, real: np.ndarray) -> dict[str, Any]:
    """For cuts of P(no offer) from 0.5: how many real trafficking offers (any offer-carrying kind) would lose
    their risk, and what share of warnings would be read as carrying no offer (out of fold). ``real``: the
    rows not marked synthetic. The shipped cut :data:`~detector.offer_model.NO_OFFER_AT` lies where the
    first count is 0 (its comment says how it was chosen)."""
    carry = ~np.isin(kinds, NO_OFFER_KINDS)
    offers = carry & y_high & real
    warnings = kinds == "warning"
    rows = []
    for cut in np.round(np.arange(0.5, 0.851, 0.05), 2):
        lost = p_none >= cut
        rows.append({"cut": float(cut), "real_high_offers_lost": int((lost & offers).sum()),
                     "warnings_read_as_no_offer": float(lost[warnings].mean()) if warnings.any() else None,
                     "real_warnings_read_as_no_offer": (float(lost[warnings & real].mean())
                                                        if (warnings & real).any() else None)})
    return {"shipped_cut": NO_OFFER_AT, "real_high_offers": int(offers.sum()), "warnings": int(warnings.sum()),
            "real_warnings": int((warnings & real).sum()), "rows": rows}


def _groups(records: Sequence[Record], offset: int) -> np.ndarray:
    """Near-duplicate groups, except that every voice of a real case shares its case's group and a
    retold row shares its source row's group."""
    base = near_duplicate_groups([r.text for r in records]) + offset
    by_id = {r.id: int(g) for r, g in zip(records, base, strict=True)}
    case_group: dict[str, int] = {}
    out = []
    for r, g in zip(records, base, strict=True):
        if "case_id" in r.extra:
            g = case_group.setdefault(str(r.extra["case_id"]), int(g))
        elif "from" in r.extra and str(r.extra["from"]) in by_id:
            g = by_id[str(r.extra["from"])]
        out.append(int(g))
    return np.asarray(out, dtype=np.int64)


def run(cfg: TrainConfig, out_dir: Path | None, log: Log = print, save: bool = True) -> dict[str, Any]:
    """Evaluate the recipe (CV on the training rows, held-out written/portal split, held-out real cases)
    and, with ``save``, ship it."""
    t0 = time.perf_counter()
    records, sources = load_corpus(cfg)
    log(f"loaded {len(records)} records: {dict(Counter(r.label for r in records))}")
    split = holdout_split(records, test_fraction=cfg.test_fraction, seed=cfg.seed)
    train, test = list(split.train), split.test
    log(f"held-out split by near-duplicate group: train {len(train)}, test {len(test)} "
        f"(synthetic rows dropped for leakage: {split.dropped_synthetic})")
    check: list[Record] = []
    dropped_for_check = 0
    check_path = cfg.check_path()
    if check_path is not None:
        check = load_jsonl(check_path, source="check", synthetic=True)
        sources[check_path.name] = {"rows": len(check), "sha256": file_sha256(check_path), "synthetic": True,
                                    "check_only": True}
        near = near_duplicate_groups([r.text for r in train] + [r.text for r in check])
        check_groups = set(near[len(train):].tolist())
        keep = [g not in check_groups for g in near[:len(train)]]
        dropped_for_check = len(train) - sum(keep)
        train = [r for r, k in zip(train, keep, strict=True) if k]
        log(f"check set {check_path.name}: {len(check)} rows, never trained on "
            f"(training rows dropped as near-duplicates of a check row: {dropped_for_check})")
    sms_held: list[Record] = []
    if cfg.sms_csv is not None:
        sms = load_sms(cfg.sms_csv)
        sms_train, sms_held = split_by_group(sms, 0.5, cfg.seed)
        sources[Path(cfg.sms_csv).name] = {"rows": len(sms), "sha256": file_sha256(cfg.sms_csv), "synthetic": False,
                                          "redistributed": False, "train_rows": len(sms_train),
                                          "held_out_rows": len(sms_held)}
        train += sms_train
        log(f"SMS (not job adverts): {len(sms_train)} train as low, {len(sms_held)} held out (never trained on)")
    case_test: list[Record] = []
    cases_path = cfg.cases_path()
    if cases_path is not None:
        cases = load_cases(cases_path)
        c_train, c_test = split_cases(cases)
        case_test = case_records(c_test)
        train += case_records(c_train)
        sources["cases/"] = {"rows": sum(len(c.texts) for c in cases), "cases": len(cases),
                             "train_cases": len(c_train), "test_cases": len(c_test), "synthetic": False,
                             "files": {f.name: file_sha256(f) for f in sorted(cases_path.glob("*.jsonl"))}}
        log(f"real cases: {len(cases)} ({len(c_train)} train, {len(c_test)} held out by case, never trained on)")
    case_check: list[Record] = []
    check_cases_path = cfg.case_check_path()
    if check_cases_path is not None:
        checks = load_cases(check_cases_path)
        case_check = case_records(checks)
        sources["cases_check/"] = {"rows": len(case_check), "cases": len(checks), "train_cases": 0,
                                   "test_cases": len(checks), "synthetic": False, "check_only": True}
        log(f"real-case check set by another writer: {len(checks)} cases, never trained on")
    retold_rows = retold(train, cfg.retold_share, cfg.seed)
    train += retold_rows
    log(f"written offers retold in other voices (training only): {len(retold_rows)}")
    ts = TrainingSet(train, _groups(train, 0))
    docs_train = analyses([r.text for r in train])

    # 1. cross-validation on the training rows: thresholds and the CV report
    log(f"{cfg.cv_folds}-fold cross-validation by group (near-duplicates; all voices of a case together) ...")
    oof, oof_kind, oof_no_offer = _predict_cv(ts, docs_train, cfg)
    oof_base, _, _ = _predict_cv(ts, docs_train, cfg, baseline=True)
    known = ts.known
    y_high = np.array([r.label == "high" for r in train])
    real = np.array([not r.synthetic for r in train]) & known
    # Levels are set on the out-of-fold scores of the real-case training rows when there are enough of them
    # (written rows are easy and would set the middle level where real texts never fall), else all real rows.
    case_rows = real & np.array([r.source == "case" for r in train])
    thr_rows = case_rows if int((case_rows & y_high).sum()) >= 50 else real
    thresholds = choose_thresholds(y_high[thr_rows], oof[thr_rows, LABELS.index("high")])
    base_thr = choose_thresholds(y_high[thr_rows], oof_base[thr_rows, LABELS.index("high")])
    thresholds_from = "real-case training rows" if thr_rows is case_rows else "non-synthetic training rows"
    kw_train = keyword_rule_scores([r.text for r in train])
    kw_thr = _keyword_threshold(y_high[real], kw_train[real])
    real_train = [r for r, k in zip(train, real, strict=True) if k]
    cv_report: dict[str, Any] = {
        "note": "out-of-fold predictions on the training rows; reported on non-synthetic rows with a trusted label",
        "model": report(real_train, oof[real], LABELS, thresholds),
        "baseline_tfidf_lr": baseline_report(real_train, oof_base[real][:, LABELS.index("high")], base_thr["tinggi"]),
        "baseline_keyword_rule": baseline_report(real_train, kw_train[real], kw_thr),
        "kind_accuracy": float((oof_kind[real] == ts.kinds[real]).mean()),
        "thresholds_from": thresholds_from,
        "no_offer_at": no_offer_table(oof_no_offer, ts.kinds, y_high, np.array([not r.synthetic for r in train])),
    }
    log(f"P(no offer) cut {NO_OFFER_AT}, out of fold: {cv_report['no_offer_at']['rows']}")
    log(f"thresholds from out-of-fold predictions: {thresholds}")
    if cfg.compare_estimators:
        log(f"cross-validating the model without its text column (use_text={not cfg.use_text}) ...")
        oof_alt, _, _ = _predict_cv(ts, docs_train, cfg, use_text=not cfg.use_text)
        alt_thr = choose_thresholds(y_high[real], oof_alt[real, LABELS.index("high")])
        cv_report["alternative_estimator"] = {"estimator": f"use_text={not cfg.use_text}",
                                              "report": report(real_train, oof_alt[real], LABELS, alt_thr)}
    cv_report["estimator"] = f"use_text={cfg.use_text}"

    # 2. the shipped model, fitted on all training rows, evaluated once on each held-out set
    model = fit_model(ts, docs_train, cfg)
    base = build_tfidf_baseline(cfg.seed).fit([r.text for r, k in zip(train, known, strict=True) if k],
                                              ts.labels[known])

    def scored(rows: Sequence[Record], m: Any = model, b: Any = base, thr: dict[str, float] = thresholds,
               b_thr: float = base_thr["tinggi"]) -> dict[str, Any]:
        """The model and both baselines on rows none of them was fitted or tuned on, leaving out the rows
        whose label is not the risk of the offer they tell of (:func:`tells_of_an_offer_of_unknown_risk`)."""
        excluded = sum(tells_of_an_offer_of_unknown_risk(r) for r in rows)
        rows = [r for r in rows if not tells_of_an_offer_of_unknown_risk(r)]
        texts = [r.text for r in rows]
        docs = analyses(texts)
        p = m.predict_proba(docs)[:, [list(m.classes_).index(c) for c in LABELS]]
        p_base = b.predict_proba(texts)[:, [list(b.classes_).index(c) for c in LABELS]]
        out: dict[str, Any] = {
            "model": report(rows, p, LABELS, thr),
            "baseline_tfidf_lr": baseline_report(rows, p_base[:, LABELS.index("high")], b_thr),
            "baseline_keyword_rule": baseline_report(rows, keyword_rule_scores(texts), kw_thr),
        }
        out["margins"] = _margins(out)
        out["excluded_unknown_risk"] = excluded
        if any(r.source == "case" for r in rows):
            out["by_voice"] = voice_report(rows, p, m.predict_kind(docs), thr, p_base[:, LABELS.index("high")], b_thr)
        return out

    metrics: dict[str, Any] = {"heldout_test": scored(test), "cross_validation": cv_report}
    if case_test:
        metrics["real_cases"] = {"note": "held-out real cases (by case): never trained or tuned on",
                                 **scored(case_test)}
        if cfg.written_only:
            log("training on written rows only, for the transfer row ...")
            w = ts.without("case")
            w_docs = [d for d, r in zip(docs_train, train, strict=True) if r.source != "case"]
            w_model = fit_model(w, w_docs, cfg)
            w_known = w.known
            w_base = build_tfidf_baseline(cfg.seed).fit([r.text for r, k in zip(w.rows, w_known, strict=True) if k],
                                                        w.labels[w_known])
            metrics["written_only_to_real_cases"] = {
                "note": "trained on written rows only (no real case), tested on the held-out real cases, at the "
                        "shipped thresholds", **scored(case_test, w_model, w_base)}
    if case_check:
        metrics["real_cases_fresh_writer"] = {"note": "real cases written by a writer whose texts are not in training; "
                                                      "never trained or tuned on", **scored(case_check)}
    if check:
        metrics["fresh_writer_check"] = {"note": f"{check_path.name if check_path else CHECK_FILE}: written by a "
                                                 "writer the training data never saw; never trained or tuned on",
                                         **scored(check)}
    if sms_held:
        metrics["sms_held_out"] = {"note": "real Indonesian SMS (none a job advert), the held-out half; every one "
                                           "should stay below tinggi", **scored(sms_held)}
    cv_report["margins"] = _margins(cv_report)
    elapsed = time.perf_counter() - t0
    metadata: dict[str, Any] = {
        "version": cfg.version,
        "labels": list(LABELS),
        "kinds": list(KINDS),
        "thresholds": thresholds,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sklearn_version": sklearn.__version__,
        "python_version": platform.python_version(),
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(cfg).items()
                   if k not in ("feedback",)} | {"feedback": [str(p) for p in cfg.feedback]},
        "data": {"sources": sources, "train_rows": len(train), "test_rows": len(test),
                 "train_hash": data_hash(train), "test_hash": data_hash(test),
                 "test_ids": [r.id for r in test], "case_test_rows": len(case_test),
                 "check_rows": len(check), "train_rows_dropped_near_check": dropped_for_check,
                 "retold_rows": len(retold_rows),
                 "label_counts_train": dict(Counter(r.label for r in train)),
                 "kind_counts_train": dict(Counter(r.kind for r in train)),
                 "label_counts_test": dict(Counter(r.label for r in test))},
        "metrics": metrics,
        "training_seconds": round(elapsed, 1),
    }
    if save and out_dir is not None:
        path = save_bundle(model, metadata, out_dir)
        log(f"saved {path}")
        metadata["bundle_file"] = path.name
        from detector import Detector
        from detector.training.behaviour import rates

        metadata["metrics"]["behaviour"] = rates(Detector.load(out_dir, cache_size=0))
        log("behavioural pass rates: " + ", ".join(f"{k} {v['pass_rate']:.3f}"
                                                   for k, v in metadata["metrics"]["behaviour"].items()))
        _write_reports(metadata, out_dir, card=True)
    elif out_dir is not None:
        _write_reports(metadata, out_dir, card=False)
    log(f"done in {elapsed:.0f}s")
    return metadata


def _write_reports(metadata: dict[str, Any], out_dir: Path, card: bool) -> None:
    from detector.training.card import render_card, render_report

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "evaluation.json").write_text(json.dumps(metadata["metrics"], indent=2) + "\n")
    (out_dir / "EVALUATION.md").write_text(render_report(metadata))
    if card:
        (out_dir / "MODEL_CARD.md").write_text(render_card(metadata))


def _keyword_threshold(y_high: np.ndarray, s: np.ndarray) -> float:
    """The keyword rule's cut (share of the 4 card flags), chosen on training data: best F1."""
    best, best_f1 = 0.75, -1.0
    for t in (0.25, 0.5, 0.75, 1.0):
        pred = s >= t
        tp = float((pred & y_high).sum())
        f1 = 2 * tp / max(1.0, float(pred.sum() + y_high.sum()))
        if f1 > best_f1:
            best, best_f1 = t, f1
    return best


def _margins(rep: dict[str, Any]) -> dict[str, Any]:
    """How much the model beats each baseline (positive = better)."""
    m = rep["model"]
    out = {}
    for name in ("baseline_tfidf_lr", "baseline_keyword_rule"):
        b = rep[name]
        out[name] = {
            "roc_auc_high_vs_low": _diff(m["roc_auc_high_vs_low"], b["roc_auc_high_vs_low"]),
            "pr_auc_high": _diff(m["pr_auc_high"], b["pr_auc_high"]),
            "tinggi_recall": _diff(m["tinggi"]["recall"], b["tinggi"]["recall"]),
            "tinggi_precision": _diff(m["tinggi"]["precision"], b["tinggi"]["precision"]),
            "hard_negatives_fpr_tinggi": _diff(b["hard_negatives_fpr_tinggi"], m["hard_negatives"]["fpr_tinggi"]),
        }
    return out


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(a - b, 4)
