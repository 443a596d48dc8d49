"""From rows to output records: why a row is rejected, and the scored record of a valid one.

A scored record is ``ScoreResult.to_dict()`` (the fixed contract: ``id``, ``risk_score``,
``risk_level``, ``label``, ``flags``, ``evidence``, plus added fields) with ``id`` defaulted to
``row-N`` and the input ``row`` number added (and ``source`` when several files are scanned)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np

from detector.batch.readers import MISSING, Row
from detector.validation import MAX_TEXT_CHARS, id_problem, repair_text
from detector.validation import text_problem as _core_text_problem

if TYPE_CHECKING:
    from detector.detector import Detector

#: The fields every record has, in this order (``ScoreResult.to_dict`` may add more).
CONTRACT = ("id", "risk_score", "risk_level", "label", "flags", "evidence")


def text_problem(text: Any, max_chars: int = MAX_TEXT_CHARS) -> tuple[str, str] | None:
    """``(code, message)`` when a row's text cannot be scored, else None: an absent or null field is
    ``missing_text``; everything else is the core's rules (:func:`detector.detector.text_problem`)."""
    if text is MISSING:
        return "missing_text", "missing text field"
    if text is None:
        return "missing_text", "text is null"
    return _core_text_problem(text, max_chars)


def row_problem(row: Row, max_chars: int = MAX_TEXT_CHARS) -> tuple[str, str] | None:
    return row.error or id_problem(row.id) or text_problem(row.text, max_chars)


def reject_record(n: int, id_: str | None, problem: tuple[str, str], source: str | None = None) -> dict[str, Any]:
    """A reject line; an id that cannot be written (``invalid_id``) appears repaired, to find the row."""
    if id_ is not None:
        id_ = repair_text(id_)[0]
    rec: dict[str, Any] = {"row": n, "id": id_, "code": problem[0], "reason": problem[1]}
    if source is not None:
        rec["source"] = source
    return rec


#: The reject code of a valid row whose scoring failed unexpectedly (a bug, not bad input).
SCORING_ERROR = "scoring_error"
_log = logging.getLogger("detector.batch")


def score_records(detector: Detector, rows: Sequence[tuple[int, str | None, str]], explain: bool = True,
                  source: str | None = None) -> list[dict[str, Any]]:
    """One result per ``(row number, id, text)`` triple whose text is valid, in order: its scored
    record, or, for a row whose scoring raised, its reject record (``code`` ``scoring_error``; tell
    them apart with :func:`is_reject`). One model call for the chunk; only if that call fails are the
    rows scored one by one, so one bad post costs its own row, never the chunk or the run.

    A text's lone surrogates are replaced by U+FFFD before it is scored (offsets are unchanged) and
    counted in the record's ``repaired`` field (0 for a text scored as given). The record always has
    ``summary``, with or without ``explain`` (a contract field is never dropped)."""
    if not rows:
        return []
    repaired = [repair_text(t) for _, _, t in rows]
    # No ids to score_many: the record's id is set below (with its row-N default), so the results
    # are used as they come, cached reposts included, without a copy carrying each id.
    try:
        results: list[Any] = detector.score_many([t for t, _ in repaired])
    except Exception:  # noqa: BLE001 - isolate the failing row(s) below, each one reported
        results = [_score_one(detector, t) for t, _ in repaired]
    out = []
    for (n, rid, _), res, (_, n_repaired) in zip(rows, results, repaired, strict=True):
        try:
            if isinstance(res, Exception):
                raise res
            rec = res.to_dict(explain=explain)
            if "summary" not in rec:
                rec["summary"] = res.summary("id")
        except Exception as exc:  # noqa: BLE001 - accounted for as a reject with its reason
            _log.warning("row %s: scoring failed: %r", n, exc)
            out.append(reject_record(n, rid, (SCORING_ERROR, f"scoring failed: {type(exc).__name__}: {exc}"),
                                     source))
            continue
        rec["id"] = rid if rid is not None else f"row-{n}"
        rec["repaired"] = n_repaired
        rec["row"] = n
        if source is not None:
            rec["source"] = source
        out.append(rec)
    return out


def _score_one(detector: Detector, text: str) -> Any:
    try:
        return detector.score(text)
    except Exception as exc:  # noqa: BLE001 - returned, and turned into a reject by the caller
        return exc


def is_reject(rec: dict[str, Any]) -> bool:
    """True for the reject records :func:`score_records` returns in place of a scored record."""
    return "code" in rec and "risk_level" not in rec


def _plain(value: Any) -> Any:
    """numpy scalars and arrays (from a pandas round trip) as Python values, for the encoder."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise NotImplementedError(f"cannot write a {type(value).__name__} to JSON")


_ENCODER = msgspec.json.Encoder(enc_hook=_plain)


def dumps(rec: dict[str, Any]) -> bytes:
    """One JSONL line: compact UTF-8 JSON (a non-finite number is written as null)."""
    return _ENCODER.encode(rec) + b"\n"


def cell(value: Any) -> Any:
    """A flat (CSV / Parquet) cell: scalars as they are, lists and dicts JSON-encoded."""
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return value
