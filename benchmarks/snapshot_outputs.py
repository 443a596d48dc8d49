"""Dev tool: snapshot every output of the detection core, to prove a refactor changes nothing.

    python benchmarks/snapshot_outputs.py --out /tmp/snap_before.json
    python benchmarks/snapshot_outputs.py --out /tmp/snap_after.json
    python benchmarks/snapshot_outputs.py --compare /tmp/snap_before.json /tmp/snap_after.json

Texts: data/seed_adverts.jsonl, data/written_adverts.jsonl, tests/golden/adverts.jsonl, the first
``--loker`` portal adverts of ../shared/data/loker_id_jobs.csv (read in place, never copied) and ~200
generated hostile or odd strings. For each text the snapshot holds ``score()`` and ``score_many()``
records (``to_dict`` with ``explain=True``, in both languages, and ``explain=False``), the raw
probabilities, the indicator ``Analysis`` (normalised text, offset maps, hits, money), the stemmed
word analyser output and the model's feature row (dense, as ``{column: value}`` for non-zero columns,
rounded to 12 digits). ``--pickle`` snapshots a bare fitted estimator (e.g. a ``TextRuleStack``
trained into /tmp) instead of a verified bundle.

``--compare`` demands equality everywhere except raw probabilities, which may differ below 1e-9.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
LOKER_CSV = REPO.parent / "shared" / "data" / "loker_id_jobs.csv"
PROBA_TOL = 1e-9
PROBA_KEYS = frozenset({"proba_raw_many", "proba_raw_single"})


# -- texts ----------------------------------------------------------------------------------------
def corpus_texts(loker: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for rel in ("data/seed_adverts.jsonl", "data/written_adverts.jsonl", "tests/golden/adverts.jsonl"):
        with (REPO / rel).open(encoding="utf-8") as fh:
            out += [(f"{rel}:{row['id']}", row["text"]) for row in map(json.loads, fh) if row]
    if loker and LOKER_CSV.is_file():
        from detector.training.data import load_loker

        out += [(r.id, r.text) for r in load_loker(LOKER_CSV, limit=loker)]
    return out


def hostile_texts(seed: int = 0) -> list[tuple[str, str]]:
    """Deterministic odd inputs: emoji, scripts, spacing, numbers, long and empty-ish strings."""
    rng = random.Random(seed)
    fixed = [
        "", " ", "\n\t ", ".", "🙏", "\u200b", "\u200bx\u200b", "a", "1", "0", "\x00", "ok\x00ok",
        "k a m b o j a", "K A M B O J A gaji 15jt", "k.a.m.b.o.j.a", "k-a-m-b-o-j-a", "w a 0812", "W.A. 0812xxx",
        "w. a. aja", "15jt", "15 jt", "15jtaan", "8-12jt/bln", "Rp 8.500.000", "Rp8.500.000,-", "Rp. 4.500.000,-",
        "$800", "800$", "USD 1,200", "1.200 USD", "IDR 5,000,000", "RM3500", "2.000 SR", "NT$ 27.470", "27rb NT",
        "¥200.000", "₩2.000.000", "2 juta won", "100k/hari", "100k followers", "gaji 2 digit", "gaji dua digit",
        "35rb/hari", "1,5 juta", "1.5jt", "1.2345 juta", "081234567890", "gaji 123456789012345678 rupiah",
        "Rp 5", "biaya admin Rp 450rb", "gaji 5jt dipotong biaya 2jt", "per jam 50rb", "gaji harian Rp 150.000",
        "🇰🇭🇲🇲🇱🇦 kerja", "🇽🇽 unknown flag", "🇰", "✈️💰📱☎️", "𝐆𝐀𝐉𝐈 𝐁𝐄𝐒𝐀𝐑 𝐊𝐀𝐌𝐁𝐎𝐉𝐀", "ＧＡＪＩ　１５ＪＴ",
        "İstanbul İŞ", "ǅemal ß straße", "Ⅻ ½ ㎏ ﬁ", "e\u0301 combining", "\ufeffBOM lowongan",
        "gajiii besarrrr bangettt", "kerja2 santai2", "xxxx wwww.com", "usia 15-17 th", "usia max 25",
        "umur 16 tahun boleh", "anak smp boleh", "hr@ptmaju.co.id", "a@b.c", "tanpa pengalaman tanpa biaya",
        "tidak perlu bahasa inggris", "PT Maju Jaya (P3MI resmi) terdaftar SISKOP2MI",
        "Ini peringatan: waspada penipuan lowongan kerja ke Kamboja!",
        "गाजी 15 जुता", "工资 15000 元 柬埔寨", "월급 2.000.000 원", "راتب ١٥٠٠ دولار", "Зарплата 800$ Камбоджа",
        "ข่าว งาน กัมพูชา", "ẞ ǰ ΐ", "\U0001f600" * 50, "😀 gaji 😀 18jt 😀", "\u202eRTL override kerja",
        "a" * 1000, "kerja " * 3000, "🇰🇭" * 500, "1" * 200, "9" * 16 + " juta", ".-" * 400, "Rp" * 300,
        "k a " * 300, "$" * 100 + "800", "x" * 19_999, "x" * 20_000, "x" * 20_001,
    ]
    words = ["gaji", "kamboja", "tanpa", "pengalaman", "wa", "japri", "tiket", "visa", "ditanggung", "biaya",
             "admin", "Rp", "15jt", "$800", "usia", "18-25", "🇰🇭", "✈️", "🙏", "loker", "PT", "resmi", "BP2MI",
             "gj", "tdk", "k a m b o j a", "8.500.000", "/bln", "per hari", "\n", "  ", "—", "İ", "ß", "𝐆𝐀𝐉𝐈",
             "1,200", "USD", "myanmar", "shwe kokko", "scam", "online", "cs", "operator", "paspor", "ditahan"]
    gen = ["".join(rng.choice([" ", "", "\n", ". "]) + rng.choice(words) for _ in range(rng.randint(1, 40)))
           for _ in range(200 - len(fixed))]
    return [(f"hostile:{i}", t) for i, t in enumerate(fixed + gen)]


# -- snapshot ------------------------------------------------------------------------------------
def _num(x: float) -> float | str:
    x = float(x)
    return x if math.isfinite(x) else repr(x)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        return _num(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def feature_matrix(pipeline: Any, docs: list[Any]) -> Any:
    """The feature rows the final estimators see, for a ``build_pipeline`` pipeline, a ``TextRuleStack`` or an
    ``OfferRiskModel`` (its text model's TF-IDF, read with claims blanked; its risk and indicator columns;
    its kind model's TF-IDF, side by side)."""
    from detector.features import analyses
    from detector.offer_model import OfferRiskModel, _columns
    from detector.risk_features import CLAIM_WORDS, without_claims

    if hasattr(pipeline, "named_steps"):
        return pipeline[:-1].transform(docs)
    if isinstance(pipeline, OfferRiskModel):
        docs = analyses(docs)
        masked = without_claims(docs)
        text = _columns(pipeline.text_, pipeline.text_.predict_proba(masked))
        parts = [pipeline.text_[:-1].transform(masked).toarray(),
                 pipeline.risk_features_.transform(docs, text_high=text[:, 0]), pipeline.indicators_.transform(docs)]
        if pipeline.kind_ is not None:
            parts.append(pipeline.kind_[:-1].transform(without_claims(docs, CLAIM_WORDS)).toarray())
        return np.hstack(parts)
    text = pipeline.text_
    parts = [text[:-1].transform(docs).toarray(), pipeline.rules_.transform(docs), pipeline._z(docs)]
    return np.hstack(parts)


def dense_row(row: Any) -> dict[str, float]:
    dense = np.asarray(row.toarray() if hasattr(row, "toarray") else row, dtype=np.float64).ravel()
    return {str(int(i)): round(float(dense[i]), 12) for i in np.flatnonzero(dense)}


def analysis_record(a: Any) -> dict[str, Any]:
    n = a.normalized
    return {
        "normalized": n.text,
        "offsets": list(n.offsets),
        "ends": list(n.ends),
        "hits": [{"indicator": h.indicator, "kind": h.kind, "start": h.start, "end": h.end, "text": h.text,
                  "score": h.score, "weight": h.weight, "pattern": h.pattern, "details": h.details}
                 for h in a.hits],
        "money": [m.to_dict() for m in a.money],
        "money_dicts": a.money_dicts(),
        "flags": a.flags(),
    }


def make_detector(model: str | None, pickle_path: str | None) -> Any:
    from detector import Detector

    if pickle_path is None:
        return Detector.load(model)
    import joblib

    from detector.bundle import Bundle

    est = joblib.load(pickle_path)
    meta = {"version": "snapshot", "labels": ["low", "other_scam", "high"],
            "thresholds": {"sedang": 0.3, "tinggi": 0.5}}
    return Detector(Bundle(pipeline=est, metadata=meta, path=Path(pickle_path), sha256=""))


def snapshot(model: str | None, pickle_path: str | None, loker: int) -> dict[str, Any]:
    from detector.detector import InvalidTextError, validate_text
    from detector.text import StemmedWords

    det = make_detector(model, pickle_path)
    texts = corpus_texts(loker) + hostile_texts()
    valid = []
    records: dict[str, Any] = {}
    for key, text in texts:
        try:
            validate_text(text)
        except InvalidTextError as exc:
            records[key] = {"error": str(exc)}
            continue
        valid.append((key, text))
    keys = [k for k, _ in valid]
    docs = [det.analyze(t) for _, t in valid]
    many = []
    for i in range(0, len(valid), 512):
        many += det.score_many([t for _, t in valid[i:i + 512]], ids=keys[i:i + 512])
    feats = feature_matrix(det.pipeline, docs)
    raw_feats = feature_matrix(det.pipeline, [t for _, t in valid[:300]])
    words = StemmedWords(ngram_max=2)
    for r, ((key, text), a, res) in enumerate(zip(valid, docs, many, strict=True)):
        single = det.score(text, id=key)
        records[key] = {
            "many": res.to_dict(explain=True),
            "many_en": res.to_dict(lang="en", explain=True),
            "many_short": res.to_dict(explain=False),
            "single": single.to_dict(explain=True),
            "proba_raw_many": res.probabilities,
            "proba_raw_single": single.probabilities,
            "analysis": analysis_record(a),
            "stemmed": words(a),
            "features": dense_row(feats[r]),
        }
        if r < 300:  # the same features from raw strings (the pipeline analyses them itself)
            records[key]["features_raw_equal"] = dense_row(raw_feats[r]) == records[key]["features"]
    return {"n_texts": len(texts), "n_valid": len(valid), "model": det.version, "records": _jsonable(records)}


# -- compare -------------------------------------------------------------------------------------
def diff(a: Any, b: Any, path: str, proba: bool, out: list[str], worst: list[float]) -> None:
    if len(out) > 50:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            out.append(f"{path}: keys {sorted(a.keys() ^ b.keys())[:10]}")
        for k in a.keys() & b.keys():
            diff(a[k], b[k], f"{path}/{k}", proba or k in PROBA_KEYS, out, worst)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: length {len(a)} != {len(b)}")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):  # a length difference is reported above
            diff(x, y, f"{path}[{i}]", proba, out, worst)
    elif proba and isinstance(a, float) and isinstance(b, float):
        worst.append(abs(a - b))
        if abs(a - b) >= PROBA_TOL:
            out.append(f"{path}: {a!r} != {b!r}")
    elif type(a) is not type(b) or a != b:
        out.append(f"{path}: {str(a)[:120]!r} != {str(b)[:120]!r}")


def compare(p1: str, p2: str) -> int:
    a, b = (json.loads(Path(p).read_text(encoding="utf-8")) for p in (p1, p2))
    problems: list[str] = []
    worst: list[float] = [0.0]
    diff(a, b, "", False, problems, worst)
    print(f"compared {len(a['records'])} texts ({a['n_valid']} scoreable); "
          f"max raw-probability difference {max(worst):.3g}")
    for p in problems:
        print("DIFF", p)
    print("IDENTICAL" if not problems else f"{len(problems)} difference(s) (first 50 shown)")
    return 1 if problems else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out")
    ap.add_argument("--model", default=None, help="models folder, manifest or bundle (default: the shipped one)")
    ap.add_argument("--pickle", default=None, help="a bare fitted estimator saved with joblib (unverified!)")
    ap.add_argument("--loker", type=int, default=1500)
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = ap.parse_args()
    if args.compare:
        sys.exit(compare(*args.compare))
    if not args.out:
        ap.error("--out or --compare is required")
    snap = snapshot(args.model, args.pickle, args.loker)
    Path(args.out).write_text(json.dumps(snap, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    print(f"wrote {args.out}: {snap['n_texts']} texts, {snap['n_valid']} scoreable")


if __name__ == "__main__":
    main()
