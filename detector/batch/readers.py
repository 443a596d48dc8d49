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

#: Longest CSV/TSV field read (characters): 50 times the longest post. A stray quote swallows the
#: rows after it into one field; past this size it becomes a ``malformed_csv`` reject and reading goes
#: on at the next line, so memory stays bounded and the rows after are scored.
CSV_FIELD_LIMIT = 1 << 20
csv.field_size_limit(CSV_FIELD_LIMIT)

#: JSONL objects read before a named ``--id-field`` that none of them has is an error.
ID_CHECK_OBJECTS = 1000

#: A row whose text field is absent (as opposed to present but null / empty).
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>", "__reduce__": lambda self: "MISSING"})()


@dataclass(frozen=True)
class Row:
    n: int                 # 1-based row number (JSONL: line number; CSV/TSV: data row; Parquet: row)
    id: str | None
    text: Any
    error: tuple[str, str] | None = None  # (code, message) when the row could not be parsed
    note: str | None = None  # a summary note about a row that is still scored (see ScanSummary.notes)


@dataclass(frozen=True)
class Span:
    """Part of one file (for engines): a byte range of a JSONL file starting at line ``first_line``,
    or a range of Parquet row groups whose first row is ``first_row``. ``lines`` (JSONL, blank lines
    included) and ``rows`` (Parquet) are what the plan counted, checked against what a worker read."""

    start: int = 0
    end: int | None = None
    first_line: int = 1
    row_groups: tuple[int, ...] | None = None
    first_row: int = 1
    lines: int | None = None
    rows: int | None = None


