"""``detector scan`` over poster images: a folder, and an image-path column in JSONL, CSV and Parquet.
Every row is accounted for (scored, or rejected with the image's reason)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ocr_helpers import BAD_IMAGES, need_tesseract

from detector.cli import main


def _scan(*args: str) -> tuple[int, str, dict[str, Any]]:
    res = CliRunner().invoke(main, ["scan", *args, "--summary-json", "-", "--no-progress"])
    summary = json.loads(res.stdout[res.stdout.index("{"):]) if res.exit_code == 0 else {}
    return res.exit_code, res.output, summary


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture()
def folder(tmp_path: Path, poster_set: tuple[Path, list[dict[str, Any]]]) -> Path:
    src, rows = poster_set
    d = tmp_path / "images"
    d.mkdir()
    for row in rows[:3]:
        shutil.copy(src / row["file"], d / row["file"])
    for name in ("truncated.jpg", "archive.png", "blank.png"):
        (d / name).write_bytes(BAD_IMAGES[name][0]())
    (d / "notes.txt").write_text("not an image, not picked up")
    return d


def test_when_a_folder_of_images_is_scanned_then_every_image_is_scored_or_rejected_with_its_reason(
        folder: Path, tmp_path: Path) -> None:
    need_tesseract()
    out1, out2 = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    code, output, summary = _scan(str(folder), "--out", str(out1), "--jobs", "1")
    assert code == 0, output
    assert summary["rows_read"] == 6 and summary["scored"] == 3 and summary["rejected"] == 3
    records = _lines(out1)
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    for r in records:
        assert r["image_path"].endswith(r["id"]) and r["ocr"]["text"] and len(r["boxes"]) == len(r["evidence"])
    rejects = {r["id"]: r["code"] for r in _lines(Path(f"{out1}.rejects.jsonl"))}
    assert rejects == {"truncated.jpg": "unreadable_image", "archive.png": "unreadable_image",
                       "blank.png": "no_text_found"}
    code, output, _ = _scan(str(folder), "--out", str(out2), "--jobs", "2")
    assert code == 0, output
    assert out1.read_bytes() == out2.read_bytes()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_when_a_table_has_an_image_path_column_then_its_rows_are_read_from_the_images(
        fmt: str, tmp_path: Path, poster_set: tuple[Path, list[dict[str, Any]]]) -> None:
    need_tesseract()
    import pandas as pd

    src, rows = poster_set
    shutil.copy(src / rows[0]["file"], tmp_path / "p.jpg")
    (tmp_path / "bomb.png").write_bytes(BAD_IMAGES["bomb.png"][0]())
    table = pd.DataFrame({"id": ["a", "b", "c", "d"], "image_path": ["p.jpg", "missing.jpg", None, "bomb.png"]})
    inp = tmp_path / f"posts.{fmt}"
    if fmt == "jsonl":
        inp.write_text("\n".join(json.dumps(r) for r in table.to_dict("records")) + "\n")
    elif fmt == "csv":
        table.to_csv(inp, index=False)
    else:
        table.to_parquet(inp)
    out = tmp_path / "out.jsonl"
    # 3 of the 4 rows are rejected on purpose: past the default --max-reject-rate 0.5
    code, output, summary = _scan(str(inp), "--out", str(out), "--image-field", "image_path", "--jobs", "1",
                                  "--max-reject-rate", "1")
    assert code == 0, output
    assert summary["rows_read"] == 4 and summary["scored"] == 1
    (rec,) = _lines(out)
    assert rec["id"] == "a" and rec["image_path"] == "p.jpg" and rec["ocr"]["text"]
    assert rec["repaired"] == 0 and rec["summary"]  # a batch record's contract, as for a text
    rejects = {r["id"]: r["code"] for r in _lines(Path(f"{out}.rejects.jsonl"))}
    assert rejects == {"b": "unreadable_image", "c": "missing_image_path", "d": "image_too_large"}


def test_when_an_image_row_has_an_id_with_a_lone_surrogate_then_it_is_rejected_as_invalid_id(
        tmp_path: Path, poster_set: tuple[Path, list[dict[str, Any]]]) -> None:
    need_tesseract()
    src, rows = poster_set
    shutil.copy(src / rows[0]["file"], tmp_path / "p.jpg")
    inp = tmp_path / "posts.jsonl"
    inp.write_text('{"id": "ok", "image_path": "p.jpg"}\n{"id": "bad\\ud83d", "image_path": "p.jpg"}\n'
                   '{"id": "path", "image_path": "p\\ud83d.jpg"}\n')
    out = tmp_path / "out.jsonl"
    code, output, summary = _scan(str(inp), "--out", str(out), "--image-field", "image_path", "--compact",
                                  "--max-reject-rate", "1")
    assert code == 0, output
    (rec,) = _lines(out)
    assert rec["id"] == "ok" and rec["summary"] and rec["repaired"] == 0
    rejects = {r["row"]: r for r in _lines(Path(f"{out}.rejects.jsonl"))}
    assert rejects[2]["code"] == "invalid_id" and rejects[2]["id"] == "bad\ufffd"
    assert rejects[3]["code"] == "unreadable_image" and rejects[3]["image_path"] == "p\ufffd.jpg"
    assert summary["rows_read"] == 3 and summary["rejected"] == 2


def test_when_tesseract_is_missing_then_an_image_scan_stops_with_one_line_and_no_output(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from detector.ocr import engine

    monkeypatch.setattr(engine, "tesseract_problem", lambda: "Tesseract is not installed or not on PATH")
    out = tmp_path / "out.jsonl"
    code, output, _ = _scan(str(folder), "--out", str(out))
    assert code == 1 and "cannot scan images: Tesseract is not installed" in output and "Traceback" not in output
    assert not out.exists()


def test_when_a_folder_has_no_images_then_the_scan_says_so(tmp_path: Path) -> None:
    need_tesseract()
    (tmp_path / "empty").mkdir()
    code, output, _ = _scan(str(tmp_path / "empty"), "--out", str(tmp_path / "o.jsonl"))
    assert code == 1 and "no PNG, JPEG or WebP images found" in output


def test_when_a_txt_file_lists_image_paths_then_each_listed_image_is_a_row(folder: Path, tmp_path: Path) -> None:
    need_tesseract()
    poster = sorted(folder.glob("poster-*"))[0]
    listing = tmp_path / "list.txt"
    listing.write_text(f"{poster}\nimages/gone.png\n")
    out = tmp_path / "out.jsonl"
    code, output, summary = _scan(str(listing), "--out", str(out))
    assert code == 0, output
    assert (summary["scored"], summary["rejected"]) == (1, 1)
    assert _lines(Path(f"{out}.rejects.jsonl"))[0]["code"] == "unreadable_image"


@pytest.mark.parametrize("args", [["--engine", "dask"], ["--engine", "spark"]])
def test_when_images_are_given_to_a_cluster_engine_then_the_scan_says_they_run_locally(
        folder: Path, tmp_path: Path, args: list[str]) -> None:
    res = CliRunner().invoke(main, ["scan", str(folder), "--out", str(tmp_path / "out"), *args])
    assert res.exit_code == 2 and "image scans run on the local engine" in res.output


def test_when_an_image_scan_is_interrupted_then_resume_finishes_it_without_reading_an_image_twice(
        folder: Path, tmp_path: Path) -> None:
    need_tesseract()
    from detector import Detector
    from detector.batch.formats import ScanInputError
    from detector.batch.local import scan

    class Stop(Exception):
        pass

    def stop(k: int) -> None:
        if k == 1:
            raise Stop

    det = Detector.load()
    ref, out = tmp_path / "ref.jsonl", tmp_path / "out.jsonl"
    scan(det, str(folder), str(ref))
    with pytest.raises(Stop):  # after the first chunk of 4 images was written, before its checkpoint
        scan(det, str(folder), str(out), on_chunk=stop)
    with pytest.raises(ScanInputError, match="no checkpoint"):  # nothing was checkpointed: nothing to resume
        scan(det, str(folder), str(out), resume=True)
    calls: list[int] = []
    summary = scan(det, str(folder), str(out), on_chunk=calls.append)
    assert len(calls) == 2  # started over: both chunks, once each
    with pytest.raises(Stop):
        scan(det, str(folder), str(tmp_path / "b.jsonl"), on_chunk=lambda k: k == 2 and stop(1))
    calls = []
    scan(det, str(folder), str(tmp_path / "b.jsonl"), resume=True, on_chunk=calls.append)
    assert len(calls) == 1  # the first chunk was checkpointed: only the second is read again
    for got in (out, tmp_path / "b.jsonl"):
        assert got.read_bytes() == ref.read_bytes()
        assert Path(f"{got}.rejects.jsonl").read_bytes() == Path(f"{ref}.rejects.jsonl").read_bytes()
    assert (summary.rows_read, summary.scored, summary.rejected) == (6, 3, 3)
