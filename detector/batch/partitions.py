"""Engine work units: the input (a path, a folder or a glob) cut into partitions (one per CSV or
gzip file; byte ranges of plain JSONL files; row-group ranges of Parquet files), and the task a
worker runs for one: read it, :func:`score_frame` it chunk by chunk, write its part file and
rejects, and return its summary state.

Each attempt at a partition (a first try, a retry after a worker died, a speculative copy, a
``--resume``) writes its own temporary files, named with its process id and a random token, opened
empty, and commits them by renaming them to the partition's fixed names; the ``_parts/`` sidecar
(its summary, records and bytes) is renamed last and marks the partition done. Two attempts that
both finish write the same bytes (scoring is deterministic), so whichever rename lands last, a
partition's records are in its part file once. The driver then checks each part against its
sidecar and against the plan (:func:`check_part`) before it merges or writes ``_SUCCESS``."""

from __future__ import annotations

import itertools
import json
import os
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from detector.batch.dupes import id_hashes
from detector.batch.formats import ScanInputError, expand, input_source
from detector.batch.frame import score_frame, scored_records
from detector.batch.readers import RowReader, Span
from detector.batch.records import dumps
from detector.batch.sinks import fsync_file, make_sink
from detector.batch.summary import ScanSummary
from detector.files import atomic_write_text
from detector.validation import repair_text

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
    id_field: str | None = None
    explain: bool = True
    chunk_size: int = 1024

    def part_path(self, index: int) -> str:
        ext = {"jsonl": "jsonl", "csv": "csv", "tsv": "tsv", "parquet": "parquet"}[self.out_fmt]
        return os.path.join(self.out_dir, f"part-{index:05d}.{ext}")

    def sidecar(self, index: int, kind: str) -> str:
        return os.path.join(self.out_dir, PARTS_DIR, f"part-{index:05d}.{kind}")


def plan(pattern: str, input_format: str | None = None, text_field: str = "text",
         target_bytes: int = TARGET_BYTES, target_rows: int = TARGET_ROWS,
         id_field: str | None = None) -> list[PartSpec]:
    """The partitions of every file ``pattern`` names; fails (ScanInputError) on an unreadable one."""
    files = expand(pattern)
    if not files:
        raise ScanInputError(f"no input files match {pattern}")
    several = len(files) > 1
    specs: list[PartSpec] = []
    for path in files:
        src = input_source(path, input_format)
        source = repair_text(path)[0] if several else None  # a non-UTF-8 file name, written readably
        reader = RowReader(src, text_field, id_field)  # sniffs the format, checks the text (and id) column
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
            spans.append(Span(row_groups=tuple(group), first_row=first, rows=rows))
            first += rows
            group, rows = [], 0
    if group or not spans:
        spans.append(Span(row_groups=tuple(group), first_row=first, rows=rows))
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
            lines, pos, block = 0, start, b""
            while pos < end:
                block = fh.read(min(1 << 22, end - pos))
                lines += block.count(b"\n")
                pos += len(block)
            if end == size and block and not block.endswith(b"\n"):
                lines += 1  # a last line without its newline
            spans.append(Span(start=start, end=end, first_line=line, lines=lines))
            line += lines
            start = end
    return spans or [Span()]


class PartCheckError(ScanInputError):
    """A finished partition whose files do not match what its attempt or the plan says."""


def attempt_token() -> str:
    """This attempt's name: the worker's process id (a test can kill it) and a random token."""
    return f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


