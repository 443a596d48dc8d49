"""Scanning poster images: ``detector scan`` over a folder, a glob or a ``.txt`` list of image paths,
or over a JSONL/CSV/Parquet column of image paths (``--image-field image_path``).

Each image is a row: read with Tesseract and scored in the worker processes (``--jobs``), in small
chunks (:data:`IMAGE_CHUNK_SIZE`) because one image costs what a thousand typed posts cost. Its record
is the image record (``ocr``, ``boxes``) plus ``image_path``, with ``repaired`` and ``summary`` as in a
text record; an image that cannot be used is a reject with the image code (``unreadable_image``,
``unsupported_format``, ``image_too_large``, ``no_text_found``, ``ocr_failed``), ``missing_image_path``
or, as for texts, ``invalid_id``. A path with a lone surrogate is written repaired (U+FFFD) in records
and rejects, as ids are. Without Tesseract the scan stops before any output with one line saying what
to install."""

from __future__ import annotations

import glob as globmod
import hashlib
import itertools
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detector.batch.formats import ScanInputError, Source
from detector.batch.readers import MISSING, Row
from detector.batch.records import SCORING_ERROR, reject_record
from detector.validation import id_problem, repair_text

if TYPE_CHECKING:
    from detector.detector import Detector

#: Images per chunk (and per worker task): a chunk is 1-3 s of Tesseract per image, so 4 keeps both
#: cores busy on a folder of 10 and checkpoints every few seconds.
IMAGE_CHUNK_SIZE = 4
_log = logging.getLogger("detector.batch")
_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
#: Most paths a ``.txt`` list may hold (the list is held in memory; a table with an image column streams).
MAX_LISTED_IMAGES = 1_000_000


def image_paths(inp: str) -> list[str] | None:
    """The images ``inp`` names (a folder, a glob, one image, sorted; or a ``.txt`` file whose every line
    is an image path, relative to the list, in its order); None when ``inp`` is not an image input."""
    def images(paths: Sequence[str]) -> list[str]:
        return sorted(p for p in paths if p.lower().endswith(_SUFFIXES) and os.path.isfile(p))

    if os.path.isdir(inp):
        return images(globmod.glob(os.path.join(inp, "*")))
    if any(c in inp for c in "*?[") and "://" not in inp:
        return images(globmod.glob(inp, recursive=True)) if inp.lower().endswith(_SUFFIXES) else None
    if inp.lower().endswith(_SUFFIXES):
        return [inp]
    if inp.lower().endswith(".txt") and os.path.isfile(inp):
        base = os.path.dirname(inp)
        with open(inp, encoding="utf-8", errors="replace") as fh:
            lines = [line.strip() for line in itertools.islice(fh, MAX_LISTED_IMAGES + 1) if line.strip()]
        if lines and all(line.lower().endswith(_SUFFIXES) for line in lines):  # else: not a list of images
            if len(lines) > MAX_LISTED_IMAGES:
                raise ScanInputError(f"{inp} lists more than {MAX_LISTED_IMAGES:,} images; split it")
            return [os.path.join(base, line) for line in lines]  # kept as listed: a missing one is a reject
    return None


def check_ocr() -> None:
    """Stop a scan of images before any output when this machine cannot read them."""
    from detector.ocr import engine

    problem = engine.tesseract_problem()
    if problem is not None:
        raise ScanInputError(f"cannot scan images: {problem}")


class ImageListReader:
    """Rows of an image list, shaped like :class:`~detector.batch.readers.RowReader`'s: row N is the
    N-th path, its id the path relative to the input folder (or as listed)."""

    def __init__(self, inp: str, paths: list[str]) -> None:
        if not paths:
            hint = (" (a folder of JSONL, CSV or Parquet files needs --engine dask or spark)"
                    if os.path.isdir(inp) else "")
            raise ScanInputError(f"{inp}: no PNG, JPEG or WebP images found{hint}")
        self.src = Source(inp, "images")
        self.paths = paths
        self.total_rows: int | None = len(paths)
        self._done = 0
        self._root = inp if os.path.isdir(inp) else None

    def fingerprint(self) -> dict[str, Any]:
        digest = hashlib.sha256("\n".join(os.path.abspath(p) for p in self.paths).encode()).hexdigest()
        return {"input": os.path.abspath(self.src.path), "format": "images", "images": len(self.paths),
                "paths_sha256": digest}

    def progress(self) -> tuple[int, int | None]:
        return self._done, self.total_rows

    def rows(self, skip: int = 0) -> Iterator[Row]:
        for n, path in enumerate(self.paths[skip:], skip + 1):
            self._done = n
            rid = os.path.relpath(path, self._root) if self._root else path
            yield Row(n, rid, path)

    def close(self) -> None:
        pass


def image_row_problem(row: Row) -> tuple[str, str] | None:
    """Why a row names no image, or has an id that cannot be written (the image itself is checked when
    it is read, in the worker)."""
    if row.error:
        return row.error
    if (problem := id_problem(row.id)) is not None:
        return problem
    if row.text is MISSING or row.text is None or (isinstance(row.text, float) and row.text != row.text):
        return "missing_image_path", "no image path in this row"
    if not isinstance(row.text, str) or not row.text.strip():
        return "missing_image_path", "the image path is empty or not a string"
    return None


def score_image_records(detector: Detector, rows: Sequence[tuple[int, str | None, str]], explain: bool,
                        base_dir: str) -> list[dict[str, Any]]:
    """One record or reject per ``(row number, id, image path)``, in order; relative paths are read
    from ``base_dir`` (the folder of the file that listed them)."""
    from detector.detector import InvalidTextError
    from detector.ocr import ImageError, score_image

    def reject(n: int, rid: str | None, code: str, reason: str, shown: str) -> dict[str, Any]:
        return {**reject_record(n, rid, (code, repair_text(reason)[0])), "image_path": shown}

    out = []
    for n, rid, path in rows:
        full = Path(base_dir, path) if base_dir and not os.path.isabs(path) else Path(path)
        shown = repair_text(path)[0]
        try:
            res = score_image(detector, full)
        except ImageError as exc:
            out.append(reject(n, rid, exc.code, str(exc), shown))
            continue
        except InvalidTextError as exc:
            out.append(reject(n, rid, exc.code, f"the text read cannot be scored: {exc}", shown))
            continue
        except Exception as exc:  # noqa: BLE001 - a bug, not bad input: accounted for as a reject, logged
            _log.warning("row %s: reading the image failed: %r", n, exc)
            out.append(reject(n, rid, SCORING_ERROR, f"scoring failed: {type(exc).__name__}: {exc}", shown))
            continue
        rec = res.to_dict(explain=explain)
        if "summary" not in rec:  # a contract field is never dropped (as in score_records)
            rec["summary"] = res.summary("id")
        rec["id"] = rid if rid is not None else f"row-{n}"
        rec["repaired"] = 0  # the text read by Tesseract is well-formed Unicode
        rec["row"] = n
        rec["image_path"] = shown
        out.append(rec)
    return out
