"""Labelled data: loading the corpora, grouping near-duplicates, and the held-out split."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.model_selection import StratifiedGroupKFold

from detector.model import LABELS
from detector.normalize import normalize
from detector.result import KINDS

#: Categories that must stay below `tinggi` (evaluated separately as hard negatives).
HARD_NEGATIVE_CATEGORIES = ("legit_overseas_official", "awareness", "legit_skilled_high_pay")


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    label: str
    category: str = ""
    flags: tuple[str, ...] = ()
    difficulty: str = ""
    source: str = "seed"
    synthetic: bool = False
    extra: dict[str, object] = field(default_factory=dict, compare=False)
    #: what the text does with its offer (see ``detector.result.KINDS``)
    kind: str = "offer"

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"record {self.id!r}: label must be one of {LABELS}, got {self.label!r}")
        if self.kind not in KINDS:
            raise ValueError(f"record {self.id!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError(f"record {self.id!r}: empty text")

    def to_json(self) -> dict[str, object]:
        d = asdict(self)
        d["flags"] = list(self.flags)
        d.pop("extra")
        return d


def load_jsonl(path: str | Path, *, source: str | None = None, synthetic: bool | None = None) -> list[Record]:
    """Labelled adverts in the seed schema (id, text, label, category, flags, difficulty, ...)."""
    from detector.training.voices import written_kind

    out = []
    p = Path(path)
    with p.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{p}:{lineno}: invalid JSON: {exc.msg}") from exc
            if not isinstance(row, dict):
                raise ValueError(f"{p}:{lineno}: expected a JSON object, got {type(row).__name__}")
            missing = [k for k in ("id", "text", "label") if k not in row]
            if missing:
                raise ValueError(f"{p}:{lineno}: missing field(s) {', '.join(missing)}")
            try:
                out.append(Record(
                    id=str(row["id"]), text=row["text"], label=row["label"],
                    category=row.get("category", ""), flags=tuple(row.get("flags", [])),
                    difficulty=row.get("difficulty", ""),
                    source=source or row.get("source", p.stem),
                    synthetic=bool(row.get("synthetic", False)) if synthetic is None else synthetic,
                    kind=row.get("kind") or written_kind(row.get("category", ""), row["text"]),
                ))
            except ValueError as exc:
                raise ValueError(f"{p}:{lineno}: {exc}") from exc
    return out


def load_loker(path: str | Path, limit: int | None = None) -> list[Record]:
    """Real legitimate portal adverts (loker.id scrape; not redistributed): label ``low``."""
    out: list[Record] = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            parts = [row.get("Title", ""), f"{row.get('Company', '')} - {row.get('Location', '')}"]
            lo, hi = row.get("Min Salary", ""), row.get("Max Salary", "")
            if lo or hi:
                parts.append(f"Gaji: Rp {lo or '?'} - Rp {hi or '?'}")
            parts.append(row.get("Description", ""))
            text = "\n".join(p for p in parts if p and p.strip())
            if not text.strip():
                continue
            out.append(Record(id=f"loker-{row.get('Job ID', len(out))}", text=text, label="low",
                              category="portal_legit", source="loker", synthetic=False, kind="offer"))
            if limit and len(out) >= limit:
                break
    return out


def load_sms(path: str | Path) -> list[Record]:
    """Real Indonesian SMS (Rahmi & Wibisono 2016, CC BY-SA 4.0; columns ``Teks``, ``label``; not
    redistributed). None is a job advert, so every message is ``low`` (category ``sms_not_advert``)
    whatever its spam label: short real texts that a recruitment model must not call risky."""
    out: list[Record] = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "Teks" not in reader.fieldnames:
            raise ValueError(f"{path}: expected a CSV with a 'Teks' column, got {reader.fieldnames}")
        for i, row in enumerate(reader, 1):
            text = (row.get("Teks") or "").strip()
            if text:
                out.append(Record(id=f"sms-{i}", text=text, label="low", category="sms_not_advert",
                                  source="sms", synthetic=False, kind="other", extra={"sms_label": row.get("label")}))
    return out


def split_by_group(records: Sequence[Record], fraction: float, seed: int) -> tuple[list[Record], list[Record]]:
    """``(rest, held)``: about ``fraction`` of the near-duplicate groups held out, so that no group is in both."""
    groups = near_duplicate_groups([r.text for r in records])
    ids = np.unique(groups)
    rng = np.random.default_rng(seed)
    held = set(rng.choice(ids, size=round(len(ids) * fraction), replace=False).tolist())
    rest = [r for r, g in zip(records, groups, strict=True) if g not in held]
    return rest, [r for r, g in zip(records, groups, strict=True) if g in held]


def load_feedback(path: str | Path) -> list[Record]:
    """Moderators' corrections exported by the service (``GET /v1/feedback/export``).

    Only items that carry the text and a correct label can be learnt from; they are marked
    ``source='feedback'`` (real posts, not synthetic) and are never put in the test split.
    """
    out = []
    with Path(path).open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            text, label = row.get("text"), row.get("correct_label")
            if not text or label not in LABELS:
                continue
            kind = row.get("correct_kind") or row.get("kind") or "offer"
            out.append(Record(id=f"fb-{row.get('id', lineno)}", text=text, label=label,
                              category=row.get("reason", "feedback") or "feedback", source="feedback",
                              synthetic=False, kind=kind if kind in KINDS else "offer", extra={"train_only": True}))
    return out


def data_hash(records: Sequence[Record]) -> str:
    h = hashlib.sha256()
    for r in sorted(records, key=lambda r: r.id):
        h.update(f"{r.id}\t{r.label}\t{r.text}\n".encode())
    return h.hexdigest()


def near_duplicate_groups(texts: Sequence[str], threshold: float = 0.5, shingle: int = 5) -> np.ndarray:
    """Group ids such that posts whose character-shingle Jaccard similarity ≥ threshold share a group.

    Connected components of the similarity graph (transitively merged), so a template and all its
    variants fall into one group and never straddle a train/test boundary.
    """
    if len(texts) == 0:
        return np.zeros(0, dtype=np.int64)
    vec = HashingVectorizer(analyzer="char", ngram_range=(shingle, shingle), n_features=2**20,
                            alternate_sign=False, norm=None, binary=True,
                            preprocessor=lambda t: " ".join(normalize(t).text.split()))
    X = vec.transform(texts).tocsr()
    X.data[:] = 1.0
    sizes = np.asarray(X.sum(axis=1)).ravel()
    inter = (X @ X.T).tocoo()
    mask = inter.row < inter.col
    r, c, v = inter.row[mask], inter.col[mask], inter.data[mask]
    union = sizes[r] + sizes[c] - v
    keep = v >= threshold * np.maximum(union, 1)
    graph = sparse.coo_matrix((np.ones(keep.sum()), (r[keep], c[keep])), shape=(len(texts), len(texts)))
    _, labels = sparse.csgraph.connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


@dataclass(frozen=True)
class Split:
    train: list[Record]
    test: list[Record]
    train_groups: np.ndarray
    dropped_synthetic: int  # synthetic rows removed because a near-duplicate is in the test split


def holdout_split(records: Sequence[Record], test_fraction: float = 0.2, seed: int = 13,
                  threshold: float = 0.5) -> Split:
    """Held-out test split by near-duplicate group, stratified by label.

    Only non-synthetic rows (seed posts, real portal adverts) can be test rows; synthetic and
    feedback rows are training-only, and a synthetic row whose near-duplicate group reaches the
    test split is dropped from training so that nothing leaks.
    """
    groups = near_duplicate_groups([r.text for r in records], threshold=threshold)
    eligible = np.array([not r.synthetic and not r.extra.get("train_only") for r in records])
    idx = np.flatnonzero(eligible)
    n_splits = max(2, round(1 / test_fraction))
    sgkf = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    y = [records[int(i)].label for i in idx]
    _, test_local = next(iter(sgkf.split(idx, y, groups[idx])))
    test_idx = set(idx[test_local].tolist())
    test_groups = set(groups[list(test_idx)].tolist())
    train, train_groups, dropped = [], [], 0
    for i, r in enumerate(records):
        if i in test_idx:
            continue
        if groups[i] in test_groups:
            dropped += 1
            continue
        train.append(r)
        train_groups.append(groups[i])
    test = [records[i] for i in sorted(test_idx)]
    return Split(train=train, test=test, train_groups=np.asarray(train_groups), dropped_synthetic=dropped)


def write_jsonl(records: Iterable[Record], path: str | Path) -> None:
    with Path(path).open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
