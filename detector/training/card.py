"""Markdown renderings of the evaluation report and the model card (written by ``train``)."""

from __future__ import annotations

from typing import Any


def _f(x: Any, pct: bool = False) -> str:
    if x is None:
        return "n/a"
    return f"{100 * x:.1f}%" if pct else f"{x:.3f}"


def _block(title: str, rep: dict[str, Any]) -> list[str]:
    """A report section; without baselines in ``rep`` (``detector assess``) the model's column only."""
    m = rep["model"]
    excluded = rep.get("excluded_unknown_risk")
    left_out = (f" Left out: {excluded} awareness rows that ask about or tell of a particular offer (their "
                "`low` label, from the old policy, is not that offer's risk; they train `kind` only).") if excluded else ""
    lines = [f"### {title}", "", f"Rows: {m['n']}. Thresholds on P(high): sedang ≥ {m['thresholds']['sedang']}, "
             f"tinggi ≥ {m['thresholds']['tinggi']}.{left_out}", ""]
    baselines = "baseline_tfidf_lr" in rep
    tf, kw = (rep["baseline_tfidf_lr"], rep["baseline_keyword_rule"]) if baselines else ({}, {})
    rows = [  # (metric, model, TF-IDF + LR baseline, keyword rule)
        ("ROC-AUC high vs low", _f(m["roc_auc_high_vs_low"]), lambda b: _f(b["roc_auc_high_vs_low"])),
        ("PR-AUC (high)", _f(m["pr_auc_high"]), lambda b: _f(b["pr_auc_high"])),
        ("precision at tinggi", _f(m["tinggi"]["precision"]), lambda b: _f(b["tinggi"]["precision"])),
        ("recall at tinggi", _f(m["tinggi"]["recall"]), lambda b: _f(b["tinggi"]["recall"])),
        ("hard-negative FPR at tinggi", _f(m["hard_negatives"]["fpr_tinggi"], True),
         lambda b: _f(b["hard_negatives_fpr_tinggi"], True)),
        ("portal adverts at tinggi", f"{m['portal_adverts']['n_tinggi']} / {m['portal_adverts']['n']}",
         lambda b: str(b["portal_n_tinggi"])),
    ]
    if baselines:
        lines += ["| metric | model | TF-IDF + LR baseline | keyword rule (4 card flags) |", "|---|---|---|---|"]
        lines += [f"| {name} | {mv} | {bv(tf)} | {bv(kw)} |" for name, mv, bv in rows]
    else:
        lines += ["| metric | model |", "|---|---|"] + [f"| {name} | {mv} |" for name, mv, _ in rows]
    lines += _model_lines(m)
    if not baselines:
        return lines
    for name, d in rep.get("margins", {}).items():
        lines.append(f"- Margin over {name}: " + ", ".join(f"{k} {v:+.3f}" if v is not None else f"{k} n/a" for k, v in d.items()))
    lines.append("")
    return lines


def _sms_lines(meta: dict[str, Any]) -> list[str]:
    sms = meta["metrics"].get("sms_held_out")
    if not sms:
        return []
    m, tf, kw = sms["model"], sms["baseline_tfidf_lr"], sms["baseline_keyword_rule"]
    n = m["n"]
    pred = dict(zip(m["confusion_matrix"]["labels"], m["confusion_matrix"]["matrix"][0], strict=True))
    sedang = m["per_category"]["sms_not_advert"]["rate_sedang_or_above"]
    return ["### Real SMS that are not job adverts (held-out half; never trained on)", "",
            f"{n} real Indonesian SMS (promotions, fraud, personal messages; Rahmi & Wibisono 2016, CC BY-SA 4.0), "
            "the near-duplicate groups not used for training. None recruits anyone, so every one should stay below "
            "`tinggi`.", "",
            "| | model | TF-IDF + LR baseline | keyword rule (4 card flags) |", "|---|---|---|---|",
            f"| at tinggi | {m['tinggi']['n_predicted']} of {n} | {tf['n_tinggi']} | {kw['n_tinggi']} |",
            f"| at sedang or above | {_f(sedang, True)} | | |",
            f"| labelled low / other_scam / high | {pred['low']} / {pred['other_scam']} / {pred['high']} | | |", ""]