def _id(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value if isinstance(value, str) else str(value)


class RowReader:
    """Opens ``src`` at once (so an unreadable input fails before any output exists) and yields
    its rows. ``progress()`` is ``(done, total)`` in rows (Parquet) or bytes (text formats)."""

    def __init__(self, src: Source, text_field: str = "text", id_field: str | None = None,
                 span: Span | None = None) -> None:
        self.src, self.text_field = src, text_field
        # An id field named by the caller must exist (a wrong name would silently give row-N ids);
        # None means "id", used when present.
        self.id_required = id_field is not None
        self.id_field = id_field or "id"
        self._objects = 0
        self._id_seen = False
        self.span = span or Span()
        self.total_bytes = size_of(src) if src.fmt != "parquet" else None
        self.total_rows: int | None = None
        self._rows_done = 0
        self.lines_read = 0  # physical JSONL lines, blank ones included (checked against Span.lines)
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
        if self.id_required and self.id_field not in names:
            raise ScanInputError(f"{self.src.path}: no column named {self.id_field!r} for --id-field "
                                 f"(columns: {names})")
        groups = self.span.row_groups
        meta = self._pf.metadata
        self.total_rows = (sum(meta.row_group(g).num_rows for g in groups) if groups is not None
                           else meta.num_rows)

    def _open_csv(self) -> None:
        import io

        # surrogateescape: a byte that is not UTF-8 becomes a lone surrogate, which the scan repairs in
        # a text (counted in the record's ``repaired``) and rejects in an id, instead of a silent U+FFFD
        self._text = io.TextIOWrapper(self._stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
        # strict: a quote that does not close a field (a stray one) is an error, not the start of a
        # field that swallows the following rows up to the next quote or the end of the file.
        self._csv = csv.reader(self._text, delimiter="\t" if self.src.fmt == "tsv" else ",", strict=True)
        try:
            header = next(self._csv, None)
        except (csv.Error, OSError, EOFError, zlib.error) as exc:
            raise ScanInputError(f"{self.src.path}: unreadable {self.src.fmt.upper()} header: {exc}") from exc
        if header is None:
            header = []
        if self.text_field not in header:
            raise ScanInputError(f"{self.src.path}: no column named {self.text_field!r} (columns: {header})")
        if self.id_required and self.id_field not in header:
            raise ScanInputError(f"{self.src.path}: no column named {self.id_field!r} for --id-field "
                                 f"(columns: {header})")
        self._ti = header.index(self.text_field)
        self._ii = header.index(self.id_field) if self.id_field in header else None
        self._ncols = len(header)

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
            self.lines_read += 1
            if not line.strip():
                continue
            self._rows_done += 1
            if skip:
                skip -= 1
                continue
            yield self._parse_json_line(n, line)
        if self.id_required and not self._id_seen and self._objects:
            raise ScanInputError(f"{self.src.path}: no object has the field {self.id_field!r} named by --id-field")

    def _parse_json_line(self, n: int, line: bytes) -> Row:
        try:
            obj = json.loads(line.decode("utf-8").lstrip("\ufeff"))
        except UnicodeDecodeError:
            return Row(n, None, None, ("invalid_utf8", "line is not valid UTF-8"))
        except json.JSONDecodeError as exc:
            return Row(n, None, None, ("invalid_json", f"invalid JSON: {exc.msg} (column {exc.colno})"))
        except RecursionError:
            return Row(n, None, None, ("invalid_json", "invalid JSON: nested too deeply"))
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            return Row(n, None, None, ("invalid_json", f"invalid JSON: {str(exc).split(';')[0]}"))
        if not isinstance(obj, dict):
            return Row(n, None, None, ("not_object", f"not a JSON object but {type(obj).__name__}"))
        self._check_id_field(self.id_field in obj)
        return Row(n, _id(obj.get(self.id_field)), obj.get(self.text_field, MISSING))

    def _check_id_field(self, present: bool) -> None:
        """JSONL has no header: a named id field that none of the first :data:`ID_CHECK_OBJECTS`
        objects has is taken for a wrong name."""
        if self._id_seen or not self.id_required:
            return
        self._id_seen = present
        self._objects += 1
        if not present and self._objects >= ID_CHECK_OBJECTS:
            raise ScanInputError(f"{self.src.path}: none of the first {ID_CHECK_OBJECTS:,} objects has the field "
                                 f"{self.id_field!r} named by --id-field")

    def _csv_rows(self, skip: int) -> Iterator[Row]:
        n = 0
        ti, ii, ncols = self._ti, self._ii, self._ncols
        last_line = self._csv.line_num  # the physical line the previous record ended on
        while True:
            try:
                rec = next(self._csv)
            except StopIteration:
                return
            except csv.Error as exc:
                n += 1
                self._rows_done += 1
                first, last_line = last_line + 1, self._csv.line_num
                if skip:
                    skip -= 1
                    continue
                span = f"line {first}" if last_line <= first else f"lines {first}–{last_line}"
                yield Row(n, None, None, ("malformed_csv", f"malformed {self.src.fmt.upper()} record on {span} "
                                          f"({exc}; an unbalanced quote?)"))
                continue
            last_line = self._csv.line_num
            if not rec:  # a blank line
                continue
            n += 1
            self._rows_done += 1
            if skip:
                skip -= 1
                continue
            rid = rec[ii] if ii is not None and ii < len(rec) else None
            yield Row(n, rid or None, rec[ti] if ti < len(rec) else MISSING,
                      note="csv_extra_fields" if len(rec) > ncols else None)

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
            texts = _pylist(batch.column(0))
            ids = _pylist(batch.column(1)) if batch.num_columns > 1 else [None] * len(texts)
            for text, rid in zip(texts, ids, strict=True):
                n += 1
                self._rows_done += 1
                if skip:
                    skip -= 1
                    continue
                if text is _NOT_UTF8 or rid is _NOT_UTF8:
                    what = "text" if text is _NOT_UTF8 else "id"
                    yield Row(n, None, None, ("invalid_utf8", f"the {what} is not valid UTF-8"))
                else:
                    yield Row(n, _id(rid), text)


#: A Parquet string that is not valid UTF-8 (a writer that did not check): its row is rejected.
_NOT_UTF8: Any = type("NotUtf8", (), {"__repr__": lambda self: "<not utf-8>"})()


def _pylist(column: Any) -> list[Any]:
    """A column's values; strings that are not valid UTF-8 as :data:`_NOT_UTF8`, not an exception."""
    try:
        return column.to_pylist()  # type: ignore[no-any-return]
    except UnicodeDecodeError:
        import pyarrow as pa

        binary = pa.large_binary() if pa.types.is_large_string(column.type) else pa.binary()
        out = []
        for raw in column.cast(binary).to_pylist():
            try:
                out.append(raw.decode("utf-8") if raw is not None else None)
            except UnicodeDecodeError:
                out.append(_NOT_UTF8)
        return out
