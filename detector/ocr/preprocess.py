"""What is done to a poster before Tesseract reads it, and why.

Tesseract reads dark text on a light, even background, with letters roughly 20-40 pixels high. Posters
are the opposite in places: white words on a red band, yellow on navy, a photo behind the text, small
print at 12 pixels beside a 150-pixel headline. Steps, by ``mode``:

- ``none``: the decoded RGB image as it is (Tesseract's own greyscale and Otsu threshold);
- ``grey`` (the default): greyscale, and small images scaled up (see :data:`TARGET_LONG_SIDE`) so small
  print reaches a readable height;
- ``best``: ``grey`` and ``full`` both, the more legible reading kept;
- ``full``: ``grey``'s scaling, after the colours are replaced by *contrast with the local
  background*. The background is estimated per region (a median over a window about 1/16 of the image,
  computed on a small copy), and every pixel becomes dark by how far its colour lies from that
  background, channel by channel. Text of either polarity (dark on light, light on dark) on any colour
  becomes dark on white, and red text on a green band of the same brightness, which greyscale turns
  into one grey, keeps its contrast. Uneven light on a photographed screen is flattened too.

Measured on the 48 posters of ``benchmarks/posters.py`` (``bench_ocr.py``, 39 screens and 9
photographed screens): ``grey`` reads screens best (mean CER 0.045 against 0.055 with ``none`` and
0.068 with ``full``) and photographed screens far better than ``none`` (0.105 against 0.328);
``full`` is a little better on photographed screens (0.092) but worse on screens, where it can lose a
headline on a flat colour band, so it is an option, not the default. ``best`` reads with ``grey`` and
``full`` and keeps the more legible reading (mostly ``full`` on light headlines over a colour band on a
dark page, which ``grey``'s global threshold merges into one white block): CER 0.034 on screens and
0.086 on photographed screens, the same red flags found, at 0.9 images/s/core instead of 2.3.

Boxes are always reported in the decoded image's pixels: :func:`prepare` returns the scale it applied.
``benchmarks/bench_ocr.py`` measures each mode."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from PIL.Image import Image

Mode = Literal["none", "grey", "full", "best"]
#: ``best`` reads the image twice, ``grey`` and ``full``, and keeps the more legible reading (see
#: :func:`detector.ocr.reader.read_image`): twice the CPU, for posters that mix polarities.
MODES: tuple[Mode, ...] = ("none", "grey", "full", "best")

#: Images whose longer side is shorter than this (pixels) are scaled up to it: a 1080-pixel poster's
#: small print is 14-20 pixels high, below what Tesseract reads well; scaled 1.85× it is 26-37.
TARGET_LONG_SIDE = 2000
#: Largest upscale (a 300-pixel thumbnail is not made into a poster), and the most pixels after it.
MAX_UPSCALE = 3.0
MAX_PREPARED_PIXELS = 12_000_000
#: Side of the small copy the background is estimated on (pixels), and the median window there:
#: 5/80 ≈ 1/16 of the image, wider than the strokes of a headline, narrow enough to follow a colour band.
BACKGROUND_SIDE = 80
BACKGROUND_WINDOW = 5
#: Contrast (0-255, largest channel difference from the background) that becomes full black.
CONTRAST_GAIN = 2.0
#: Differences below this (0-255) are JPEG noise and sensor grain, not ink: they stay white.
NOISE_FLOOR = 10


def scale_for(width: int, height: int) -> float:
    """The upscale applied before reading (1.0 when the image is large enough)."""
    long_side = max(width, height)
    scale = min(MAX_UPSCALE, max(1.0, TARGET_LONG_SIDE / long_side))
    if width * height * scale * scale > MAX_PREPARED_PIXELS:
        scale = max(1.0, (MAX_PREPARED_PIXELS / (width * height)) ** 0.5)
    return scale


def contrast_map(rgb: Image) -> Image:
    """Greyscale image: white where a pixel has its region's background colour, darker the further it
    lies from it (see the module docstring). A pixel is compared with the background of its own cell
    and of the 8 around it and keeps the smallest difference, so the edge of a colour band (where a
    cell's median is one side's colour or a mix) stays white instead of becoming a dark frame."""
    from PIL import Image as PILImage
    from PIL import ImageFilter

    w, h = rgb.size
    f = max(w, h) / BACKGROUND_SIDE
    sw, sh = max(1, round(w / f)), max(1, round(h / f))
    small = rgb.resize((sw, sh), PILImage.Resampling.BOX).filter(ImageFilter.MedianFilter(BACKGROUND_WINDOW))
    bg = np.pad(np.asarray(small, dtype=np.int16), ((1, 1), (1, 1), (0, 0)), mode="edge")
    px = np.asarray(rgb, dtype=np.int16)
    channels = [np.ascontiguousarray(px[:, :, c]) for c in range(3)]
    rows = np.minimum((np.arange(h) * sh) // h, sh - 1) + 1  # each pixel's cell in the padded grid
    cols = np.minimum((np.arange(w) * sw) // w, sw - 1) + 1
    diff = np.full((h, w), 255, dtype=np.int16)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            cell = bg[rows + dy][:, cols + dx]  # (h, w, 3): the background of that neighbouring cell
            d = np.abs(channels[0] - cell[:, :, 0])
            np.maximum(d, np.abs(channels[1] - cell[:, :, 1]), out=d)
            np.maximum(d, np.abs(channels[2] - cell[:, :, 2]), out=d)
            np.minimum(diff, d, out=diff)
    out = np.clip((diff.astype(np.float32) - NOISE_FLOOR) * CONTRAST_GAIN, 0, 255)
    out = 255.0 - out
    return PILImage.fromarray(out.astype(np.uint8), mode="L")


def prepare(rgb: Image, mode: Mode = "grey") -> tuple[Image, float]:
    """The image Tesseract reads and the scale from ``rgb``'s pixels to its pixels."""
    from PIL import Image as PILImage

    if mode == "none":
        return rgb, 1.0
    if mode not in MODES or mode == "best":
        raise ValueError(f"unknown pre-processing mode {mode!r}; one of {', '.join(MODES)}")
    grey = contrast_map(rgb) if mode == "full" else rgb.convert("L")
    scale = scale_for(*rgb.size)
    if scale > 1.0:
        w, h = rgb.size
        grey = grey.resize((round(w * scale), round(h * scale)), PILImage.Resampling.LANCZOS)
    return grey, scale
