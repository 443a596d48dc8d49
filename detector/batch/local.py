"""``detector scan`` on one machine: stream the input in chunks, score them on ``jobs``
processes, write records in input order (the same bytes whatever ``jobs``), rejects with their
row number and reason, a checkpoint per durable chunk, and rename everything into place at the end."""

from __future__ import annotations

import itertools
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detector.batch import checkpoint as ckpt
from detector.batch.dupes import IdCounter, IdFile, id_hashes
from detector.batch.formats import ScanInputError, Source, input_source, output_format
from detector.batch.images import IMAGE_CHUNK_SIZE, ImageListReader, check_ocr, image_paths, image_row_problem
from detector.batch.pool import ChunkScorer, Task
from detector.batch.progress import Progress
from detector.batch.readers import Row, RowReader
from detector.batch.records import is_reject, reject_record, row_problem
from detector.batch.signals import ScanInterrupted, critical, interrupt_on_signals
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
    notes: Counter[str]


def chunks(reader: RowReader | ImageListReader, size: int, skip: int = 0,
           problem_of: Callable[[Row], tuple[str, str] | None] = row_problem) -> Iterator[Chunk]:
    rows_upto = skip
    it = reader.rows(skip)
    while True:
        block: list[Row] = list(itertools.islice(it, size))
        if not block:
            return
        valid, rejects, notes = [], [], Counter[str]()
        for r in block:
            problem = problem_of(r)
            if problem:
                rejects.append(reject_record(r.n, r.id, problem))
            else:
                valid.append((r.n, r.id, r.text))
                if r.note:
                    notes[r.note] += 1
        rows_upto += len(block)
        done, total = reader.progress()
        est = total if reader.src.fmt == "parquet" else (int(rows_upto * total / done) if done and total else None)
        yield Chunk(valid, rejects, len(block), rows_upto, est, notes)


def scan(detector: Detector, inp: str, out: str, *, text_field: str = "text", id_field: str | None = None,
         rejects: str | None = None, batch_size: int = 1024, explain: bool = True, jobs: int = 1,
         resume: bool = False, input_format: str | None = None, progress: bool = False,
         on_chunk: Callable[[int], None] | None = None, image_field: str | None = None) -> ScanSummary:
    """Score every row of ``inp`` into ``out`` (format from its name), rejected rows into
    ``rejects`` (default ``OUT.rejects.jsonl``). ``id_field`` None uses ``id`` when rows have it;
    a named one must exist. Images (a folder, glob or ``.txt`` list of them, or the ``image_field``
    column of a table) are read with Tesseract first: see ``batch/images.py``. ``on_chunk(k)`` is a
    test hook called after the k-th chunk is written and before it is checkpointed.

    SIGTERM and SIGINT raise :class:`~detector.batch.signals.ScanInterrupted` (with the rows
    checkpointed); an input that turns out unreadable midway raises ScanInputError and leaves no
    partial files."""
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
    image_list = ImageListReader(inp, listed) if listed is not None else None  # fails on a folder without images
    if image_list is not None:
        fp = {**image_list.fingerprint(), "id_field": id_field}
    else:
        fp = ckpt.fingerprint(src, text_field=text_field, id_field=id_field)
        if image_field is not None:
            fp["image_field"] = image_field
    fp.update(explain=explain, output=out_fmt, output_gzip=out_gz, model_sha256=detector.bundle.sha256)
    state = ckpt.load(paths.checkpoint, fp) if resume else None
    if resume and state is None:
        raise ScanInputError(f"--resume: there is no checkpoint {paths.checkpoint} to resume from (the run finished "
                             "or was stopped before its first chunk); run without --resume to start")
    # a table is opened here: it fails on unreadable input, before any output
    reader = image_list or RowReader(src, image_field or text_field, id_field)
    if state is None:
        ckpt.remove(paths)
    # relative image paths in a table are read from the table's folder; listed paths are complete already
    image_base = None if not images else ("" if listed is not None or src.is_stdin or src.is_url
                                          else os.path.dirname(inp))
    run = _Run(detector, reader, paths, fp, state, out_fmt, out_gz, image_base)
    with interrupt_on_signals():
        try:
            return run.scan(batch_size=batch_size, explain=explain, jobs=jobs, progress=progress, on_chunk=on_chunk)
        except ScanInputError:
            ckpt.remove(paths)  # the input cannot be read to its end: no output, as for one unreadable at once
            raise
        except ScanInterrupted as exc:
            exc.rows_done = run.rows_checkpointed
            raise


