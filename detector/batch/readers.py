"""Streaming readers: every input row as a :class:`Row` (row number, id, text or the reason it is
unreadable), never the whole file in memory."""

from __future__ import annotations

import csv
import json
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from detector.batch.formats import CountingReader, ScanInputError, Source, open_raw, open_text_bytes, size_of

csv.field_size_limit(min(sys.maxsize, 1 << 30))

#: A row whose text field is absent (as opposed to present but null / empty).
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>", "__reduce__": lambda self: "MISSING"})()


@dataclass(frozen=True)
class Row:
    n: int                 # 1-based row number (JSONL: line number; CSV/TSV: data row; Parquet: row)
    id: str | None
    text: Any
    error: tuple[str, str] | None = None  # (code, message) when the row could not be parsed


@dataclass(frozen=True)
class Span:
    """Part of one file (for engines): a byte range of a JSONL file starting at line ``first_line``,
    or a range of Parquet row groups whose first row is ``first_row``."""

    start: int = 0
    end: int | None = None
    first_line: int = 1
    row_groups: tuple[int, ...] | None = None
    first_row: int = 1


def _id(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value if isinstance(value, str) else str(value)


class RowReader:
    """Opens ``src`` at once (so an unreadable input fails before any output exists) and yields
    its rows. ``progress()`` is ``(done, total)`` in rows (Parquet) or bytes (text formats)."""

    def __init__(self, src: Source, text_field: str = "text", id_field: str = "id", span: Span | None = None) -> None:
        self.src, self.text_field, self.id_field = src, text_field, id_field
        self.span = span or Span()
        self.total_bytes = size_of(src) if src.fmt != "parquet" else None
        self.total_rows: int | None = None
        self._rows_done = 0
        self._counter: CountingReader | None = None
        if src.fmt == "parquet":
            self._open_parquet()
        else:
            if self.span.start or self.span.end is not None:
                self._stream: IO[bytes] = open_raw(src)
                self._stream.seek(self.span.start)
                self.total_bytes = (self.span.end or self.total_bytes or 0) - self.span.start
            else:
                self._stream, self._counter = open_text_bytes(src)
            if src.fmt in ("csv", "tsv"):
                self._open_csv()

    # -- opening -------------------------------------------------------------------------------
    def _open_parquet(self) -> None:
        import pyarrow.parquet as pq

        try:
            self._pf = pq.ParquetFile(open_raw(self.src))
        except ScanInputError:
            raise
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError...
            raise ScanInputError(f"{self.src.path} is not a readable Parquet file: {exc}") from exc
        names = self._pf.schema_arrow.names
        if self.text_field not in names:
            raise ScanInputError(f"{self.src.path}: no column named {self.text_field!r} (columns: {names})")
        groups = self.span.row_groups
        meta = self._pf.metadata
        self.total_rows = (sum(meta.row_group(g).num_rows for g in groups) if groups is not None
                           else meta.num_rows)

    def _open_csv(self) -> None:
        import io

        self._text = io.TextIOWrapper(self._stream, encoding="utf-8-sig", errors="replace", newline="")
        self._csv = csv.reader(self._text, delimiter="\t" if self.src.fmt == "tsv" else ",")
        try:
            header = next(self._csv, None)
        except (csv.Error, OSError, EOFError, zlib.error) as exc:
            raise ScanInputError(f"{self.src.path}: unreadable {self.src.fmt.upper()} header: {exc}") from exc
        if header is None:
            header = []
        if self.text_field not in header:
            raise ScanInputError(f"{self.src.path}: no column named {self.text_field!r} (columns: {header})")
        self._ti = header.index(self.text_field)
        self._ii = header.index(self.id_field) if self.id_field in header else None

    def parquet_row_groups(self) -> list[int]:
        """Rows per row group of a Parquet source."""
        meta = self._pf.metadata
        return [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]

    # -- progress ------------------------------------------------------------------------------
    def progress(self) -> tuple[int, int | None]:
        if self.src.fmt == "parquet":
            return self._rows_done, self.total_rows
        if self._counter is not None:
            return self._counter.count, self.total_bytes
        return 0, None

    # -- rows ----------------------------------------------------------------------------------
    def rows(self, skip: int = 0) -> Iterator[Row]:
        """Every row in order; the first ``skip`` rows are passed over unparsed (``--resume``)."""
        gen = {"jsonl": self._jsonl, "csv": self._csv_rows, "tsv": self._csv_rows,
               "parquet": self._parquet}[self.src.fmt]
        try:
            yield from gen(skip)
        except ScanInputError:
            raise
        except (OSError, EOFError, zlib.error) as exc:
            raise ScanInputError(f"{self.src.path}: unreadable after row {self._rows_done}: {exc}") from exc
        finally:
            self.close()

    def close(self) -> None:
        for name in ("_text", "_stream"):
            fh = getattr(self, name, None)
            if fh is not None and fh is not sys.stdin.buffer:
                fh.close()
        pf = getattr(self, "_pf", None)
        if pf is not None:
            pf.close()

    def _jsonl(self, skip: int) -> Iterator[Row]:
        end = self.span.end
        pos = self.span.start
        n = self.span.first_line - 1
        for line in self._stream:
            if end is not None:
                if pos >= end:
                    break
                pos += len(line)
            n += 1
            if not line.strip():
                continue
            self._rows_done += 1
            if skip:
                skip -= 1
                continue
            yield self._parse_json_line(n, line)

    def _parse_json_line(self, n: int, line: bytes) -> Row:
        try:
            obj = json.loads(line.decode("utf-8").lstrip("\ufeff"))
        except UnicodeDecodeError:
            return Row(n, None, None, ("invalid_utf8", "line is not valid UTF-8"))
        except json.JSONDecodeError as exc:
            return Row(n, None, None, ("invalid_json", f"invalid JSON: {exc.msg} (column {exc.colno})"))
        except RecursionError:
            return Row(n, None, None, ("invalid_json", "invalid JSON: nested too deeply"))
        if not isinstance(obj, dict):
            return Row(n, None, None, ("not_object", f"not a JSON object but {type(obj).__name__}"))
        return Row(n, _id(obj.get(self.id_field)), obj.get(self.text_field, MISSING))

    def _csv_rows(self, skip: int) -> Iterator[Row]:
        n = 0
        ti, ii = self._ti, self._ii
        while True:
            try:
                rec = next(self._csv)
            except StopIteration:
                return
            except csv.Error as exc:
                n += 1
                self._rows_done += 1
                if skip:
                    skip -= 1
                    continue
                yield Row(n, None, None, ("malformed_csv", f"malformed {self.src.fmt.upper()} row: {exc}"))
                continue
            if not rec:  # a blank line
                continue
            n += 1
            self._rows_done += 1
            if skip:
                skip -= 1
                continue
            rid = rec[ii] if ii is not None and ii < len(rec) else None
            yield Row(n, rid or None, rec[ti] if ti < len(rec) else MISSING)

    def _parquet(self, skip: int) -> Iterator[Row]:
        cols = [self.text_field] + ([self.id_field] if self.id_field in self._pf.schema_arrow.names else [])
        n = self.span.first_row - 1
        groups = self.span.row_groups
        batches = self._pf.iter_batches(batch_size=4096, columns=cols,
                                        row_groups=list(groups) if groups is not None else None)
        for batch in batches:
            if skip >= batch.num_rows:
                skip -= batch.num_rows
                n += batch.num_rows
                self._rows_done += batch.num_rows
                continue
            texts = batch.column(0).to_pylist()
            ids = batch.column(1).to_pylist() if batch.num_columns > 1 else [None] * len(texts)
            for text, rid in zip(texts, ids, strict=True):
                n += 1
                self._rows_done += 1
                if skip:
                    skip -= 1
                    continue
                yield Row(n, _id(rid), text)
