"""Opening an uploaded or scanned image safely: the one set of rules the CLI, the batch scans and the
service apply to images, as :func:`detector.validation.text_problem` is for texts.

An image is checked in the order that costs least: its size in bytes, then its format and its pixel
count from the header alone (Pillow opens lazily), and only then decoded. A 200-byte PNG that declares
20,000 × 20,000 pixels (a decompression bomb) is refused before a single pixel is inflated."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image

#: Largest image file accepted (bytes). A phone poster is 0.1-3 MB; 15 MB leaves room for a PNG screenshot.
MAX_IMAGE_BYTES = 15 * 1024 * 1024
#: Most pixels accepted (width × height): 40 MP covers any phone camera; decoded it is 120 MB of RGB,
#: and Tesseract needs several copies of it. Checked from the header, before decoding.
MAX_IMAGE_PIXELS = 40_000_000
#: Longest side accepted (pixels), so a 1 × 40,000,000 strip is refused too.
MAX_IMAGE_SIDE = 12_000
#: Formats read, by content (never by file name): what social networks and chat apps send.
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP")
#: File name endings a folder scan picks up.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")

#: What the first bytes of a file that is not an image say it is (for the error message).
_MAGIC = ((b"PK\x03\x04", "a ZIP archive"), (b"%PDF", "a PDF document"), (b"\x1f\x8b", "gzip data"),
          (b"GIF8", "a GIF image"), (b"BM", "a BMP image"), (b"II*\x00", "a TIFF image"),
          (b"MM\x00*", "a TIFF image"), (b"<", "text or HTML"), (b"{", "JSON text"))


class ImageError(ValueError):
    """An image that cannot be read or scored. ``code`` names why, and is what batch rejects and the
    service's errors carry: ``unreadable_image`` (not an image, corrupt or truncated),
    ``unsupported_format`` (an image, but not PNG, JPEG or WebP), ``image_too_large`` (bytes, pixels
    or side over the limit), ``no_text_found`` (nothing legible on it), ``ocr_unavailable``
    (Tesseract or its Indonesian/English data is not installed), ``ocr_failed`` (Tesseract crashed or
    timed out)."""

    def __init__(self, message: str, code: str = "unreadable_image") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int = MAX_IMAGE_BYTES
    max_pixels: int = MAX_IMAGE_PIXELS
    max_side: int = MAX_IMAGE_SIDE


def _what_is(head: bytes) -> str:
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return "unknown data"


def _bomb(exc: Exception) -> str:
    """Pillow's decompression-bomb message, without its advice to the programmer."""
    return "the image declares " + str(exc).partition("Image size (")[2].partition(")")[0] + " (a decompression bomb?)"


def _pil() -> Any:
    try:
        from PIL import Image
    except ImportError as exc:
        raise ImageError("reading images needs Pillow: pip install 'tppo-detector[ocr]'", "ocr_unavailable") from exc
    return Image


def read_bytes(path: str | Path, limits: ImageLimits | None = None) -> bytes:
    """The file's bytes, refusing an oversized file before reading it."""
    limits = limits or ImageLimits()
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise ImageError(f"{p}: not a file", "unreadable_image")
        if size > limits.max_bytes:
            raise ImageError(f"{p}: the file is {size:,} bytes; the limit is {limits.max_bytes:,}", "image_too_large")
        return p.read_bytes()
    except FileNotFoundError:
        raise ImageError(f"{p}: no such file", "unreadable_image") from None
    except ValueError:  # a NUL byte, or a lone surrogate the file system cannot encode (e.g. from JSON)
        raise ImageError(f"{p}: not a valid file name", "unreadable_image") from None
    except OSError as exc:
        raise ImageError(f"{p}: cannot be read: {exc.strerror or exc}", "unreadable_image") from None


def open_image(data: bytes, limits: ImageLimits | None = None) -> Image:
    """Decoded RGB image (first frame, EXIF orientation applied, transparency on white), or
    :class:`ImageError` saying what is wrong with ``data``."""
    limits = limits or ImageLimits()
    Image = _pil()
    from PIL import ImageOps

    if len(data) > limits.max_bytes:
        raise ImageError(f"the image is {len(data):,} bytes; the limit is {limits.max_bytes:,}", "image_too_large")
    if not data:
        raise ImageError("the image is empty (0 bytes)", "unreadable_image")
    try:
        with warnings.catch_warnings():  # Pillow's bomb warning: the pixel limit below is ours
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))  # reads the header only
    except Image.DecompressionBombError as exc:
        raise ImageError(f"{_bomb(exc)}; the limit is {limits.max_pixels:,} pixels", "image_too_large") from None
    except (OSError, ValueError, SyntaxError):  # UnidentifiedImageError is an OSError
        raise ImageError(f"not a PNG, JPEG or WebP image (the data looks like {_what_is(data[:8])})",
                         "unreadable_image") from None
    fmt = img.format or "unknown"
    if fmt not in IMAGE_FORMATS:
        raise ImageError(f"{fmt} images are not read; send PNG, JPEG or WebP", "unsupported_format")
    w, h = img.size
    if w * h > limits.max_pixels or max(w, h) > limits.max_side:
        raise ImageError(f"the image is {w:,} × {h:,} pixels; the limit is {limits.max_pixels:,} pixels "
                         f"and {limits.max_side:,} per side", "image_too_large")
    if w < 1 or h < 1:
        raise ImageError("the image has no pixels", "unreadable_image")
    try:
        img.load()
        img = ImageOps.exif_transpose(img) or img
        if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
            rgba = img.convert("RGBA")
            canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            canvas.alpha_composite(rgba)
            return canvas.convert("RGB")
        return img.convert("RGB")
    except Image.DecompressionBombError as exc:
        raise ImageError(f"{_bomb(exc)}; the limit is {limits.max_pixels:,} pixels", "image_too_large") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        why = "truncated" if "truncated" in str(exc) else "corrupt"
        raise ImageError(f"the {fmt} image is {why} and cannot be decoded ({exc})", "unreadable_image") from None
