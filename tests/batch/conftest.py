"""Shared inputs for the batch-scan tests: a small realistic corpus and a file of broken rows."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from detector import Detector

REPO = Path(__file__).resolve().parents[2]
CARD = "Dibutuhkan admin CS, gaji 15jt, tanpa pengalaman, kerja di 🇰🇭, tiket & visa ditanggung, info japri"


def corpus(n: int, seed: int = 0) -> list[dict[str, str]]:
    texts = [json.loads(line)["text"] for line in (REPO / "data" / "written_adverts.jsonl").open(encoding="utf-8")]
    rng = random.Random(seed)
    return [{"id": f"p{i}", "text": rng.choice(texts)} for i in range(n)]


#: Lines of a JSONL file with deliberately broken rows: (line, reject code or None when scoreable).
BROKEN_LINES: list[tuple[str, str | None]] = [
    (json.dumps({"id": "ok1", "text": CARD}), None),
    ("{not json", "invalid_json"),
    (json.dumps({"id": "empty", "text": "   "}), "empty_text"),
    (json.dumps({"id": "num", "text": 42}), "not_string"),
    (json.dumps({"id": "other-field", "isi": "no text field"}), "missing_text"),
    (json.dumps({"id": "null", "text": None}), "missing_text"),
    (json.dumps(["a", "list"]), "not_object"),
    (json.dumps({"id": "long", "text": "a" * 20_001}), "too_long"),
    (json.dumps({"id": "nul", "text": "ada\u0000nul"}), "nul_byte"),
    (json.dumps({"id": 7, "text": "Lowongan kasir toko, gaji UMR, lamaran langsung ke toko"}), None),
    ("", None),  # a blank line is not a row
    (json.dumps({"text": "Dicari sopir pribadi di Surabaya, gaji 4jt, SIM A"}), None),
]


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="session")
def det() -> Detector:
    return Detector.load()


@pytest.fixture()
def broken_jsonl(tmp_path: Path) -> Path:
    p = tmp_path / "broken.jsonl"
    p.write_bytes(("\n".join(line for line, _ in BROKEN_LINES) + "\n").encode() + b"\xff\xfe bad utf8\n")
    return p
