"""Basic batch scanning: read posts (JSONL or CSV), score them, write one JSON record per input.

Every input row is accounted for: it is either scored (a line in OUT) or rejected (a line in the
rejects file, with its row number and the reason). Output is written to a temp file and renamed.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from detector.detector import MAX_TEXT_CHARS, Detector, InvalidTextError, validate_text


class ScanInputError(RuntimeError):
    """The input cannot be read at all (missing file, unknown format)."""


@dataclass
class Row:
    n: int                 # 1-based row number (line number for JSONL)
    id: str | None
    text: Any
    error: str | None = None


@dataclass
class ScanSummary:
    rows_read: int = 0
    scored: int = 0
    rejected: int = 0
    levels: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)
    reject_reasons: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {"rows_read": self.rows_read, "scored": self.scored, "rejected": self.rejected,
                "levels": dict(self.levels), "flags": dict(self.flags.most_common()),
                "reject_reasons": dict(self.reject_reasons)}


def _open_text(path: str) -> TextIO:
    if path == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    p = Path(path)
    if not p.is_file():
        raise ScanInputError(f"input file {path} does not exist")
    if p.suffix == ".gz":
        import gzip

        return io.TextIOWrapper(gzip.open(p, "rb"), encoding="utf-8", errors="replace", newline="")
    return p.open(encoding="utf-8", errors="replace", newline="")


def _fmt(path: str) -> str:
    name = path.lower().removesuffix(".gz")
    for ext, fmt in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl"), (".csv", "csv"), (".tsv", "tsv")):
        if name.endswith(ext):
            return fmt
    if path == "-":
        return "jsonl"
    raise ScanInputError(f"cannot tell the format of {path}: use .jsonl, .csv or .tsv (optionally .gz)")


def read_rows(path: str, text_field: str = "text", id_field: str = "id") -> Iterator[Row]:
    fmt = _fmt(path)
    fh = _open_text(path)
    with fh:
        if fmt == "jsonl":
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield Row(n, None, None, f"invalid JSON: {exc.msg}")
                    continue
                if not isinstance(obj, dict):
                    yield Row(n, None, None, "not a JSON object")
                    continue
                rid = obj.get(id_field)
                yield Row(n, None if rid is None else str(rid), obj.get(text_field, _MISSING))
        else:
            reader = csv.DictReader(fh, delimiter="\t" if fmt == "tsv" else ",")
            if reader.fieldnames is None or text_field not in reader.fieldnames:
                raise ScanInputError(f"{path}: no column named {text_field!r} (columns: {reader.fieldnames})")
            for n, rec in enumerate(reader, 1):
                rid = rec.get(id_field)
                yield Row(n, rid if rid else None, rec.get(text_field, _MISSING))


_MISSING = object()


def check_row(row: Row, max_chars: int = MAX_TEXT_CHARS) -> str | None:
    """The reason a row cannot be scored, or None."""
    if row.error:
        return row.error
    if row.text is _MISSING:
        return "missing text field"
    try:
        validate_text(row.text, max_chars)
    except InvalidTextError as exc:
        return str(exc)
    return None


def scan(detector: Detector, inp: str, out: str, *, text_field: str = "text", id_field: str = "id",
         rejects: str | None = None, batch_size: int = 512, explain: bool = True) -> ScanSummary:
    """Score every row of ``inp`` into ``out`` (JSONL), rejected rows into ``rejects``."""
    rows = read_rows(inp, text_field, id_field)
    first = next(rows, None)  # fail on unreadable input before creating any output
    summary = ScanSummary()
    rejects = rejects or f"{out}.rejects.jsonl"
    out_dir = Path(out).resolve().parent
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".scan-", suffix=".tmp")
    rfd, rtmp = tempfile.mkstemp(dir=Path(rejects).resolve().parent, prefix=".rejects-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fo, os.fdopen(rfd, "w", encoding="utf-8") as fr:
            batch: list[Row] = []

            def flush() -> None:
                results = detector.score_many([str(r.text) for r in batch], ids=[r.id for r in batch])
                for row, res in zip(batch, results, strict=True):
                    rec = res.to_dict(explain=explain)
                    rec["id"] = row.id if row.id is not None else f"row-{row.n}"
                    rec["row"] = row.n
                    fo.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    summary.scored += 1
                    summary.levels[res.risk_level] += 1
                    summary.flags.update(res.flags)
                batch.clear()

            for row in itertools.chain([first] if first else [], rows):
                summary.rows_read += 1
                reason = check_row(row)
                if reason:
                    summary.rejected += 1
                    summary.reject_reasons[reason.split(":")[0]] += 1
                    fr.write(json.dumps({"row": row.n, "id": row.id, "reason": reason}, ensure_ascii=False) + "\n")
                    continue
                batch.append(row)
                if len(batch) >= batch_size:
                    flush()
            if batch:
                flush()
        os.replace(tmp, out)
        os.replace(rtmp, rejects)
    finally:
        for t in (tmp, rtmp):
            if os.path.exists(t):
                os.unlink(t)
    assert summary.rows_read == summary.scored + summary.rejected
    return summary