class _Run:
    """One run of :func:`scan`: its sinks, summary, id counter and checkpoints. ``image_base`` is None
    for a scan of texts, else the folder relative image paths are read from."""

    def __init__(self, detector: Detector, reader: RowReader | ImageListReader, paths: ckpt.ScanPaths,
                 fp: dict[str, Any], state: dict[str, Any] | None, out_fmt: str, out_gz: bool,
                 image_base: str | None = None) -> None:
        self.detector, self.reader, self.paths, self.fp = detector, reader, paths, fp
        self.image_base = image_base
        self.sink = make_sink(out_fmt, paths.partial, out_gz)
        self.rej = JsonlSink(paths.rejects_partial)
        self.ids = IdFile(paths.ids_partial)
        self.seen = IdCounter()
        self.summary, self.skip = ScanSummary(), 0
        try:
            if state is not None:
                self.sink.restore(state["sink"])
                self.rej.restore(state["rejects"])
                self.seen.add(self.ids.restore(state["ids"]))
                self.summary, self.skip = ScanSummary.from_state(state["summary"]), state["rows_done"]
        except BaseException:
            self.close()
            raise
        self.rows_checkpointed = self.skip

    def close(self) -> None:
        self.sink.close()
        self.rej.close()
        self.ids.close()

    def scan(self, *, batch_size: int, explain: bool, jobs: int, progress: bool,
             on_chunk: Callable[[int], None] | None) -> ScanSummary:
        t0 = time.perf_counter()
        summary, paths = self.summary, self.paths
        elapsed0 = summary.seconds
        bar = Progress(progress, self.reader.total_rows)
        bar.update(self.skip)
        try:
            with ChunkScorer(self.detector, jobs) as scorer:
                base = self.image_base
                task_of: Callable[[Chunk], Task] = (
                    (lambda c: (c.valid, explain)) if base is None else (lambda c: (c.valid, explain, base)))
                problem_of = row_problem if base is None else image_row_problem
                for k, (chunk, results) in enumerate(
                        scorer.imap(chunks(self.reader, batch_size, self.skip, problem_of), task_of), 1):
                    self._write(chunk, results)
                    if on_chunk is not None:
                        on_chunk(k)
                    sink_state = self.sink.checkpoint()
                    if sink_state is not None:
                        summary.seconds = elapsed0 + time.perf_counter() - t0
                        with critical():
                            ckpt.save(paths.checkpoint, {"fingerprint": self.fp, "rows_done": chunk.rows_upto,
                                                         "sink": sink_state, "rejects": self.rej.checkpoint(),
                                                         "ids": self.ids.checkpoint(), "summary": summary.state()})
                            self.rows_checkpointed = chunk.rows_upto
                    bar.update(chunk.rows, chunk.total_estimate)
            with critical():  # all of the outputs in place, or none and the checkpoint kept
                self.sink.checkpoint(force=True)
                self.sink.finish(paths.out)
                self.rej.finish(paths.rejects)
                for p in (paths.checkpoint, paths.ids_partial):
                    if os.path.exists(p):
                        os.unlink(p)
        finally:
            bar.close()
            self.close()
        summary.seconds = elapsed0 + time.perf_counter() - t0
        if summary.rows_read != summary.scored + summary.rejected:  # pragma: no cover - an accounting bug
            raise RuntimeError(f"accounting error: {summary.rows_read} rows read != {summary.scored} scored "
                               f"+ {summary.rejected} rejected")
        return summary

    def _write(self, chunk: Chunk, results: list[dict[str, Any]]) -> None:
        records = [r for r in results if not is_reject(r)]
        chunk_rejects = chunk.rejects
        if len(records) < len(results):  # rows whose scoring failed, in row order with the others
            chunk_rejects = sorted(chunk_rejects + [r for r in results if is_reject(r)], key=lambda r: r["row"])
        self.sink.write(records)
        self.rej.write(chunk_rejects)
        hashes = id_hashes(r["id"] for r in records)
        self.ids.write(hashes)
        self.summary.duplicate_ids += self.seen.add(hashes)
        self.summary.notes.update(chunk.notes)
        texts = {n: t for n, _, t in chunk.valid}
        for rec in records:
            self.summary.add_record(rec, texts[rec["row"]] if self.image_base is None else rec["ocr"]["text"])
        for r in chunk_rejects:
            self.summary.add_reject(r["code"])
