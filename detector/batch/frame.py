"""``score_frame``: the one scoring function every engine (Dask, Spark, or your own) maps over
pandas partitions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from detector.batch.readers import MISSING
from detector.batch.records import CONTRACT, is_reject, score_records, text_problem
from detector.validation import id_problem, repair_text

if TYPE_CHECKING:
    from detector.detector import Detector

REJECT_COLUMNS = ("reject_code", "reject_reason")


def score_frame(df: pd.DataFrame, *, detector: Detector, text_field: str = "text", id_field: str = "id",
                explain: bool = True, row_field: str = "row", source: str | None = None) -> pd.DataFrame:
    """One output row per input row, in order: the scored record's fields (nested ones such as
    ``flags`` and ``evidence`` as Python lists/dicts) plus ``reject_code``/``reject_reason``, which
    are null for scored rows; a rejected row has only ``id``, ``row`` and its reason.

    ``row`` comes from ``df[row_field]`` when present, else the position (1-based); a
    ``reject_reason`` column already in ``df`` (a row a reader could not parse) is kept."""
    n = len(df)
    rows = df[row_field].tolist() if row_field in df.columns else list(range(1, n + 1))
    ids = df[id_field].tolist() if id_field in df.columns else [None] * n
    ids = [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in ids]
    texts = df[text_field].tolist() if text_field in df.columns else [MISSING] * n
    pre_code = df["reject_code"].tolist() if "reject_code" in df.columns else [None] * n
    pre_reason = df["reject_reason"].tolist() if "reject_reason" in df.columns else [None] * n
    problems: list[tuple[str, str] | None] = []
    valid = []
    for i in range(n):
        if isinstance(pre_reason[i], str):
            problem: tuple[str, str] | None = (str(pre_code[i] or "unreadable"), str(pre_reason[i]))
        else:
            problem = id_problem(ids[i]) or text_problem(texts[i])
        problems.append(problem)
        if problem is None:
            valid.append((int(rows[i]), ids[i], texts[i]))
    records = iter(score_records(detector, valid, explain, source))
    out: list[dict[str, Any]] = []
    for i, problem in enumerate(problems):
        if problem is None:
            rec = next(records)
            if is_reject(rec):  # its scoring failed: a reject like any other
                problem = (rec["code"], rec["reason"])
            else:
                rec["reject_code"] = rec["reject_reason"] = None
        if problem is not None:
            rid = ids[i]
            rec = {"id": repair_text(rid)[0] if rid is not None else None, "row": int(rows[i]),
                   "reject_code": problem[0], "reject_reason": problem[1]}
            if source is not None:
                rec["source"] = source
        out.append(rec)
    columns = _columns(out)
    if not out:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(out, columns=columns)
    first = next((r for r in out if r["reject_reason"] is None), None)
    for name, value in (first or {}).items():  # ints stay ints beside rejected rows' nulls (not 0.0)
        if isinstance(value, int) and not isinstance(value, bool) and frame[name].dtype.kind == "f":
            frame[name] = frame[name].astype("Int64")
    return frame


def _columns(out: list[dict[str, Any]]) -> list[str]:
    for rec in out:
        if rec["reject_reason"] is None:
            return list(rec)
    return [*CONTRACT, "row", *(["source"] if out and "source" in out[0] else []), *REJECT_COLUMNS]


def scored_records(frame: pd.DataFrame) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(scored records, reject records)`` of a :func:`score_frame` result, in row order."""
    ok = frame["reject_reason"].isna()
    scored = frame.loc[ok].drop(columns=list(REJECT_COLUMNS)).to_dict("records")
    bad_cols = ["row", "id", "reject_code", "reject_reason"] + (["source"] if "source" in frame.columns else [])
    rejects = [{"row": r["row"], "id": r["id"], "code": r["reject_code"], "reason": r["reject_reason"],
                **({"source": r["source"]} if "source" in r else {})}
               for r in frame.loc[~ok, bad_cols].to_dict("records")]
    return scored, rejects  # type: ignore[return-value]
