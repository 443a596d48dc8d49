"""Draw the extension's toolbar icons (extension/icons/icon{16,32,48,128}.png) with the standard library.

A red rounded square with a white magnifying glass holding an exclamation mark. Run it again after a
change: ``python tests/extension/make_icons.py``. ``test_extension_static.py`` checks the files match.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

SIZES = (16, 32, 48, 128)
OUT = Path(__file__).resolve().parents[2] / "extension" / "icons"
RED = (179, 38, 30)
WHITE = (255, 255, 255)
SS = 4  # supersampling per axis


def _inside(x: float, y: float) -> tuple[bool, bool]:
    """(in the rounded square, white ink) for a point in the unit square."""
    r = 0.2
    cx, cy = min(max(x, r), 1 - r), min(max(y, r), 1 - r)
    in_box = (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    # magnifier ring
    gx, gy, ro, ri = 0.43, 0.42, 0.27, 0.19
    d = math.hypot(x - gx, y - gy)
    ink = ri <= d <= ro
    # handle: a thick segment from the ring towards the lower right
    ax, ay, bx, by = gx + ro * 0.68, gy + ro * 0.68, 0.82, 0.81
    t = max(0.0, min(1.0, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)))
    px, py = ax + t * (bx - ax), ay + t * (by - ay)
    ink = ink or math.hypot(x - px, y - py) <= 0.065
    # exclamation mark inside the lens
    ink = ink or (abs(x - gx) <= 0.04 and gy - 0.13 <= y <= gy + 0.04)
    ink = ink or math.hypot(x - gx, y - (gy + 0.11)) <= 0.04
    return in_box, ink and in_box


def render(size: int) -> bytes:
    rows = []
    for j in range(size):
        row = bytearray([0])  # filter: none
        for i in range(size):
            box = ink = 0
            for sj in range(SS):
                for si in range(SS):
                    b, k = _inside((i + (si + 0.5) / SS) / size, (j + (sj + 0.5) / SS) / size)
                    box += b
                    ink += k
            n = SS * SS
            if box == 0:
                row += bytes((0, 0, 0, 0))
                continue
            w = ink / box
            rgb = tuple(round(RED[c] * (1 - w) + WHITE[c] * w) for c in range(3))
            row += bytes((*rgb, round(255 * box / n)))
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for s in SIZES:
        (OUT / f"icon{s}.png").write_bytes(render(s))
        print(OUT / f"icon{s}.png")


if __name__ == "__main__":
    main()
