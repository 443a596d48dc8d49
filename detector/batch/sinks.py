"""Output sinks that can be checkpointed and resumed: records go to a partial file (or, for
Parquet, a folder of part files); ``checkpoint()`` makes what was written durable and returns a
JSON-able state; ``restore(state)`` cuts a partial back to it; ``finish(dest)`` renames (or
merges) it into place atomically.

Flat formats (CSV, TSV, Parquet) hold nested fields (flags, evidence, money...) as JSON strings."""

from __future__ import annotations

import csv
import gzip
import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Protocol

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


def make_sink(fmt: str, partial: str, gz: bool = False) -> Sink:
    if fmt == "jsonl":
        return JsonlSink(partial, gz)
    if fmt in ("csv", "tsv"):
        return CsvSink(partial, gz, delimiter="\t" if fmt == "tsv" else ",")
    if fmt == "parquet":
        return ParquetSink(partial)
    raise ValueError(f"unknown output format {fmt!r}")


def atomic_copy(src: str, dest: str, gz: bool) -> None:
    """Move ``src`` to ``dest`` atomically, gzip-compressing it on the way when ``gz``."""
    if not gz:
        os.replace(src, dest)
        return
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(dest)), prefix=".scan-", suffix=".tmp")
    try:
        with open(src, "rb") as fi, os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb",
                                                                               compresslevel=6, mtime=0) as fo:
            shutil.copyfileobj(fi, fo, 1 << 20)
        os.replace(tmp, dest)
        os.unlink(src)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class _FileSink:
    """An append-only partial file, checkpointed by its length in bytes."""

    def __init__(self, partial: str, gz: bool = False) -> None:
        self.partial, self.gz = partial, gz
        self._fh = open(partial, "ab")  # noqa: SIM115 - closed in close()/finish()

    def checkpoint(self, force: bool = False) -> dict[str, Any] | None:
        self._fh.flush()
        return {"bytes": self._fh.tell()}

    def restore(self, state: dict[str, Any]) -> None:
        self._fh.flush()
        self._fh.truncate(state["bytes"])
        self._fh.seek(0, io.SEEK_END)

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def finish(self, dest: str) -> None:
        self.close()
        atomic_copy(self.partial, dest, self.gz)


class JsonlSink(_FileSink):
    def write(self, records: list[dict[str, Any]]) -> None:
        self._fh.write(b"".join(dumps(r) for r in records))


class CsvSink(_FileSink):
    """CSV/TSV with a header of the first record's fields; nested fields JSON-encoded."""

    def __init__(self, partial: str, gz: bool = False, delimiter: str = ",") -> None:
        super().__init__(partial, gz)
        self.delimiter = delimiter
        self.columns: list[str] | None = None

    def _rows(self, rows: list[list[Any]]) -> None:
        buf = io.StringIO()
        csv.writer(buf, delimiter=self.delimiter, lineterminator="\n").writerows(rows)
        self._fh.write(buf.getvalue().encode("utf-8"))

    def write(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        if self.columns is None:
            self.columns = list(records[0])
            self._rows([self.columns])
        cols = self.columns
        self._rows([[cell(r.get(c)) for c in cols] for r in records])

    def checkpoint(self, force: bool = False) -> dict[str, Any] | None:
        state = super().checkpoint(force)
        assert state is not None
        return {**state, "columns": self.columns}

    def restore(self, state: dict[str, Any]) -> None:
        super().restore(state)
        self.columns = state.get("columns")

    def finish(self, dest: str) -> None:
        if self.columns is None:  # nothing scored: a header-only file
            self._rows([list(CONTRACT) + ["row"]])
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
        os.replace(tmp, part)
        self.parts += 1
        self._buf = []

    def checkpoint(self, force: bool = False) -> dict[str, Any] | None:
        if force or len(self._buf) >= self.rows_per_part:
            self._flush()
        if self._buf:
            return None  # buffered rows are not durable yet
        return {"parts": self.parts, "columns": self.columns}

    def restore(self, state: dict[str, Any]) -> None:
        self.parts = state["parts"]
        self.columns = [tuple(c) for c in state["columns"]] if state.get("columns") else None  # type: ignore[misc]
        for p in self.staging.glob("part-*.parquet"):
            if int(p.stem.split("-")[1]) >= self.parts:
                p.unlink()

    def close(self) -> None:
        self._buf = []

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
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
