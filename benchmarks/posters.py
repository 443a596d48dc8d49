"""Poster adverts with known text, rendered from written adverts: the fixture set of the OCR benchmark
(``bench_ocr.py``) and, a few of them, of the tests.

    python benchmarks/posters.py --out out/posters            # 48 posters (9 photographed) + posters.jsonl
    python benchmarks/posters.py --out out/posters --n 8

Each poster draws one advert from ``data/seed_adverts.jsonl`` (every label, deterministic by seed):
a headline (the first words, large and bold) over a coloured band, the body wrapped below, the
contact line in small print, one or two colour emoji as decoration; varied fonts (DejaVu, Liberation:
sans, serif, condensed, mono), colours (light and dark backgrounds, coloured bands, gradients), sizes
(720-1080 pixels wide), a rotation of up to 2.5°, and JPEG at quality 35-85. One poster in five is
"photographed": a screen taken at an angle (perspective), out of focus (blur), with uneven light and
sensor noise. ``posters.jsonl`` holds per poster: ``file``, ``text`` (exactly the text drawn, without
the decorative emoji), the source advert's ``id``, ``source_text``, ``label``, ``style`` and
``photographed``. Needs Pillow and Debian's fonts-dejavu-core, fonts-liberation, fonts-noto-color-emoji.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation"))
EMOJI_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
#: (regular, bold) font files; the headline uses the bold one.
FONTS = (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
         ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"), ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
         ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
         ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
         ("LiberationSansNarrow-Regular.ttf", "LiberationSansNarrow-Bold.ttf"),
         ("LiberationSans-Italic.ttf", "LiberationSans-BoldItalic.ttf"))
#: (background, body text, band, band text): light and dark schemes, as recruitment posters use.
PALETTES = (((255, 255, 255), (20, 20, 20), (200, 30, 30), (255, 255, 255)),
            ((255, 221, 0), (30, 30, 30), (10, 40, 120), (255, 221, 0)),
            ((10, 40, 120), (255, 255, 255), (255, 200, 0), (20, 20, 20)),
            ((20, 20, 20), (240, 240, 240), (220, 40, 40), (255, 255, 255)),
            ((230, 245, 230), (0, 80, 30), (0, 120, 60), (255, 255, 255)),
            ((255, 240, 245), (120, 0, 60), (200, 0, 100), (255, 255, 255)),
            ((0, 110, 110), (255, 255, 255), (255, 255, 255), (0, 90, 90)),
            ((245, 235, 220), (60, 40, 20), (150, 40, 20), (255, 230, 180)))
SIZES = ((1080, 1080), (1080, 1350), (800, 800), (720, 1280), (960, 960))
DECOR = "💰✈️🔥📢✅🌏"
#: Characters the text fonts draw; anything else (emoji, symbols) is left out of the drawn text.
_DRAWN = re.compile(r"[^\x20-\x7e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]")


@dataclass(frozen=True)
class Poster:
    id: str
    file: str
    text: str
    source_id: str
    source_text: str
    label: str
    style: dict[str, Any]
    photographed: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def drawable(text: str) -> str:
    """The advert as the poster draws it: characters the fonts lack dropped, spaces collapsed."""
    return re.sub(r"[ \t]+", " ", _DRAWN.sub(" ", text)).strip()


def pick_adverts(n: int, seed: int = 7, path: Path = REPO / "data" / "seed_adverts.jsonl") -> list[dict[str, Any]]:
    """``n`` adverts of 80-420 characters, the labels in turn (high, other_scam, low), in a fixed order."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if 80 <= len(drawable(r["text"])) <= 420]
    rng = random.Random(seed)
    rng.shuffle(rows)
    by_label: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_label.setdefault(r["label"], []).append(r)
    order = ["high", "other_scam", "high", "low"]
    out: list[dict[str, Any]] = []
    i = 0
    while len(out) < n:
        pool = by_label[order[i % len(order)]]
        if pool:
            out.append(pool.pop())
        i += 1
    return out


def _font(name: str, size: int) -> Any:
    from PIL import ImageFont

    for d in FONT_DIRS:
        if (d / name).is_file():
            return ImageFont.truetype(str(d / name), size)
    raise FileNotFoundError(f"font {name} not found: apt-get install fonts-dejavu-core fonts-liberation")


def _wrap(words: list[str], font: Any, width: int) -> list[str]:
    lines: list[str] = []
    cur = ""
    for w in words:
        trial = f"{cur} {w}".strip()
        if font.getlength(trial) <= width or not cur:
            cur = trial
        else:
            lines.append(cur)
            cur = w
    if cur:
        lines.append(cur)
    return lines


def _split(text: str) -> tuple[str, str, str]:
    """(headline, body, small print): the first 2-5 words; the rest; a trailing contact sentence."""
    words = text.split()
    k = min(len(words) - 1, 3 + len(words[0]) % 3)
    head, rest = " ".join(words[:k]), " ".join(words[k:])
    m = re.search(r"(?:^|(?<=[.!]) )((?:info|wa|hub|hubungi|minat|daftar|dm|cp|kontak|japri)\b[^.!]*[.!]?)\s*$",
                  rest, re.IGNORECASE)
    if m and m.start(1) > 0:
        return head, rest[:m.start(1)].strip(), m.group(1).strip()
    return head, rest, ""


