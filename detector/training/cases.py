"""Real cases (``data/cases/*.jsonl``): one record per real case from a public source, each written by
the project in several voices (see the datasheet). Loading, validation, and the split by case.

A case's facts, source URL and date come from its source; its texts are ours. Every voice of a case is
a training row with the case's label (the risk of the offer does not depend on who tells it) and the
voice's ``kind``. All voices of a case fall on the same side of every split.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from detector.model import LABELS
from detector.result import KINDS
from detector.training.data import Record

#: Fields every case must have, and the voices a case's texts may be written in.
CASE_FIELDS = ("case_id", "label", "category", "source_url", "source_date", "facts", "texts")
VOICES = {"offer": "offer", "question": "question", "report": "report", "testimony": "report", "warning": "warning"}
#: Share of cases (by case, stratified by label) held out for the real-case evaluation.
TEST_FRACTION = 0.3


@dataclass(frozen=True)
class Case:
    case_id: str
    label: str
    category: str
    source_url: str
    source_date: str
    texts: tuple[tuple[str, str, str], ...]  # (voice, kind, text)
    file: str


def load_cases(folder: str | Path) -> list[Case]:
    """Every ``*.jsonl`` under ``folder``; an invalid case is an error naming its file and line."""
    out: list[Case] = []
    seen: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"{path}:{lineno}"
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{where}: invalid JSON: {exc.msg}") from exc
                case = _case(row, where, path.name)
                if case.case_id in seen:
                    raise ValueError(f"{where}: case_id {case.case_id!r} also in {seen[case.case_id]}")
                seen[case.case_id] = where
                out.append(case)
    return out


def _case(row: object, where: str, file: str) -> Case:
    if not isinstance(row, dict):
        raise ValueError(f"{where}: expected a JSON object")
    missing = [k for k in CASE_FIELDS if k not in row]
    if missing:
        raise ValueError(f"{where}: missing field(s) {', '.join(missing)}")
    if row["label"] not in LABELS:
        raise ValueError(f"{where}: label must be one of {LABELS}, got {row['label']!r}")
    if not str(row["source_url"]).startswith("http"):
        raise ValueError(f"{where}: source_url must be a URL, got {row['source_url']!r}")
    texts = []
    for t in row["texts"]:
        voice = t.get("voice")
        kind = t.get("kind") or VOICES.get(voice or "")
        if voice not in VOICES or kind not in KINDS:
            raise ValueError(f"{where}: voice must be one of {sorted(VOICES)}, got {voice!r} (kind {kind!r})")
        text = t.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where}: empty text in voice {voice!r}")
        texts.append((voice, kind, text))
    if not texts:
        raise ValueError(f"{where}: a case needs at least one text")
    return Case(case_id=str(row["case_id"]), label=row["label"], category=str(row["category"]),
                source_url=str(row["source_url"]), source_date=str(row["source_date"]), texts=tuple(texts),
                file=file)


def case_records(cases: Sequence[Case]) -> list[Record]:
    """One :class:`Record` per voice of every case (``extra``: case_id, voice, source_url)."""
    return [Record(id=f"{c.case_id}:{voice}:{i}", text=text, label=c.label, category=c.category,
                   source="case", synthetic=False, kind=kind,
                   extra={"case_id": c.case_id, "voice": voice, "source_url": c.source_url})
            for c in cases for i, (voice, kind, text) in enumerate(c.texts)]


def split_cases(cases: Sequence[Case], fraction: float = TEST_FRACTION) -> tuple[list[Case], list[Case]]:
    """``(train, test)`` by case: a case is a test case when the SHA-256 of its id, read as a number in
    [0, 1), is below ``fraction``. Stable: adding or removing cases never moves another one, so a case
    once held out is never trained on by a later model."""
    train: list[Case] = []
    test: list[Case] = []
    for c in cases:
        (test if in_test(c.case_id, fraction) else train).append(c)
    return train, test


def in_test(case_id: str, fraction: float = TEST_FRACTION) -> bool:
    return int(hashlib.sha256(case_id.encode()).hexdigest()[:12], 16) / 16**12 < fraction
