"""Tesseract, driven through ``pytesseract``.

Why pytesseract and not tesserocr: it runs Debian's ``tesseract`` binary (the ``tesseract-ocr``,
``-ind`` and ``-eng`` packages the README installs) as a child process, so there is nothing to compile
against ``libtesseract-dev`` and no second Tesseract with its own trained data inside a wheel; and a
hostile image that makes Tesseract crash or spin costs a child process killed after
:data:`TESSERACT_TIMEOUT_S`, never the service's worker. The price is a process start and a language
load per image (measured in ``benchmarks/bench_ocr.py``: small next to the reading itself)."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from detector.ocr.images import ImageError

if TYPE_CHECKING:
    from PIL.Image import Image

#: Trained data used: Indonesian first, English for the loan words adverts are full of (admin, online, driver).
LANGUAGES = "ind+eng"
#: Page segmentation 3 (automatic layout): posters are blocks of text at different sizes; LSTM engine.
TESSERACT_CONFIG = "--oem 1 --psm 3"
#: One image's reading is stopped after this (seconds); a poster takes 0.5-3 s on one core.
TESSERACT_TIMEOUT_S = 60
#: OpenMP threads per Tesseract process. Tesseract's threads speed one image up a little and slow a
#: busy machine down a lot; batch scans and the service already use one process per core.
TESSERACT_THREADS = "1"


@dataclass(frozen=True)
class RawWord:
    """One word as Tesseract read it, in the pixels of the image it was given."""

    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    block: int
    par: int
    line: int


@functools.lru_cache(maxsize=1)
def tesseract_problem() -> str | None:
    """Why images cannot be read on this machine (a message saying what to install), or None."""
    try:
        import pytesseract
    except ImportError:
        return "reading images needs pytesseract and Pillow: pip install 'tppo-detector[ocr]'"
    try:
        langs = set(pytesseract.get_languages(config=""))
    except (OSError, RuntimeError, pytesseract.TesseractNotFoundError):
        return ("Tesseract is not installed or not on PATH: apt-get install tesseract-ocr tesseract-ocr-ind "
                "tesseract-ocr-eng")
    missing = [lang for lang in LANGUAGES.split("+") if lang not in langs]
    if missing:
        pkgs = " ".join(f"tesseract-ocr-{m}" for m in missing)
        return f"Tesseract has no trained data for {', '.join(missing)}: apt-get install {pkgs}"
    return None


def require_tesseract() -> None:
    problem = tesseract_problem()
    if problem is not None:
        raise ImageError(problem, "ocr_unavailable")


@functools.lru_cache(maxsize=1)
def tesseract_version() -> str:
    import pytesseract

    return str(pytesseract.get_tesseract_version())


def read_words(image: Image, timeout_s: float = TESSERACT_TIMEOUT_S) -> list[RawWord]:
    """Every word Tesseract finds in ``image``, in reading order (block, paragraph, line, word)."""
    require_tesseract()
    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", TESSERACT_THREADS)  # read by the child process only

    try:
        data: dict[str, list[Any]] = pytesseract.image_to_data(
            image, lang=LANGUAGES, config=TESSERACT_CONFIG, output_type=pytesseract.Output.DICT, timeout=timeout_s)
    except RuntimeError as exc:  # pytesseract raises RuntimeError("Tesseract process timeout")
        raise ImageError(f"Tesseract did not finish reading the image within {timeout_s:g} s", "ocr_failed") from exc
    except pytesseract.TesseractError as exc:
        raise ImageError(f"Tesseract failed on the image: {str(exc)[:200]}", "ocr_failed") from exc
    words = []
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if conf < 0 or not str(text).strip():
            continue
        words.append(RawWord(str(text).strip(), conf, int(data["left"][i]), int(data["top"][i]),
                             int(data["width"][i]), int(data["height"][i]), int(data["block_num"][i]),
                             int(data["par_num"][i]), int(data["line_num"][i])))
    return words
