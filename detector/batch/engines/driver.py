"""Driving an engine scan: plan the partitions, run them on Dask or Spark, then gather.

``--out DIR`` (no known extension) gets ``part-NNNNN.<fmt>`` files (Parquet unless
``--out-format``), ``rejects.jsonl`` and ``_SUCCESS`` when complete. ``--out FILE.jsonl|.csv|
.parquet`` stages parts in ``FILE.parts/`` and merges them into FILE atomically. Per-partition
sidecars in ``_parts/`` let ``--resume`` skip finished partitions."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from detector.batch.dupes import IdCounter, read_ids
from detector.batch.formats import ScanInputError, format_of, output_format
from detector.batch.partitions import PARTS_DIR, TARGET_BYTES, TARGET_ROWS, PartOptions, PartSpec, check_part, plan
from detector.batch.progress import Progress
from detector.batch.shipping import ShippedBundle
from detector.batch.signals import interrupt_on_signals
from detector.batch.sinks import merge_parquet, merge_text
from detector.batch.summary import ScanSummary
from detector.files import atomic_write_text

ENGINES = ("dask", "spark")


def _layout(out: str, out_format: str | None) -> tuple[str, str, bool, bool]:
    """``(parts folder, format, gzip, single file?)``."""
    named, _ = format_of(out)
    if named is not None and not out.endswith(("/", os.sep)) and not os.path.isdir(out):
        fmt, gz = output_format(out, out_format)
        return f"{out}.parts", fmt, gz, True
    fmt = out_format or "parquet"
    if fmt not in ("jsonl", "csv", "tsv", "parquet"):
        raise ScanInputError(f"unknown output format {fmt!r}")
    return out.rstrip("/" + os.sep) or out, fmt, False, False


def scan_engine(engine: str, inp: str, out: str, *, bundle: ShippedBundle, text_field: str = "text",
                id_field: str | None = None, explain: bool = True, jobs: int = 2, out_format: str | None = None,
                rejects: str | None = None, resume: bool = False, input_format: str | None = None,
                progress: bool = False, scheduler: str | None = None, master: str | None = None,
                spark: Any = None, chunk_size: int = 1024, target_bytes: int = TARGET_BYTES,
                target_rows: int = TARGET_ROWS) -> ScanSummary:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}")
    t0 = time.perf_counter()
    parts_dir, fmt, gz, single = _layout(out, out_format)
    rejects = rejects or (f"{out}.rejects.jsonl" if single else os.path.join(parts_dir, "rejects.jsonl"))
    specs = plan(inp, input_format, text_field, target_bytes, target_rows, id_field)
    opts = PartOptions(os.path.abspath(parts_dir), fmt, text_field, id_field, explain, chunk_size)
    plan_doc = {"input": inp, "specs": [asdict(s) for s in specs], "options": asdict(opts) | {"out_dir": None},
                "model_sha256": bundle.sha256}
    side = os.path.join(parts_dir, PARTS_DIR)
    plan_file = os.path.join(side, "plan.json")
    if resume:
        if not os.path.isfile(plan_file):
            raise ScanInputError(f"--resume: no interrupted run to resume in {parts_dir} (no {plan_file}); "
                                 "run without --resume to start")
        with open(plan_file, encoding="utf-8") as fh:
            if json.load(fh) != json.loads(json.dumps(plan_doc)):
                raise ScanInputError(f"--resume: {parts_dir} holds a different run (input, options or model "
                                     "changed); run without --resume to start over")
        _clear_attempts(side)
    else:
        _clear(parts_dir, fmt)
    os.makedirs(side, exist_ok=True)
    atomic_write_text(plan_file, json.dumps(plan_doc))
    todo = [s for s in specs if not os.path.isfile(opts.sidecar(s.index, "json"))]
    bar = Progress(progress, len(specs), desc=f"{engine} partitions")
    bar.update(len(specs) - len(todo))
    on_done: Callable[[dict[str, Any]], None] = lambda _state: bar.update(1)  # noqa: E731
    try:
        with interrupt_on_signals():
            _run(engine, todo, opts, bundle, jobs=jobs, scheduler=scheduler, master=master, spark=spark,
                 on_done=on_done)
    finally:
        bar.close()
    summary = ScanSummary()
    seen = IdCounter()
    nonempty = []
    for s in specs:
        with open(opts.sidecar(s.index, "json"), encoding="utf-8") as fh:
            state = json.load(fh)
        check_part(s, opts, state)
        part = ScanSummary.from_state(state["summary"])
        summary.merge(part)
        summary.duplicate_ids += seen.add(read_ids(opts.sidecar(s.index, "ids")))
        if part.scored:
            nonempty.append(opts.part_path(s.index))
    merge_text([opts.sidecar(s.index, "rejects.jsonl") for s in specs], rejects, gz=False)
    if single:
        _merge_parts(nonempty or [opts.part_path(specs[0].index)], out, fmt, gz)
        shutil.rmtree(parts_dir)
    else:
        shutil.rmtree(side)
        with open(os.path.join(parts_dir, "_SUCCESS"), "w", encoding="utf-8") as fh:
            json.dump(summary.to_dict(), fh)
    summary.seconds = time.perf_counter() - t0
    assert summary.rows_read == summary.scored + summary.rejected
    return summary


def _run(engine: str, todo: list[PartSpec], opts: PartOptions, bundle: ShippedBundle, *, jobs: int,
         scheduler: str | None, master: str | None, spark: Any, on_done: Callable[[dict[str, Any]], None]) -> None:
    if not todo:
        return
    if engine == "dask":
        from detector.batch.engines import dask_engine

        dask_engine.run(todo, opts, bundle, scheduler=scheduler, workers=jobs, on_done=on_done)
    else:
        from detector.batch.engines import spark_engine

        spark_engine.run(todo, opts, bundle, master=master, workers=jobs, spark=spark, on_done=on_done)


def _clear(parts_dir: str, fmt: str) -> None:
    """Remove what a previous run of ours left in ``parts_dir`` (and nothing else)."""
    if not os.path.isdir(parts_dir):
        return
    _clear_attempts(os.path.join(parts_dir, PARTS_DIR))
    for name in os.listdir(parts_dir):
        p = os.path.join(parts_dir, name)
        if name == PARTS_DIR:
            shutil.rmtree(p)
        elif name in ("_SUCCESS", "rejects.jsonl") or (name.startswith("part-") and "." in name):
            os.unlink(p)


def _clear_attempts(side: str) -> None:
    """Remove the temporary files of attempts that did not finish (``_parts/.part-N.<attempt>.*``,
    and a Parquet merge's ``.scan-*.tmp`` beside the parts)."""
    parts_dir = os.path.dirname(side)
    leftovers = [os.path.join(side, n) for n in (os.listdir(side) if os.path.isdir(side) else [])
                 if n.startswith(".part-")]
    leftovers += [os.path.join(parts_dir, n) for n in os.listdir(parts_dir) if n.startswith(".scan-")]
    for p in leftovers:
        if os.path.isdir(p):
            shutil.rmtree(p)
        else:
            os.unlink(p)


def _merge_parts(parts: list[str], dest: str, fmt: str, gz: bool) -> None:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        merge_parquet(parts, dest, pq.read_schema(parts[0]))
    else:
        merge_text(parts, dest, gz, header_lines=0 if fmt == "jsonl" else 1)
