"""``detector score --image`` and ``explain --image`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ocr_helpers import BAD_IMAGES, need_tesseract

from detector.cli import main


def _high_poster(poster_set: tuple[Path, list[dict[str, Any]]]) -> Path:
    folder, rows = poster_set
    return folder / next(r["file"] for r in rows if r["label"] == "high" and not r["photographed"])


def test_when_score_gets_an_image_then_it_prints_the_record_with_ocr_and_boxes(
        poster_set: tuple[Path, list[dict[str, Any]]]) -> None:
    need_tesseract()
    res = CliRunner().invoke(main, ["score", "--image", str(_high_poster(poster_set)), "--compact"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert {"id", "risk_score", "risk_level", "label", "flags", "evidence", "ocr", "boxes"} <= set(rec)
    assert rec["ocr"]["preprocess"] == "grey" and rec["ocr"]["text"]
    assert rec["flags"] and len(rec["boxes"]) == len(rec["evidence"])


def test_when_explain_gets_an_image_then_it_says_what_was_read_and_where_each_flag_is(
        poster_set: tuple[Path, list[dict[str, Any]]]) -> None:
    need_tesseract()
    res = CliRunner().invoke(main, ["explain", "--image", str(_high_poster(poster_set)), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "by tesseract" in res.output and "mean confidence" in res.output
    assert "⚑" in res.output and " at " in res.output


@pytest.mark.parametrize("name", sorted(BAD_IMAGES))
def test_when_the_image_is_bad_then_the_cli_says_what_is_wrong_without_a_traceback(tmp_path: Path, name: str) -> None:
    need_tesseract()
    make, code = BAD_IMAGES[name]
    path = tmp_path / name
    path.write_bytes(make())
    res = CliRunner().invoke(main, ["score", "--image", str(path)])
    assert res.exit_code == 1, res.output
    assert f"[{code}]" in res.output and name in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("args", [["score"], ["score", "text", "--image", "x.png"], ["explain"]])
def test_when_both_or_neither_text_and_image_are_given_then_it_is_a_usage_error(args: list[str]) -> None:
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2 and "either TEXT or --image" in res.output


def test_when_the_image_file_does_not_exist_then_the_error_names_it(tmp_path: Path) -> None:
    need_tesseract()
    res = CliRunner().invoke(main, ["score", "--image", str(tmp_path / "nope.jpg")])
    assert res.exit_code == 1 and "nope.jpg: no such file" in res.output
