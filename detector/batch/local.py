"""``detector scan`` on one machine: stream the input in chunks, score them on ``jobs``
processes, write records in input order (the same bytes whatever ``jobs``), rejects with their
row number and reason, a checkpoint per durable chunk, and rename everything into place at the end."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detector.batch import checkpoint as ckpt
from detector.batch.formats import ScanInputError, Source, input_source, output_format
from detector.batch.images import IMAGE_CHUNK_SIZE, ImageListReader, check_ocr, image_paths, image_row_problem
from detector.batch.pool import ChunkScorer, Task
from detector.batch.progress import Progress
from detector.batch.readers import Row, RowReader
from detector.batch.records import is_reject, reject_record, row_problem
from detector.batch.sinks import JsonlSink, make_sink
from detector.batch.summary import ScanSummary

if TYPE_CHECKING:
    from detector.detector import Detector


@dataclass
class Chunk:
    valid: list[tuple[int, str | None, str]]
    rejects: list[dict[str, Any]]
    rows: int             # rows in this chunk (valid + rejected)
    rows_upto: int        # rows read so far, this chunk included
    total_estimate: int | None


def chunks(reader: RowReader | ImageListReader, size: int, skip: int = 0,
           problem_of: Callable[[Row], tuple[str, str] | None] = row_problem) -> Iterator[Chunk]:
    rows_upto = skip
    it = reader.rows(skip)
    while True:
        block: list[Row] = list(itertools.islice(it, size))
        if not block:
            return
        valid, rejects = [], []
        for r in block:
            problem = problem_of(r)
            if problem:
                rejects.append(reject_record(r.n, r.id, problem))
            else:
                valid.append((r.n, r.id, r.text))
        rows_upto += len(block)
        done, total = reader.progress()
        est = total if reader.src.fmt == "parquet" else (int(rows_upto * total / done) if done and total else None)
        yield Chunk(valid, rejects, len(block), rows_upto, est)


def scan(detector: Detector, inp: str, out: str, *, text_field: str = "text", id_field: str = "id",
         rejects: str | None = None, batch_size: int = 1024, explain: bool = True, jobs: int = 1,
         resume: bool = False, input_format: str | None = None, progress: bool = False,
         on_chunk: Callable[[int], None] | None = None, image_field: str | None = None) -> ScanSummary:
    """Score every row of ``inp`` into ``out`` (format from its name), rejected rows into
    ``rejects`` (default ``OUT.rejects.jsonl``). Images (a folder, glob or ``.txt`` list of them, or
    the ``image_field`` column of a table) are read with Tesseract first: see ``batch/images.py``.
    ``on_chunk(k)`` is a test hook called after the k-th chunk is written and before it is checkpointed."""
    t0 = time.perf_counter()
    listed = image_paths(inp) if image_field is None and input_format is None else None
    images = listed is not None or image_field is not None
    if images:
        check_ocr()
        batch_size = min(batch_size, IMAGE_CHUNK_SIZE)
    src = Source(inp, "images") if listed is not None else input_source(inp, input_format)
    out_fmt, out_gz = output_format(out)
    if os.path.isdir(out):
        raise ScanInputError(f"--out {out} is a directory; name an output file (directories are for --engine)")
    paths = ckpt.ScanPaths(out, rejects or f"{out}.rejects.jsonl")
    for p in (paths.out, paths.rejects):
        Path(p).resolve().parent.mkdir(parents=True, exist_ok=True)
    reader: RowReader | ImageListReader
    if listed is not None:
        reader = ImageListReader(inp, listed)
        fp = {**reader.fingerprint(), "id_field": id_field}
    else:  # opened here: fails on unreadable input, before any output
        reader = RowReader(src, image_field or text_field, id_field)
        fp = ckpt.fingerprint(src, text_field=text_field, id_field=id_field)
        if image_field is not None:
            fp["image_field"] = image_field
    fp.update(explain=explain, output=out_fmt, output_gzip=out_gz, model_sha256=detector.bundle.sha256)
    state = ckpt.load(paths.checkpoint, fp) if resume else None
    if state is None:
        ckpt.remove(paths)
    sink = make_sink(out_fmt, paths.partial, out_gz)
    rej = JsonlSink(paths.rejects_partial)
    summary, skip = ScanSummary(), 0
    if state is not None:
        sink.restore(state["sink"])
        rej.restore(state["rejects"])
        summary, skip = ScanSummary.from_state(state["summary"]), state["rows_done"]
    elapsed0 = summary.seconds
    bar = Progress(progress, reader.total_rows)
    bar.update(skip)
    try:
        with ChunkScorer(detector, jobs) as scorer:
            base = "" if listed is not None or src.is_stdin or src.is_url else os.path.dirname(inp)
            task_of: Callable[[Chunk], Task] = (
                (lambda c: (c.valid, explain, base)) if images else (lambda c: (c.valid, explain)))  # noqa: E731
            problem_of = image_row_problem if images else row_problem
            for k, (chunk, results) in enumerate(
                    scorer.imap(chunks(reader, batch_size, skip, problem_of), task_of), 1):
                records = [r for r in results if not is_reject(r)]
                chunk_rejects = chunk.rejects
                if len(records) < len(results):  # rows whose scoring failed, in row order with the others
                    chunk_rejects = sorted(chunk_rejects + [r for r in results if is_reject(r)], key=lambda r: r["row"])
                sink.write(records)
                rej.write(chunk_rejects)
                texts = {n: t for n, _, t in chunk.valid}
                for rec in records:
                    summary.add_record(rec, rec["ocr"]["text"] if images else texts[rec["row"]])
                for r in chunk_rejects:
                    summary.add_reject(r["code"])
                if on_chunk is not None:
                    on_chunk(k)
                sink_state = sink.checkpoint()
                if sink_state is not None:
                    summary.seconds = elapsed0 + time.perf_counter() - t0
                    ckpt.save(paths.checkpoint, {"fingerprint": fp, "rows_done": chunk.rows_upto, "sink": sink_state,
                                                 "rejects": rej.checkpoint(), "summary": summary.state()})
                bar.update(chunk.rows, chunk.total_estimate)
        sink.checkpoint(force=True)
        sink.finish(out)
        rej.finish(paths.rejects)
        if os.path.exists(paths.checkpoint):
            os.unlink(paths.checkpoint)
    finally:
        bar.close()
        sink.close()
        rej.close()
    summary.seconds = elapsed0 + time.perf_counter() - t0
    if summary.rows_read != summary.scored + summary.rejected:  # pragma: no cover - an accounting bug
        raise RuntimeError(f"accounting error: {summary.rows_read} rows read != {summary.scored} scored "
                           f"+ {summary.rejected} rejected")
    return summary
