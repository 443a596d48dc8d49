"""An image in, a scored record out: decode (:mod:`~detector.ocr.images`), prepare
(:mod:`~detector.ocr.preprocess`), read (:mod:`~detector.ocr.engine`), assemble
(:mod:`~detector.ocr.layout`), then score the text with the same :class:`~detector.Detector` as a
typed post. The record is the text record plus ``ocr`` (what was read, how well, by what) and
``boxes`` / ``counter_boxes`` (each evidence item's boxes on the image, in the same order)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detector.ocr.engine import LANGUAGES, read_words, require_tesseract, tesseract_version
from detector.ocr.images import ImageError, ImageLimits, open_image, read_bytes
from detector.ocr.layout import Reading, assemble, evidence_boxes
from detector.ocr.preprocess import Mode, prepare

if TYPE_CHECKING:
    from detector.detector import Detector
    from detector.result import ScoreResult

#: Fewest letters or digits a reading must have to be scored; fewer is ``no_text_found`` (a photo,
#: a logo, Tesseract's guesses at an emoji).
MIN_TEXT_CHARS = 4
#: Word confidence (0-100) from which a word counts as read for :func:`legibility`.
SURE_CONF = 70


def read_image(data: bytes | str | Path, mode: Mode = "grey", limits: ImageLimits | None = None) -> Reading:
    """The text on the image (``data``: its bytes, or a path) with every word's box and offsets.
    Raises :class:`ImageError` with a code (see there), ``no_text_found`` included."""
    require_tesseract()  # before decoding: a machine without Tesseract says so, whatever the image
    raw = read_bytes(data, limits) if isinstance(data, (str, Path)) else data
    rgb = open_image(raw, limits)
    modes: tuple[Mode, ...] = ("grey", "full") if mode == "best" else (mode,)
    reading = max((_read(rgb, m) for m in modes), key=legibility)  # the first wins a tie
    legible = sum(ch.isalnum() for ch in reading.text)
    if legible < MIN_TEXT_CHARS:
        raise ImageError(f"no text found on the image (read {legible} letters or digits in "
                         f"{len(reading.words)} words)", "no_text_found")
    return reading


def _read(rgb: Any, mode: Mode) -> Reading:
    prepared, scale = prepare(rgb, mode)
    return replace(assemble(read_words(prepared), scale, *rgb.size), preprocess=mode)


def legibility(reading: Reading) -> int:
    """Letters and digits in words Tesseract is sure of (confidence >= :data:`SURE_CONF`): what ``best``
    compares. A reading that lost a headline has fewer; one that turned a picture into noise gains
    little, since noise is read with low confidence."""
    return sum(sum(ch.isalnum() for ch in w.text) for w in reading.words if w.conf >= SURE_CONF)


def ocr_record(reading: Reading, mode: Mode) -> dict[str, Any]:
    """The record's ``ocr`` field."""
    return {"text": reading.text, "mean_confidence": round(reading.mean_confidence, 1),
            "words": len(reading.words), "engine": "tesseract", "engine_version": tesseract_version(),
            "languages": LANGUAGES, "preprocess": mode if mode != "best" else f"best:{reading.preprocess}",
            "width": reading.width, "height": reading.height}


def with_image(result: ScoreResult, reading: Reading, mode: Mode) -> ScoreResult:
    """``result`` (the score of ``reading.text``) with the image fields added to its record."""
    extra = {**result.extra, "ocr": ocr_record(reading, mode),
             "boxes": evidence_boxes(reading, result.evidence),
             "counter_boxes": evidence_boxes(reading, result.counter_evidence)}
    return replace(result, extra=extra)


def score_image(detector: Detector, data: bytes | str | Path, *, id: str | None = None, mode: Mode = "grey",
                limits: ImageLimits | None = None) -> ScoreResult:
    """Read the image and score its text; raises :class:`ImageError` (or
    :class:`~detector.validation.InvalidTextError` for a reading the core refuses, e.g. too long)."""
    reading = read_image(data, mode, limits)
    return with_image(detector.score(reading.text, id=id), reading, mode)