def render(advert: dict[str, Any], index: int, seed: int = 7, photographed: bool = False) -> tuple[Any, str, dict]:
    """The poster image (RGB), exactly the text drawn (lines joined by spaces) and its style."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(f"{seed}-{index}")
    width, height = SIZES[index % len(SIZES)]
    reg, bold = FONTS[index % len(FONTS)]
    bg, fg, band, band_fg = PALETTES[(index * 3) % len(PALETTES)]
    gradient = index % 5 == 2
    head, body, small = _split(drawable(advert["text"]))
    img = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(img)
    if gradient:
        for y in range(height):
            t = y / height
            draw.line([(0, y), (width, y)], fill=tuple(int(c * (1 - 0.35 * t)) for c in bg))
    margin = width // 14
    inner = width - 2 * margin
    head_size = int(width * rng.uniform(0.065, 0.09))
    body_size = int(width * rng.uniform(0.032, 0.045))
    small_size = max(13, int(width * rng.uniform(0.021, 0.026)))
    while True:
        hf, bf, sf = _font(bold, head_size), _font(reg, body_size), _font(reg, small_size)
        hl, bl = _wrap(head.split(), hf, inner - 20), _wrap(body.split(), bf, inner)
        sl = _wrap(small.split(), sf, inner)
        need = (len(hl) * head_size * 1.25 + 40 + len(bl) * body_size * 1.35 + len(sl) * small_size * 1.4
                + height * 0.12)
        if need <= height or body_size <= 16:
            break
        head_size, body_size = int(head_size * 0.92), int(body_size * 0.92)
    y = int(height * 0.07)
    band_h = int(len(hl) * head_size * 1.25 + 24)
    draw.rectangle([0, y, width, y + band_h], fill=band)
    y += 12
    for line in hl:
        draw.text((margin + 10, y), line, font=hf, fill=band_fg)
        y += int(head_size * 1.25)
    y += 40
    for line in bl:
        draw.text((margin, y), line, font=bf, fill=fg)
        y += int(body_size * 1.35)
    y = max(y + 10, height - int(len(sl) * small_size * 1.4) - int(height * 0.05))
    for line in sl:
        draw.text((margin, y), line, font=sf, fill=fg)
        y += int(small_size * 1.4)
    emoji = [DECOR[(index + k * 2) % len(DECOR)] for k in range(1 + index % 2)]
    try:
        ef = ImageFont.truetype(str(EMOJI_FONT), 109)  # the one size the colour bitmap font has
        for k, e in enumerate(emoji):
            tile = Image.new("RGBA", (140, 140), (0, 0, 0, 0))
            ImageDraw.Draw(tile).text((4, 4), e, font=ef, embedded_color=True)
            side = int(width * 0.09)
            tile = tile.resize((side, side), Image.Resampling.LANCZOS)
            img.paste(tile, (width - margin - side - k * (side + 8), height - side - int(height * 0.16)), tile)
    except OSError:
        emoji = []
    angle = rng.uniform(-2.5, 2.5)
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=bg)
    style = {"size": [width, height], "font": reg, "palette": (index * 3) % len(PALETTES), "gradient": gradient,
             "head_px": head_size, "body_px": body_size, "small_px": small_size, "angle": round(angle, 2),
             "emoji": emoji}
    if photographed:
        img = photograph(img, rng)
    text = " ".join([*hl, *bl, *sl])
    return img, text, style


def photograph(img: Any, rng: random.Random) -> Any:
    """The poster as a phone photo of a screen: seen at an angle, slightly out of focus, lit unevenly, noisy."""
    import numpy as np
    from PIL import Image, ImageFilter

    w, h = img.size
    d = [rng.uniform(0.02, 0.07) * w for _ in range(4)]
    # where the corners of the output come from in the poster (a quadrilateral: perspective)
    quad = (-d[0], -d[1] * 0.5, -d[2] * 0.4, h + d[1] * 0.6, w + d[3] * 0.3, h + d[2], w + d[1], -d[3] * 0.5)
    img = img.transform((w, h), Image.Transform.QUAD, quad, Image.Resampling.BICUBIC, fillcolor=(40, 40, 45))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.6)))
    arr = np.asarray(img, dtype=np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    light = 1.0 - 0.35 * (((xx - cx) / w) ** 2 + ((yy - cy) / h) ** 2) ** 0.5
    noise = np.random.default_rng(rng.randrange(1 << 30)).normal(0, 6, arr.shape)
    arr = np.clip(arr * light[..., None] + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(arr)


def make_set(out: Path, n: int = 48, seed: int = 7, photo_every: int = 5) -> list[Poster]:
    """Render ``n`` posters into ``out`` (JPEG, or PNG for one in eight) and write ``out/posters.jsonl``."""
    out.mkdir(parents=True, exist_ok=True)
    posters = []
    for i, adv in enumerate(pick_adverts(n, seed)):
        photographed = i % photo_every == photo_every - 1
        img, text, style = render(adv, i, seed, photographed)
        rng = random.Random(f"jpeg-{seed}-{i}")
        if i % 8 == 3 and not photographed:
            name = f"poster-{i:03d}.png"
            img.save(out / name, "PNG")
        else:
            name = f"poster-{i:03d}.jpg"
            quality = rng.randint(35, 85)
            style["jpeg_quality"] = quality
            img.save(out / name, "JPEG", quality=quality)
        posters.append(Poster(f"poster-{i:03d}", name, text, adv["id"], adv["text"], adv["label"], style,
                              photographed))
    with (out / "posters.jsonl").open("w", encoding="utf-8") as fh:
        for p in posters:
            fh.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")
    return posters


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=REPO / "out" / "posters")
    ap.add_argument("--n", type=int, default=48)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    posters = make_set(args.out, args.n, args.seed)
    print(f"{len(posters)} posters ({sum(p.photographed for p in posters)} photographed) in {args.out}")


if __name__ == "__main__":
    main()
