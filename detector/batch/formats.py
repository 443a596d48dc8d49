"""Which format a path holds (from its name, or sniffed), and opening it as a byte stream.

Inputs: JSONL, CSV, TSV (each optionally gzip-compressed) and Parquet; ``-`` is stdin. Paths with
``://`` are opened through fsspec (e.g. ``s3://`` when s3fs is installed)."""

from __future__ import annotations

import glob as globmod
import gzip
import io
import os
import sys
from dataclasses import dataclass
from typing import IO

INPUT_FORMATS = ("jsonl", "csv", "tsv", "parquet")
OUTPUT_FORMATS = ("jsonl", "csv", "tsv", "parquet")
_EXT = ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl"), (".csv", "csv"), (".tsv", "tsv"),
        (".parquet", "parquet"), (".pq", "parquet"))
_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"


class ScanInputError(RuntimeError):
    """The input (or the output path) cannot be used at all: missing file, unknown or wrong format."""


class EngineError(RuntimeError):
    """A Dask or Spark job failed for a reason of the engine's (a task the cluster gave up on, an
    aborted job); the partitions done are kept, so ``--resume`` continues."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}; the partitions done are kept: run the same command with --resume to continue")


@dataclass(frozen=True)
class Source:
    path: str          # "-" (stdin), a local path or an fsspec URL
    fmt: str           # one of INPUT_FORMATS
    gzip: bool = False

    @property
    def is_stdin(self) -> bool:
        return self.path == "-"

    @property
    def is_url(self) -> bool:
        return "://" in self.path


def format_of(path: str, kinds: tuple[str, ...] = INPUT_FORMATS) -> tuple[str | None, bool]:
    """``(format, gzip)`` from a file name; format None when the name does not tell."""
    name = path.lower()
    gz = name.endswith(".gz")
    name = name.removesuffix(".gz")
    for ext, fmt in _EXT:
        if name.endswith(ext) and fmt in kinds:
            return fmt, gz
    return None, gz


def input_source(path: str, fmt: str | None = None) -> Source:
    """The :class:`Source` for ``path``; ``fmt`` overrides the name (needed for CSV on stdin)."""
    named, gz = format_of(path)
    fmt = fmt or named or ("jsonl" if path == "-" else None)
    if fmt is None:
        raise ScanInputError(f"cannot tell the format of {path}: name it .jsonl, .csv, .tsv or .parquet "
                             "(optionally .gz), or pass --input-format")
    if fmt not in INPUT_FORMATS:
        raise ScanInputError(f"unknown input format {fmt!r}; use one of {', '.join(INPUT_FORMATS)}")
    if fmt == "parquet" and gz:
        raise ScanInputError(f"{path}: Parquet is compressed internally; do not gzip it")
    if fmt == "parquet" and path == "-":
        raise ScanInputError("Parquet cannot be read from stdin; pass a file")
    src = Source(path, fmt, gz)
    if not src.is_stdin and not src.is_url and not os.path.isfile(path):
        what = "is a directory, not a file" if os.path.isdir(path) else "does not exist"
        raise ScanInputError(f"input file {path} {what}")
    return src


def output_format(path: str, fmt: str | None = None) -> tuple[str, bool]:
    """``(format, gzip)`` of an output file from its name (or ``fmt``)."""
    named, gz = format_of(path, OUTPUT_FORMATS)
    fmt = fmt or named
    if fmt is None:
        raise ScanInputError(f"cannot tell the output format of {path}: name it .jsonl, .csv, .tsv or .parquet "
                             "(.jsonl/.csv/.tsv may end in .gz)")
    if fmt == "parquet" and gz:
        raise ScanInputError(f"{path}: Parquet is compressed internally; do not gzip it")
    return fmt, gz


def expand(pattern: str) -> list[str]:
    """The files a path or glob names (sorted); fsspec for URLs."""
    if "://" in pattern:
        import fsspec

        fs, _, paths = fsspec.core.get_fs_token_paths(pattern)
        proto = pattern.split("://", 1)[0]
        return sorted(p if "://" in p else f"{proto}://{p}" for p in paths if fs.isfile(p))
    if any(c in pattern for c in "*?["):
        return sorted(p for p in globmod.glob(pattern, recursive=True) if os.path.isfile(p))
    if os.path.isdir(pattern):
        return sorted(p for p in globmod.glob(os.path.join(pattern, "*"))
                      if os.path.isfile(p) and not os.path.basename(p).startswith(("_", ".")))
    return [pattern]


class CountingReader(io.RawIOBase):
    """A read-only byte stream that counts the (compressed) bytes read, for progress bars."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def open_raw(src: Source) -> IO[bytes]:
    """The undecompressed bytes of ``src``."""
    if src.is_stdin:
        return sys.stdin.buffer
    try:
        if src.is_url:
            import fsspec

            return fsspec.open(src.path, "rb").open()  # type: ignore[no-any-return]
        return open(src.path, "rb")
    except OSError as exc:
        raise ScanInputError(f"cannot open {src.path}: {exc.strerror or exc}") from exc


def size_of(src: Source) -> int | None:
    if src.is_stdin:
        return None
    try:
        if src.is_url:
            import fsspec

            fs, path = fsspec.core.url_to_fs(src.path)
            return int(fs.size(path))
        return os.path.getsize(src.path)
    except (OSError, TypeError, ValueError):
        return None


def open_text_bytes(src: Source) -> tuple[IO[bytes], CountingReader]:
    """A buffered, decompressed byte stream of a text-format source, sniffed for a wrong format,
    and the counter of raw bytes read."""
    counter = CountingReader(open_raw(src))
    buf = io.BufferedReader(counter, 1 << 16)
    head = buf.peek(4)[:4]
    if src.gzip and not head.startswith(_GZIP_MAGIC) and head:
        buf.close()
        raise ScanInputError(f"{src.path} is named .gz but is not gzip-compressed")
    stream: IO[bytes] = buf
    if head.startswith(_GZIP_MAGIC):
        stream = io.BufferedReader(gzip.GzipFile(fileobj=buf, mode="rb"), 1 << 16)  # type: ignore[arg-type]
    try:
        sample = stream.peek(4096)[:4096]  # type: ignore[attr-defined]
    except (OSError, EOFError) as exc:
        stream.close()
        raise ScanInputError(f"{src.path}: cannot decompress: {exc}") from exc
    if sample.startswith(_PARQUET_MAGIC):
        stream.close()
        raise ScanInputError(f"{src.path} looks like Parquet, not {src.fmt.upper()}: name it .parquet "
                             "or pass --input-format parquet")
    if b"\x00" in sample:
        stream.close()
        raise ScanInputError(f"{src.path} is a binary file, not {src.fmt.upper()} text")
    return stream, counter
