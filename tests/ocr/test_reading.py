"""Reading rendered posters with Tesseract and scoring them: text, offsets, boxes, levels, errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ocr_helpers import BAD_IMAGES, need_tesseract

from detector import Detector
from detector.ocr import ImageError, read_image, score_image


@pytest.fixture(scope="module")
def det() -> Detector:
    return Detector.load()


@pytest.fixture(scope="module")
def scored(poster_set: tuple[Path, list[dict[str, Any]]], det: Detector) -> list[tuple[dict[str, Any], Any]]:
    need_tesseract()
    folder, rows = poster_set
    return [(row, score_image(det, folder / row["file"], id=row["id"])) for row in rows]


def _cer(read: str, truth: str) -> float:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_ocr import cer

    return cer(read, truth)


def test_when_posters_are_read_then_the_text_is_close_to_what_was_drawn(scored: list[tuple[dict, Any]]) -> None:
    screens = [(row, res) for row, res in scored if not row["photographed"]]
    cers = [_cer(res.extra["ocr"]["text"], row["text"]) for row, res in screens]
    assert sum(cers) / len(cers) < 0.10, cers
    assert max(cers) < 0.35, cers


def test_when_a_poster_is_scored_then_every_evidence_span_is_the_read_text_and_has_boxes_on_the_image(
        scored: list[tuple[dict, Any]]) -> None:
    n_boxes = 0
    for row, res in scored:
        rec = res.to_dict()
        ocr = rec["ocr"]
        assert rec["id"] == row["id"] and ocr["engine"] == "tesseract" and re.match(r"\d+\.\d+", ocr["engine_version"])
        assert len(rec["boxes"]) == len(rec["evidence"]) and len(rec["counter_boxes"]) == len(rec["counter_evidence"])
        for ev, entry in zip(rec["evidence"], rec["boxes"], strict=True):
            assert ocr["text"][ev["start"]:ev["end"]] == ev["text"]
            assert (entry["flag"], entry["start"], entry["end"]) == (ev["flag"], ev["start"], ev["end"])
            assert entry["boxes"], ev
            for b in entry["boxes"]:
                assert 0 <= b["x"] < b["x"] + b["w"] <= ocr["width"] and 0 <= b["y"] < b["y"] + b["h"] <= ocr["height"]
                n_boxes += 1
    assert n_boxes >= 10


def test_when_posters_are_read_then_their_levels_agree_with_the_source_adverts(
        scored: list[tuple[dict, Any]], det: Detector) -> None:
    agree = sum(res.risk_level == det.score(row["source_text"]).risk_level for row, res in scored)
    assert agree >= len(scored) - 2


def test_when_a_flag_is_found_then_its_box_lies_on_the_words_that_raised_it(
        poster_set: tuple[Path, list[dict[str, Any]]], scored: list[tuple[dict, Any]]) -> None:
    """Cut each box out of the image and read it again: it holds the evidence text."""
    import io

    from PIL import Image

    folder, _ = poster_set
    checked = 0
    for row, res in scored[:4]:
        img = Image.open(folder / row["file"]).convert("RGB")
        for ev, entry in zip(res.evidence, res.extra["boxes"], strict=True):
            if len(entry["boxes"]) != 1 or len(ev.text) < 5:
                continue
            b = entry["boxes"][0]
            crop = img.crop((b["x"] - 6, b["y"] - 6, b["x"] + b["w"] + 6, b["y"] + b["h"] + 6))
            buf = io.BytesIO()
            crop.save(buf, "PNG")
            text = " ".join(read_image(buf.getvalue()).text.lower().split())
            want = " ".join(ev.text.lower().split())
            best = min(_cer(text[i:i + len(want)], want) for i in range(max(1, len(text) - len(want) + 1)))
            assert best < 0.25, (text, ev.text)
            checked += 1
    assert checked >= 3


@pytest.mark.parametrize("name", sorted(BAD_IMAGES))
def test_when_image_is_bad_then_reading_it_raises_an_error_with_its_code(name: str) -> None:
    need_tesseract()
    make, code = BAD_IMAGES[name]
    with pytest.raises(ImageError) as err:
        read_image(make())
    assert err.value.code == code


def test_when_tesseract_is_missing_then_images_fail_clearly_and_texts_still_score(
        monkeypatch: pytest.MonkeyPatch, det: Detector) -> None:
    import pytesseract

    from detector.ocr import engine

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    engine.tesseract_problem.cache_clear()
    try:
        assert "apt-get install tesseract-ocr" in (engine.tesseract_problem() or "")
        with pytest.raises(ImageError) as err:
            score_image(det, BAD_IMAGES["blank.png"][0]())
        assert err.value.code == "ocr_unavailable"
        assert det.score("Gaji 15jt kerja di Kamboja, tiket ditanggung, japri").risk_level == "tinggi"
    finally:
        monkeypatch.undo()
        engine.tesseract_problem.cache_clear()


def test_when_tesseract_runs_past_its_time_limit_then_it_is_killed_and_the_error_is_ocr_failed(
        poster_set: tuple[Path, list[dict[str, Any]]]) -> None:
    need_tesseract()
    from PIL import Image

    from detector.ocr.engine import read_words

    folder, rows = poster_set
    with pytest.raises(ImageError) as err:
        read_words(Image.open(folder / rows[0]["file"]).convert("L"), timeout_s=0.01)
    assert err.value.code == "ocr_failed" and "within 0.01 s" in str(err.value)