def _model_lines(m: dict[str, Any]) -> list[str]:
    """Per-class, confusion, per-category and hard-negative lines of one model report."""
    lines = ["", f"Macro F1 (3 classes): {_f(m['macro_f1'])}; ROC-AUC high vs rest: {_f(m['roc_auc_high_vs_rest'])}; "
             f"recall of high at sedang or above: {_f(m['sedang_or_above_recall'])}.", "",
             "| class | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for c, v in m["per_class"].items():
        lines.append(f"| {c} | {_f(v['precision'])} | {_f(v['recall'])} | {_f(v['f1'])} | {v['support']} |")
    cm = m["confusion_matrix"]
    lines += ["", "Confusion matrix (rows = true, columns = predicted; " + ", ".join(cm["labels"]) + "):", ""]
    lines += ["| true \\ pred | " + " | ".join(cm["labels"]) + " |", "|---" * (len(cm["labels"]) + 1) + "|"]
    for lab, row in zip(cm["labels"], cm["matrix"], strict=True):
        lines.append(f"| {lab} | " + " | ".join(str(v) for v in row) + " |")
    lines += ["", "| category | label | n | recall at tinggi / rate at tinggi | at sedang or above | label accuracy |",
              "|---|---|---|---|---|---|"]
    for cat, v in m["per_category"].items():
        at_t = v.get("recall_tinggi", v.get("rate_tinggi"))
        at_s = v.get("recall_sedang_or_above", v.get("rate_sedang_or_above"))
        lines.append(f"| {cat} | {v['label']} | {v['n']} | {_f(at_t, True)} | {_f(at_s, True)} | {_f(v['label_accuracy'], True)} |")
    hn = m["hard_negatives"]
    lines += ["", f"Hard negatives ({', '.join(hn['categories'])}): n = {hn['n']}, at tinggi {_f(hn['fpr_tinggi'], True)}, "
              f"at sedang or above {_f(hn['fpr_sedang_or_above'], True)}.", ""]
    return lines


_VOICE_COLS = (
    ("trafficking offers at tinggi", "high_recall_tinggi", True), ("… at sedang or above", "high_recall_sedang_or_above", True),
    ("legitimate offers at tinggi", "legit_offer_rate_tinggi", True),
    ("generic warnings at tinggi", "warning_rate_tinggi", True),
    ("job fraud labelled other_scam", "fraud_as_other_scam", True),
    ("kind accuracy", "kind_accuracy", True), ("ROC-AUC high vs rest", "roc_auc_high_vs_rest", False),
    ("TF-IDF+LR ROC-AUC", "baseline_roc_auc_high_vs_rest", False),
    ("TF-IDF+LR trafficking at tinggi", "baseline_high_recall_tinggi", True))


def voice_lines(title: str, rep: dict[str, Any]) -> list[str]:
    """Real cases by voice (``offer``, ``question``, ``report``, ``testimony``, ``warning``, ``all``)."""
    bv = rep.get("by_voice")
    if not bv:
        return []
    voices = [v for v in ("offer", "question", "report", "testimony", "warning") if v in bv] + ["all"]
    lines = [f"### {title}", "", rep.get("note", ""), "",
             "| | " + " | ".join(f"{v} (n={bv[v]['n']})" for v in voices) + " |", "|---" * (len(voices) + 1) + "|"]
    for name, key, pct in _VOICE_COLS:
        lines.append(f"| {name} | " + " | ".join(_f(bv[v].get(key), pct) for v in voices) + " |")
    shares = bv["all"].get("level_shares", {})
    lines += ["", "Level shares (all voices): " + ", ".join(f"{k} {_f(v, True)}" for k, v in shares.items()) + ".", ""]
    return lines


def behaviour_lines(meta: dict[str, Any]) -> list[str]:
    b = meta["metrics"].get("behaviour")
    if not b:
        return []
    lines = ["### Behavioural tests (`tests/behaviour/`, the same tables)", "", "| family | cases | pass rate |", "|---|---|---|"]
    lines += [f"| {k} | {v['n']} | {_f(v['pass_rate'], True)} |" for k, v in b.items()]
    return lines + [""]


def render_report(meta: dict[str, Any]) -> str:
    d = meta["data"]
    lines = [f"# Evaluation report — model {meta['version']}", "",
             f"Generated by `detector train` on {meta['trained_at']} (scikit-learn {meta['sklearn_version']}). "
             f"Split: near-duplicate groups (character 5-gram Jaccard ≥ 0.5, transitively merged), "
             f"stratified by label; seed {meta['config']['seed']}. Synthetic (written) rows are used for "
             f"training only and never appear in a test or reported fold.", "",
             f"Training rows: {d['train_rows']} {d['label_counts_train']}; held-out test rows: {d['test_rows']} "
             f"{d['label_counts_test']}.", "",
             "Thresholds were chosen on out-of-fold predictions of the "
             f"{meta['metrics']['cross_validation'].get('thresholds_from', 'training split')}, never on a test split "
             "(the baselines' too).", ""]
    real = meta["metrics"].get("real_cases")
    if real:
        lines += voice_lines("Held-out real cases by voice (the shipped model; split by case)", real)
        lines += _block("Held-out real cases, all voices", real)
    fresh = meta["metrics"].get("real_cases_fresh_writer")
    if fresh:
        lines += voice_lines("Real cases by a writer whose texts are not in training (never trained or tuned on)", fresh)
    wo = meta["metrics"].get("written_only_to_real_cases")
    if wo:
        lines += voice_lines("Trained on written rows only → tested on the same real cases", wo)
    lines += behaviour_lines(meta)
    lines += _block("Held-out test split of seed and portal posts (the shipped model)", meta["metrics"]["heldout_test"])
    check = meta["metrics"].get("fresh_writer_check")
    if check:
        lines += _block("Fresh-writer check set (the shipped model; never trained or tuned on)", check)
    lines += _sms_lines(meta)
    cv = meta["metrics"]["cross_validation"]
    lines += _block(f"{meta['config']['cv_folds']}-fold cross-validation on the training split (non-synthetic rows)", cv)
    alt = cv.get("alternative_estimator")
    if alt:
        a, m = alt["report"], cv["model"]
        rows = [("ROC-AUC high vs low", m["roc_auc_high_vs_low"], a["roc_auc_high_vs_low"], False),
                ("PR-AUC (high)", m["pr_auc_high"], a["pr_auc_high"], False),
                ("precision at tinggi", m["tinggi"]["precision"], a["tinggi"]["precision"], False),
                ("recall at tinggi", m["tinggi"]["recall"], a["tinggi"]["recall"], False),
                ("hard-negative FPR at tinggi", m["hard_negatives"]["fpr_tinggi"], a["hard_negatives"]["fpr_tinggi"], True),
                ("macro F1", m["macro_f1"], a["macro_f1"], False)]
        lines += ["### Estimator choice (cross-validation on the training split only)", "",
                  f"| metric | shipped: {cv.get('estimator', meta['config'].get('estimator'))} | alternative: {alt['estimator']} |",
                  "|---|---|---|"]
        lines += [f"| {n} | {_f(x, p)} | {_f(y, p)} |" for n, x, y, p in rows]
        lines.append("")
    lines += _no_offer_lines(cv.get("no_offer_at"))
    return "\n".join(lines) + "\n"


def _no_offer_lines(table: dict[str, Any] | None) -> list[str]:
    """The out-of-fold evidence for the cut of P(warning or other) below which a text keeps its offer risk."""
    if not table:
        return []
    lines = ["### When a text is read as carrying no offer (cross-validation on the training split only)", "",
             f"Shipped cut: P(warning or other) >= {table['shipped_cut']}. Out of fold, over "
             f"{table['real_high_offers']} real-case trafficking offers (any voice that carries an offer) and "
             f"{table['warnings']} warnings ({table['real_warnings']} from real cases):", "",
             "| cut | real trafficking offers that would lose their risk | warnings read as no offer | "
             "real-case warnings read as no offer |", "|---|---|---|---|"]
    lines += [f"| {r['cut']:.2f} | {r['real_high_offers_lost']} | {_f(r['warnings_read_as_no_offer'], True)} | "
              f"{_f(r['real_warnings_read_as_no_offer'], True)} |" for r in table["rows"]]
    return lines + [""]


_TEXT = ("TF-IDF over Sastrawi-stemmed word uni/bi-grams (negations kept) and character 3–5-grams of the "
         "normalised text")
_RULES = ("the rule-based indicator features (max score per red flag and counter-evidence, destination tier, "
          "minors, pay ratio, interactions)")


def _model_text(meta: dict[str, Any]) -> str:
    text_col = meta["config"].get("use_text", True)
    return (
        "Three parts (`detector/offer_model.py`), each answering one question.\n\n"
        "- **Risk**, P(high): class-weighted gradient-boosted trees (scikit-learn HistGradientBoosting) over "
        "the red flags with **monotonic constraints** (`detector/risk_features.py`). Every red flag's strength, "
        "the number of red flags, the destination's tier, a targeted minor, the monthly pay and its ratio to the "
        "pay threshold can only raise risk. A claim of legitimacy (licensed P3MI, SIP2MI, SISKOP2MI, G-to-G, "
        "company identity) can only lower it, and is set to 0 whenever the post has a strong red flag "
        "(tourist/visit visa or another non-procedural route, documents held, paid travel that becomes a debt, "
        "an online-scam destination with unskilled high pay): a claim is a claim, and cannot clear those. "
        + (f"One more +1-constrained column is the out-of-fold P(high) of a logistic regression over {_TEXT}, "
           "which reads the post with every claim of legitimacy and every news/warning word blanked, so that "
           "neither a claim nor the voice can move risk through it. " if text_col else
           "The text model's vote is not used (trained with `--no-text`). ")
        + "Sigmoid calibration from cross-validated decisions.\n"
        "- **Job fraud**, P(other_scam | not high): gradient-boosted trees over every indicator column and the "
        "text model's three probabilities; the class probabilities are P(high), (1 - P(high)) · P(fraud) and "
        "the rest.\n"
        "- **Kind**: word (1-2) TF-IDF + logistic regression, reading the text with claims blanked. Voice is what a text's style "
        "shows, so here a text model is the right tool; risk never reads it.\n\n"
        "**How voice is kept from carrying risk.** (1) The risk model never reads `awareness_context` (news, "
        "court and warning words), and its text column reads the post with those words blanked. (2) Training "
        "has the same real offers in every voice (offer, question, report, testimony), with one label per case, "
        "and written offers retold as a question, a forward or a relayed account. (3) Awareness rows whose old "
        "`low` label was not the offer's risk train `kind` only. The behavioural invariance tests measure what "
        "is left.")


def _check_lines(meta: dict[str, Any]) -> str:
    check = meta["metrics"].get("fresh_writer_check")
    if not check:
        return ""
    c = check["model"]
    sms = meta["metrics"].get("sms_held_out")
    sms_line = (f"- Real SMS that are not job adverts (held out, {sms['model']['n']}): "
                f"{sms['model']['tinggi']['n_predicted']} at `tinggi`\n" if sms else "")
    return (f"""## Fresh-writer check (the shipped model)
{c['n']} labelled posts written by someone whose posts are not in the training data, kept out of training
and tuning (synthetic, so not a substitute for real posts):
- ROC-AUC high vs low: {_f(c['roc_auc_high_vs_low'])}; at `tinggi`: precision {_f(c['tinggi']['precision'])}, recall {_f(c['tinggi']['recall'])}
- Hard negatives at `tinggi`: {_f(c['hard_negatives']['fpr_tinggi'], True)} of {c['hard_negatives']['n']}; macro F1: {_f(c['macro_f1'])}
{sms_line}
""")


def _real_case_lines(meta: dict[str, Any]) -> str:
    real = meta["metrics"].get("real_cases")
    if not real:
        return ""
    bv, wo = real["by_voice"], meta["metrics"].get("written_only_to_real_cases", {}).get("by_voice", {})
    rows = []
    for v in [x for x in ("offer", "question", "report", "testimony") if x in bv]:
        d = bv[v]
        rows.append(f"| {v} | {d['high_n']} | {_f(d['high_recall_tinggi'], True)} | "
                    f"{_f(wo.get(v, {}).get('high_recall_tinggi'), True)} | {_f(d['baseline_high_recall_tinggi'], True)} | "
                    f"{_f(d['roc_auc_high_vs_rest'])} | {_f(d['baseline_roc_auc_high_vs_rest'])} |")
    a = bv["all"]
    shares = ", ".join(f"{k} {_f(v, True)}" for k, v in a.get("level_shares", {}).items())
    beh = meta["metrics"].get("behaviour", {})
    beh_line = ("; ".join(f"{k} {_f(v['pass_rate'], True)} of {v['n']}" for k, v in beh.items())) if beh else "n/a"
    return f"""## Held-out real cases (the shipped model; split by case, never trained or tuned on)
{real['model']['n']} texts of real cases from public sources, written by us in several voices (see the datasheet).

| voice | trafficking offers | at `tinggi` | … trained on written rows only | TF-IDF+LR at `tinggi` | ROC-AUC | TF-IDF+LR ROC-AUC |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

- Legitimate offers at `tinggi`: {_f(a.get('legit_offer_rate_tinggi'), True)} of {a.get('legit_offer_n')}; generic warnings at `tinggi`: {_f(a.get('warning_rate_tinggi'), True)} of {a.get('warning_n')}; real job fraud labelled `other_scam`: {_f(a['fraud_as_other_scam'], True)} of {a['fraud_n']}; `kind` accuracy: {_f(a['kind_accuracy'], True)}.
- Level shares: {shares}.
- Behavioural tests: {beh_line}.

"""


def render_card(meta: dict[str, Any]) -> str:
    t = meta["metrics"]["heldout_test"]["model"]
    srcs = "\n".join(f"- `{k}`: {v['rows']} rows" + (f", sha256 `{v['sha256'][:16]}…`" if "sha256" in v else
                                                    f" from {v.get('cases')} real cases ({v.get('train_cases')} train, "
                                                    f"{v.get('test_cases')} held out by case)")
                     + (" (synthetic, never trained or tuned on: the fresh-writer check)" if v.get("check_only")
                        else " (synthetic, training only)" if v.get("synthetic") else "")
                     + (f" (real; {v['train_rows']} trained on as not-advert rows, {v['held_out_rows']} held out; "
                        "not redistributed)" if "held_out_rows" in v
                        else " (used for training/evaluation; not redistributed)" if v.get("redistributed") is False
                        else "")
                     for k, v in meta["data"]["sources"].items())
    return f"""# Model card — TPPO recruitment-risk detector {meta['version']}

File: `{meta.get('bundle_file', '?')}` (SHA-256 in `models/manifest.json`; the loader refuses a file whose hash differs).
Trained {meta['trained_at']} with scikit-learn {meta['sklearn_version']}, Python {meta['python_version']}, in {meta['training_seconds']} s.

## What it does
Scores an Indonesian social-media job advert for the risk that it recruits people into trafficking
(TPPO): `risk_score` = calibrated P(high), `risk_level` rendah/sedang/tinggi by thresholds chosen on
validation data (sedang ≥ {meta['thresholds']['sedang']}, tinggi ≥ {meta['thresholds']['tinggi']}),
and a 3-class `label` (low / other_scam = ordinary job fraud / high = trafficking risk). Every red flag
is shown with the words that raised it.

## Intended use
Triage by NGO moderators, researchers and a browser extension: it points humans at posts worth
checking and says why. It is **not** evidence of a crime and must not be used to take action against a
person or a company without human review. A `rendah` score does not make a post safe.

## Model
{_model_text(meta)}

## Data
{srcs}

The seed set is hand-written (realistic, not real posts). Written rows were authored for this project
to cover gaps found by error analysis; they are marked synthetic and never used for testing. The
loker.id portal adverts are real legitimate adverts; they were used for training and evaluation but are
not redistributed (no licence).

## Held-out test results on seed and portal posts (the shipped model)
- ROC-AUC high vs low: {_f(t['roc_auc_high_vs_low'])}; PR-AUC (high): {_f(t['pr_auc_high'])}
- At `tinggi`: precision {_f(t['tinggi']['precision'])}, recall {_f(t['tinggi']['recall'])}
- Hard negatives (official overseas programmes, awareness posts, skilled high-pay jobs) at `tinggi`:
  {_f(t['hard_negatives']['fpr_tinggi'], True)} of {t['hard_negatives']['n']}
- Portal adverts at `tinggi`: {t['portal_adverts']['n_tinggi']} of {t['portal_adverts']['n']}
- Macro F1 over 3 classes: {_f(t['macro_f1'])}

{_real_case_lines(meta)}{_check_lines(meta)}The full report with baselines, per-category recall, confusion matrices and cross-validation is in
`models/EVALUATION.md`.

## Limits
- Written rows are separable by their writers' style, so numbers on them prove little: judge the model on
  the real cases above. Those are real offers retold by us (facts from the source, our wording), not the
  posts themselves; real posts will be more varied. The test sets are small (hundreds of texts), so
  confidence intervals are wide.
- Rates and wage thresholds for `high_pay` are approximate (rate table dated in
  `detector/resources/rates.toml`).
- Text only: images, voice notes and links are not read. Posts in regional languages, or whose bait
  is only in an image, will be missed.
- Traffickers adapt their words; retrain with moderators' feedback (`detector train --feedback`).
"""