def run_partition(spec: PartSpec, opts: PartOptions, bundle_data: bytes, sha256: str) -> dict[str, Any]:
    """Score one partition on this worker; returns its sidecar state (summary, records and bytes
    of the part file). Everything is written to this attempt's own temporary files first and
    committed by renames, the sidecar last (see the module docstring)."""
    from detector.batch.formats import Source
    from detector.batch.shipping import detector_for

    det = detector_for(bundle_data, sha256)
    reader = RowReader(Source(spec.path, spec.fmt, spec.gzip), opts.text_field, opts.id_field, spec.span)
    dest = opts.part_path(spec.index)
    token = attempt_token()
    sink = make_sink(opts.out_fmt, os.path.join(opts.out_dir, PARTS_DIR, f".part-{spec.index:05d}.{token}.partial"))
    summary = ScanSummary()
    rejects_tmp = os.path.join(opts.out_dir, PARTS_DIR, f".part-{spec.index:05d}.{token}.rejects")
    ids_tmp = os.path.join(opts.out_dir, PARTS_DIR, f".part-{spec.index:05d}.{token}.ids")
    rows = reader.rows()
    try:
        with open(rejects_tmp, "wb") as rej, open(ids_tmp, "wb") as ids:
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
                ids.write(id_hashes(str(r["id"]) for r in scored).astype("<u8").tobytes())
                done = {rec["row"] for rec in scored}
                summary.notes.update(r.note for r in block if r.note and r.n in done)  # as the local scan
                texts = dict(zip(df["row"], df["text"], strict=True))
                for rec in scored:
                    summary.add_record(rec, texts[rec["row"]])
                for r in rejects:
                    summary.add_reject(r["code"])
                    rej.write(dumps(r))
            fsync_file(rej)
            fsync_file(ids)
        sink.checkpoint(force=True)
        sink.finish(dest)
        os.replace(rejects_tmp, opts.sidecar(spec.index, "rejects.jsonl"))
        os.replace(ids_tmp, opts.sidecar(spec.index, "ids"))
        state = {"spec": asdict(spec), "summary": summary.state(), "records": summary.scored,
                 "part_bytes": os.path.getsize(dest), "lines": reader.lines_read}
        atomic_write_text(opts.sidecar(spec.index, "json"), json.dumps(state, ensure_ascii=False))
        return state
    finally:
        sink.close()
        sink.discard()
        for tmp in (rejects_tmp, ids_tmp):
            if os.path.exists(tmp):
                os.unlink(tmp)


def check_part(spec: PartSpec, opts: PartOptions, state: dict[str, Any]) -> None:
    """Refuse (:class:`PartCheckError`) a finished partition whose part file is not the one its
    sidecar describes (bytes; records for JSONL and Parquet parts), whose rejects file does not
    hold its rejected rows, or whose rows read differ from the plan's count."""
    s = ScanSummary.from_state(state["summary"])
    where = f"partition {spec.index} ({spec.path})"
    part = opts.part_path(spec.index)
    problems = []
    if s.rows_read != s.scored + s.rejected or state.get("records") != s.scored:
        problems.append(f"its summary does not add up ({s.rows_read} rows read, {s.scored} scored, "
                        f"{s.rejected} rejected, {state.get('records')} records)")
    if not os.path.isfile(part) or os.path.getsize(part) != state.get("part_bytes"):
        problems.append(f"its part file {part} is missing or not the {state.get('part_bytes')} bytes written")
    elif opts.out_fmt in ("jsonl", "parquet") and (got := count_records(part, opts.out_fmt)) != s.scored:
        problems.append(f"its part file holds {got} records, not the {s.scored} scored")
    rejects = opts.sidecar(spec.index, "rejects.jsonl")
    if (got := count_lines(rejects)) != s.rejected:
        problems.append(f"its rejects file holds {got} rows, not the {s.rejected} rejected")
    ids = opts.sidecar(spec.index, "ids")
    if not os.path.isfile(ids) or os.path.getsize(ids) != 8 * s.scored:
        problems.append(f"its ids file {ids} is missing or does not hold {s.scored} ids")
    if spec.span.rows is not None and s.rows_read != spec.span.rows:
        problems.append(f"it read {s.rows_read} rows where the plan counted {spec.span.rows}")
    if spec.span.lines is not None and state.get("lines") != spec.span.lines:
        problems.append(f"it read {state.get('lines')} lines where the plan counted {spec.span.lines}")
    if problems:
        os.unlink(opts.sidecar(spec.index, "json"))  # so that --resume redoes it
        raise PartCheckError(f"{where}: {'; '.join(problems)}; run the same command with --resume to redo it")


def count_lines(path: str) -> int:
    if not os.path.isfile(path):
        return -1
    n = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            n += block.count(b"\n")
    return n


def count_records(path: str, fmt: str) -> int:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    return count_lines(path)
