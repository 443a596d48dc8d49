"""Engine work units: the input (a path, a folder or a glob) cut into partitions (one per CSV or
gzip file; byte ranges of plain JSONL files; row-group ranges of Parquet files), and the task a
worker runs for one: read it, :func:`score_frame` it chunk by chunk, write its part file and
rejects, and return its summary state. Part files are written atomically under fixed names, so a
retried or resumed task never duplicates rows."""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from detector.batch.formats import ScanInputError, expand, input_source
from detector.batch.frame import score_frame, scored_records
from detector.batch.readers import RowReader, Span
from detector.batch.records import dumps
from detector.batch.sinks import make_sink
from detector.batch.summary import ScanSummary
from detector.files import atomic_write_text

TARGET_BYTES = 16 << 20      # JSONL bytes per partition, at most
TARGET_ROWS = 50_000         # Parquet rows per partition (whole row groups), at most
#: A file big enough is cut into at least this many partitions, so that with a few workers the
#: last wave of tasks does not leave most of them idle (2 partitions on 2 workers, one twice the
#: other's size, wasted a third of the run). Independent of the worker count, so a ``--resume``
#: with other ``--jobs`` sees the same plan.
MIN_PARTS = 8
MIN_PART_BYTES = 1 << 20
MIN_PART_ROWS = 5_000
PARTS_DIR = "_parts"


@dataclass(frozen=True)
class PartSpec:
    index: int
    path: str
    fmt: str
    gzip: bool
    span: Span
    source: str | None  # recorded in each record when the input is several files


@dataclass(frozen=True)
class PartOptions:
    out_dir: str
    out_fmt: str
    text_field: str = "text"
    id_field: str = "id"
    explain: bool = True
    chunk_size: int = 1024

    def part_path(self, index: int) -> str:
        ext = {"jsonl": "jsonl", "csv": "csv", "tsv": "tsv", "parquet": "parquet"}[self.out_fmt]
        return os.path.join(self.out_dir, f"part-{index:05d}.{ext}")

    def sidecar(self, index: int, kind: str) -> str:
        return os.path.join(self.out_dir, PARTS_DIR, f"part-{index:05d}.{kind}")


def plan(pattern: str, input_format: str | None = None, text_field: str = "text",
         target_bytes: int = TARGET_BYTES, target_rows: int = TARGET_ROWS) -> list[PartSpec]:
    """The partitions of every file ``pattern`` names; fails (ScanInputError) on an unreadable one."""
    files = expand(pattern)
    if not files:
        raise ScanInputError(f"no input files match {pattern}")
    several = len(files) > 1
    specs: list[PartSpec] = []
    for path in files:
        src = input_source(path, input_format)
        source = path if several else None
        reader = RowReader(src, text_field)  # sniffs the format, checks the text column
        groups = reader.parquet_row_groups() if src.fmt == "parquet" else []
        reader.close()
        if src.fmt == "parquet":
            rows = min(target_rows, max(MIN_PART_ROWS, -(-sum(groups) // MIN_PARTS)))
            spans = _parquet_spans(groups, rows)
        elif src.fmt == "jsonl" and not src.gzip and not src.is_url and not _is_gzip(path):
            size = min(target_bytes, max(MIN_PART_BYTES, -(-os.path.getsize(path) // MIN_PARTS)))
            spans = _jsonl_spans(path, size)
        else:
            spans = [Span()]
        for span in spans:
            specs.append(PartSpec(len(specs), path, src.fmt, src.gzip, span, source))
    return specs


def spec_from_dict(d: dict[str, Any]) -> PartSpec:
    span = dict(d["span"])
    if span.get("row_groups") is not None:
        span["row_groups"] = tuple(span["row_groups"])
    return PartSpec(**{**d, "span": Span(**span)})


def _is_gzip(path: str) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _parquet_spans(group_rows: list[int], target_rows: int) -> list[Span]:
    spans: list[Span] = []
    group: list[int] = []
    rows, first = 0, 1
    for g, n in enumerate(group_rows):
        group.append(g)
        rows += n
        if rows >= target_rows:
            spans.append(Span(row_groups=tuple(group), first_row=first))
            first += rows
            group, rows = [], 0
    if group or not spans:
        spans.append(Span(row_groups=tuple(group), first_row=first))
    return spans


def _jsonl_spans(path: str, target_bytes: int) -> list[Span]:
    """Byte ranges cut at line ends, each with its first line number (one counting pass)."""
    size = os.path.getsize(path)
    spans, start, line = [], 0, 1
    with open(path, "rb") as fh:
        while start < size:
            end = min(size, start + target_bytes)
            fh.seek(end)
            if end < size:
                fh.readline()
                end = fh.tell()
            fh.seek(start)
            lines, pos = 0, start
            while pos < end:
                block = fh.read(min(1 << 22, end - pos))
                lines += block.count(b"\n")
                pos += len(block)
            spans.append(Span(start=start, end=end, first_line=line))
            line += lines
            start = end
    return spans or [Span()]


def run_partition(spec: PartSpec, opts: PartOptions, bundle_data: bytes, sha256: str) -> dict[str, Any]:
    """Score one partition on this worker; returns its summary state (rejects and summary also go
    to ``_parts/`` sidecars, which mark the partition done)."""
    from detector.batch.formats import Source
    from detector.batch.shipping import detector_for

    det = detector_for(bundle_data, sha256)
    reader = RowReader(Source(spec.path, spec.fmt, spec.gzip), opts.text_field, opts.id_field, spec.span)
    dest = opts.part_path(spec.index)
    sink = make_sink(opts.out_fmt, os.path.join(opts.out_dir, PARTS_DIR, f".part-{spec.index:05d}.partial"))
    summary = ScanSummary()
    rejects_tmp = opts.sidecar(spec.index, "rejects.jsonl.tmp")
    rows = reader.rows()
    try:
        with open(rejects_tmp, "wb") as rej:
            while True:
                block = list(itertools.islice(rows, opts.chunk_size))
                if not block:
                    break
                df = pd.DataFrame({
                    "row": [r.n for r in block], "id": [r.id for r in block], "text": [r.text for r in block],
                    "reject_code": [r.error[0] if r.error else None for r in block],
                    "reject_reason": [r.error[1] if r.error else None for r in block]})
                frame = score_frame(df, detector=det, explain=opts.explain, source=spec.source)
                scored, rejects = scored_records(frame)
                sink.write(scored)
                sink.checkpoint()
                texts = dict(zip(df["row"], df["text"], strict=True))
                for rec in scored:
                    summary.add_record(rec, texts[rec["row"]])
                for r in rejects:
                    summary.add_reject(r["code"])
                    rej.write(dumps(r))
        sink.checkpoint(force=True)
        sink.finish(dest)
        os.replace(rejects_tmp, opts.sidecar(spec.index, "rejects.jsonl"))
        state = {"spec": asdict(spec), "summary": summary.state()}
        atomic_write_text(opts.sidecar(spec.index, "json"), json.dumps(state, ensure_ascii=False))
        return state
    finally:
        sink.close()
        if os.path.exists(rejects_tmp):
            os.unlink(rejects_tmp)
