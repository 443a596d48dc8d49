"""Images for the OCR tests (CLI, batch, service): a few rendered posters with known text, and bad
images, each made here so no binary fixture is checked in."""

from __future__ import annotations

import io
import os
import struct
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
import posters  # noqa: E402  (benchmarks/posters.py: the renderer the benchmark uses)

#: Posters rendered for the tests: the first 8 of the benchmark's set (the 5th is photographed).
N_TEST_POSTERS = 8


def need_tesseract() -> None:
    """Skip where Tesseract is not installed, but fail in CI, which installs it (.ci/run)."""
    from detector.ocr import tesseract_problem

    problem = tesseract_problem()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have Tesseract: {problem}")
        pytest.skip(problem)


def render_posters(folder: Path, n: int = N_TEST_POSTERS) -> list[dict[str, Any]]:
    return [p.to_dict() for p in posters.make_set(folder, n)]


def png_bytes(width: int, height: int, colour: str = "white", text: str | None = None) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), colour)
    if text:
        ImageDraw.Draw(img).text((10, 10), text, fill="black", font_size=28)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _png(width: int, height: int, bit_depth: int, colour_type: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def huge_png(side: int = 20_000) -> bytes:
    """A valid black-and-white PNG of ``side`` × ``side`` pixels (1 bit each: ~50 kB of file)."""
    return _png(side, side, 1, 0, _rows(b"\x00" + b"\xff" * ((side + 7) // 8), side))


def _rows(row: bytes, n: int, batch: int = 500) -> bytes:
    """``n`` copies of ``row``, deflated a batch at a time."""
    z = zlib.compressobj(1)
    parts = [z.compress(row * min(batch, n - i)) for i in range(0, n, batch)]
    return b"".join(parts) + z.flush()


def bomb_png() -> bytes:
    """A decompression bomb: a ~120 kB PNG whose pixels inflate to 121 MB (11,000 × 11,000 grey, within
    the side limit, 3 × over the pixel limit)."""
    side = 11_000
    return _png(side, side, 8, 0, _rows(b"\x00" + bytes(side), side))


def truncated_jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (600, 400), "orange").save(buf, "JPEG", quality=90)
    data = buf.getvalue()
    return data[: len(data) // 2]


def zip_as_png() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("poster.png", b"not really")
    return buf.getvalue()


def gif_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (50, 50), "red").save(buf, "GIF")
    return buf.getvalue()


#: name -> (bytes maker, the error code every interface must give)
BAD_IMAGES = {
    "truncated.jpg": (truncated_jpeg, "unreadable_image"),
    "archive.png": (zip_as_png, "unreadable_image"),
    "huge-20000.png": (huge_png, "image_too_large"),
    "bomb.png": (bomb_png, "image_too_large"),
    "animation.gif": (gif_bytes, "unsupported_format"),
    "empty.png": (lambda: b"", "unreadable_image"),
    "blank.png": (lambda: png_bytes(400, 300), "no_text_found"),
}
