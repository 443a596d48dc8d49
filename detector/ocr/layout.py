"""From Tesseract's words to the text that is scored, and from evidence offsets back to boxes.

The text read from an image is assembled here, so every word's place in it is known: words of a line
joined by one space, lines by ``\\n``, paragraphs and blocks by a blank line. That text is the record's
ORIGINAL text: evidence ``start``/``end`` point into it like into a typed post (the core maps its
normalised text back to it), and :meth:`Reading.boxes_for` turns any such span into the boxes of the
words it touches, one box per line of the image (a flag's words that wrap onto two lines get two)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from detector.ocr.engine import RawWord


@dataclass(frozen=True)
class Box:
    """A rectangle in the decoded image's pixels (EXIF orientation applied)."""

    x: int
    y: int
    w: int
    h: int

    def to_dict(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y, "w": self.w, "h": self.h}

    def union(self, other: Box) -> Box:
        x, y = min(self.x, other.x), min(self.y, other.y)
        return Box(x, y, max(self.x + self.w, other.x + other.w) - x, max(self.y + self.h, other.y + other.h) - y)


@dataclass(frozen=True)
class Word:
    text: str
    conf: float
    box: Box
    line: tuple[int, int, int]  # (block, paragraph, line) as Tesseract numbered them
    start: int  # offsets of the word in the assembled text
    end: int


@dataclass(frozen=True)
class Reading:
    """What was read from one image: the assembled text and each word with its box and offsets."""

    text: str
    words: tuple[Word, ...]
    width: int
    height: int
    preprocess: str = ""  # the pre-processing mode the words were read with

    @property
    def mean_confidence(self) -> float:
        """Tesseract's mean word confidence, 0-100 (0 when nothing was read)."""
        return sum(w.conf for w in self.words) / len(self.words) if self.words else 0.0

    def boxes_for(self, start: int, end: int) -> list[Box]:
        """Boxes of the words overlapping ``text[start:end]``, merged per image line, in reading order."""
        per_line: dict[tuple[int, int, int], Box] = {}
        for w in self.words:
            if w.start < end and start < w.end:
                per_line[w.line] = per_line[w.line].union(w.box) if w.line in per_line else w.box
        return list(per_line.values())


def assemble(raw: Sequence[RawWord], scale: float, width: int, height: int) -> Reading:
    """The text of ``raw`` words (read on an image ``scale`` times larger than the decoded one) with
    each word's offsets, and boxes scaled back to the decoded image and clipped to it."""
    parts: list[str] = []
    words: list[Word] = []
    pos = 0
    prev: tuple[int, int, int] | None = None
    for r in raw:
        key = (r.block, r.par, r.line)
        if prev is not None:
            sep = " " if key == prev else ("\n" if key[:2] == prev[:2] else "\n\n")
            parts.append(sep)
            pos += len(sep)
        prev = key
        parts.append(r.text)
        x0, y0 = max(0, int(r.left / scale)), max(0, int(r.top / scale))
        x1 = min(width, round((r.left + r.width) / scale))
        y1 = min(height, round((r.top + r.height) / scale))
        words.append(Word(r.text, r.conf, Box(x0, y0, max(1, x1 - x0), max(1, y1 - y0)), key, pos, pos + len(r.text)))
        pos += len(r.text)
    return Reading("".join(parts), tuple(words), width, height)


def evidence_boxes(reading: Reading, hits: Sequence[Any]) -> list[dict[str, Any]]:
    """One entry per evidence item, in the same order: its flag, offsets and boxes on the image."""
    return [{"flag": h.indicator, "start": h.start, "end": h.end,
             "boxes": [b.to_dict() for b in reading.boxes_for(h.start, h.end)]} for h in hits]
