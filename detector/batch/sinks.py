"""Output sinks that can be checkpointed and resumed: records go to a partial file (or, for
Parquet, a folder of part files); ``checkpoint()`` makes what was written durable and returns a
JSON-able state; ``restore(state)`` cuts a partial back to it; ``finish(dest)`` renames (or
merges) it into place atomically.

Flat formats (CSV, TSV, Parquet) hold nested fields (flags, evidence, money...) as JSON strings."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Protocol

from detector.batch.formats import ScanInputError
from detector.batch.records import CONTRACT, cell, dumps

PARQUET_ROWS_PER_PART = 16_384
_INT_FIELDS = {"row"}
_FLOAT_FIELDS = {"risk_score"}


class Sink(Protocol):
    def write(self, records: list[dict[str, Any]]) -> None: ...
    def checkpoint(self, force: bool = False) -> dict[str, Any] | None: ...
    def restore(self, state: dict[str, Any]) -> None: ...
    def finish(self, dest: str) -> None: ...
    def close(self) -> None: ...
    def discard(self) -> None: ...


def make_sink(fmt: str, partial: str, gz: bool = False) -> Sink:
    if fmt == "jsonl":
        return JsonlSink(partial, gz)
    if fmt in ("csv", "tsv"):
        return CsvSink(partial, gz, delimiter="\t" if fmt == "tsv" else ",")
    if fmt == "parquet":
        return ParquetSink(partial)
    raise ValueError(f"unknown output format {fmt!r}")


def fsync_file(fh: Any) -> None:
    """Flush ``fh`` and make its bytes durable (before a checkpoint or a rename names them done)."""
    fh.flush()
    os.fsync(fh.fileno())


def _fsync_path(path: str) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def atomic_copy(src: str, dest: str) -> None:
    """Move the finished partial ``src`` to ``dest`` atomically (already compressed when gzip)."""
    _fsync_path(src)
    os.replace(src, dest)


#: Bytes at the end of a partial file whose SHA-256 a checkpoint keeps, to recognise on ``--resume``
#: the file it was made for (a partial cut short, or zeros left by a crash, differ there).
TAIL_BYTES = 4096


class _FileSink:
    """An append-only partial file, checkpointed by its length in bytes and the hash of its last
    :data:`TAIL_BYTES`. With ``gz`` each write is its own gzip member (a file of members is one gzip
    stream to every reader), so the partial is as small as the output, can be cut back at any
    checkpoint, and is renamed into place as it is."""

    def __init__(self, partial: str, gz: bool = False) -> None:
        self.partial, self.gz = partial, gz
        self._fh = open(partial, "ab")  # noqa: SIM115 - closed in close()/finish()
        self._tail = b""

    def _append(self, data: bytes) -> None:
        if not data:
            return
        if self.gz:
            data = gzip.compress(data, compresslevel=6, mtime=0)
        self._fh.write(data)
        self._tail = (self._tail + data)[-TAIL_BYTES:]

    def checkpoint(self, force: bool = False) -> dict[str, Any] | None:
        fsync_file(self._fh)
        return {"bytes": self._fh.tell(), "tail_sha256": hashlib.sha256(self._tail).hexdigest()}

    def restore(self, state: dict[str, Any]) -> None:
        """Cut the partial back to ``state``; refuse one shorter than it, or whose bytes before the
        cut are not those the checkpoint saw."""
        self._fh.flush()
        size, want = os.path.getsize(self.partial), state["bytes"]
        if size < want:
            raise ScanInputError(f"--resume: {self.partial} has {size:,} bytes but its checkpoint recorded {want:,}: "
                                 "it was cut short or lost; run without --resume to start over")
        with open(self.partial, "rb") as fh:
            fh.seek(max(0, want - TAIL_BYTES))
            tail = fh.read(min(want, TAIL_BYTES))
        if hashlib.sha256(tail).hexdigest() != state["tail_sha256"]:
            raise ScanInputError(f"--resume: the last bytes of {self.partial} before byte {want:,} are not those its "
                                 "checkpoint recorded (the file was changed or damaged); run without --resume "
                                 "to start over")
        self._fh.truncate(want)
        self._fh.seek(0, io.SEEK_END)
        self._tail = tail

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def discard(self) -> None:
        """Remove the partial (an engine attempt that did not finish)."""
        self.close()
        if os.path.exists(self.partial):
            os.unlink(self.partial)

    def finish(self, dest: str) -> None:
        self.close()
        atomic_copy(self.partial, dest)


class JsonlSink(_FileSink):
    def write(self, records: list[dict[str, Any]]) -> None:
        self._append(b"".join(dumps(r) for r in records))


class CsvSink(_FileSink):
    """CSV/TSV with a header of the first record's fields; nested fields JSON-encoded."""

    def __init__(self, partial: str, gz: bool = False, delimiter: str = ",") -> None:
        super().__init__(partial, gz)
        self.delimiter = delimiter
        self.columns: list[str] | None = None

    def _rows(self, rows: list[list[Any]]) -> bytes:
        buf = io.StringIO()
        csv.writer(buf, delimiter=self.delimiter, lineterminator="\n").writerows(rows)
        return buf.getvalue().encode("utf-8")

    def write(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        head = b""
        if self.columns is None:
            self.columns = list(records[0])
            head = self._rows([self.columns])
        cols = self.columns
        self._append(head + self._rows([[cell(r.get(c)) for c in cols] for r in records]))

    def checkpoint(self, force: bool = False) -> dict[str, Any] | None:
        state = super().checkpoint(force)
        assert state is not None
        return {**state, "columns": self.columns}

    def restore(self, state: dict[str, Any]) -> None:
        super().restore(state)
        self.columns = state.get("columns")

    def finish(self, dest: str) -> None:
        if self.columns is None:  # nothing scored: a header-only file
            self._append(self._rows([list(CONTRACT) + ["row"]]))
        super().finish(dest)


def arrow_schema(record: dict[str, Any]) -> Any:
    import pyarrow as pa

    fields = []
    for k, v in record.items():
        if k in _INT_FIELDS or (isinstance(v, int) and not isinstance(v, bool)):
            t = pa.int64()
        elif k in _FLOAT_FIELDS or isinstance(v, float):
            t = pa.float64()
        elif isinstance(v, bool):
            t = pa.bool_()
        else:
            t = pa.string()
        fields.append(pa.field(k, t))
    return pa.schema(fields)


def records_table(records: list[dict[str, Any]], schema: Any) -> Any:
    import pyarrow as pa

    cols = {name: [cell(r.get(name)) for r in records] for name in schema.names}
    return pa.table(cols, schema=schema)


class ParquetSink:
    """Buffers records and writes them as part files in a staging folder; ``finish`` merges the
    parts (one row group each) into one Parquet file."""

    def __init__(self, staging: str, rows_per_part: int | None = None) -> None:
        self.staging = Path(staging)
        self.staging.mkdir(parents=True, exist_ok=True)
        self.rows_per_part = rows_per_part or PARQUET_ROWS_PER_PART
        self.parts = 0
        self.part_bytes: list[int] = []
        self.columns: list[tuple[str, str]] | None = None
        self._buf: list[dict[str, Any]] = []

    def _schema(self) -> Any:
        import pyarrow as pa

        assert self.columns is not None
        return pa.schema([pa.field(n, pa.type_for_alias(t)) for n, t in self.columns])

    def write(self, records: list[dict[str, Any]]) -> None:
        if records and self.columns is None:
            self.columns = [(f.name, str(f.type)) for f in arrow_schema(records[0])]
        self._buf.extend(records)

    def _flush(self) -> None:
        import pyarrow.parquet as pq

        if not self._buf:
            return
        part = self.staging / f"part-{self.parts:05d}.parquet"
        tmp = part.with_suffix(".tmp")
        pq.write_table(records_table(self._buf, self._schema()), tmp, compression="zstd")
        _fsync_path(str(tmp))
        os.replace(tmp, part)
        self.parts += 1
        self.part_bytes.append(os.path.getsize(part))
        self._buf = []

    def checkpoint(self, force: bool = False) -> dict[str, Any] | None:
        if force or len(self._buf) >= self.rows_per_part:
            self._flush()
        if self._buf:
            return None  # buffered rows are not durable yet
        return {"parts": self.parts, "columns": self.columns, "part_bytes": list(self.part_bytes)}

    def restore(self, state: dict[str, Any]) -> None:
        """Drop parts written after ``state``; refuse if one it counts is missing or resized."""
        self.parts = state["parts"]
        self.part_bytes = list(state["part_bytes"])
        self.columns = [tuple(c) for c in state["columns"]] if state.get("columns") else None  # type: ignore[misc]
        for i, size in enumerate(self.part_bytes):
            part = self.staging / f"part-{i:05d}.parquet"
            if not part.is_file() or part.stat().st_size != size:
                raise ScanInputError(f"--resume: {part} is missing or not the {size:,} bytes its checkpoint recorded; "
                                     "run without --resume to start over")
        for p in self.staging.glob("part-*.parquet"):
            if int(p.stem.split("-")[1]) >= self.parts:
                p.unlink()

    def close(self) -> None:
        self._buf = []

    def discard(self) -> None:
        self.close()
        shutil.rmtree(self.staging, ignore_errors=True)

    def finish(self, dest: str) -> None:
        import pyarrow as pa

        self._flush()
        parts = [str(self.staging / f"part-{i:05d}.parquet") for i in range(self.parts)]
        if self.columns is None:
            schema = pa.schema([pa.field(c, pa.float64() if c == "risk_score" else pa.string()) for c in CONTRACT]
                               + [pa.field("row", pa.int64())])
        else:
            schema = self._schema()
        merge_parquet(parts, dest, schema)
        shutil.rmtree(self.staging, ignore_errors=True)


def merge_parquet(parts: list[str], dest: str, schema: Any) -> None:
    """Concatenate Parquet files (same schema) into ``dest`` atomically, one row group at a time."""
    import pyarrow.parquet as pq

    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(dest)), prefix=".scan-", suffix=".tmp")
    os.close(fd)
    try:
        with pq.ParquetWriter(tmp, schema, compression="zstd") as w:
            for p in parts:
                pf = pq.ParquetFile(p)
                for g in range(pf.num_row_groups):
                    w.write_table(pf.read_row_group(g).cast(schema))
        _fsync_path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def merge_text(parts: list[str], dest: str, gz: bool, header_lines: int = 0) -> None:
    """Concatenate JSONL/CSV parts into ``dest`` atomically (CSV: the header of the first only)."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(dest)), prefix=".scan-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw:
            fo: Any = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) if gz else raw
            for i, p in enumerate(parts):
                with open(p, "rb") as fi:
                    if i and header_lines:
                        for _ in range(header_lines):
                            fi.readline()
                    shutil.copyfileobj(fi, fo, 1 << 20)
            if gz:
                fo.close()
            fsync_file(raw)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
