"""Every input row is scored or rejected with its row number and reason; unreadable input fails
clearly, before any output is written."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from detector.batch import ScanInputError, scan
from detector.cli import main
from tests.batch.conftest import BROKEN_LINES, read_jsonl


def test_rows_in_equal_scored_plus_rejected(det, broken_jsonl: Path, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "out.jsonl"
    s = scan(det, str(broken_jsonl), str(out), batch_size=3)
    scored, rejects = read_jsonl(out), read_jsonl(Path(f"{out}.rejects.jsonl"))
    rows_in = sum(1 for line, _ in BROKEN_LINES if line) + 1  # + the invalid UTF-8 line
    assert s.rows_read == rows_in == s.scored + s.rejected == len(scored) + len(rejects)
    want = {n: code for n, (line, code) in enumerate(BROKEN_LINES, 1) if line and code}
    want[len(BROKEN_LINES) + 1] = "invalid_utf8"
    assert {r["row"]: r["code"] for r in rejects} == want
    assert all(r["reason"] for r in rejects)
    assert [r["id"] for r in scored] == ["ok1", "7", "row-12"]  # ids as strings; a missing id is row-N
    assert [r["row"] for r in scored] == [1, 10, 12]
    assert dict(s.reject_reasons) == {"invalid_json": 1, "empty_text": 1, "not_string": 1, "missing_text": 2,
                                      "not_object": 1, "too_long": 1, "nul_byte": 1, "invalid_utf8": 1}
    by_id = {r["id"]: r for r in rejects}
    assert by_id["num"]["reason"] == "text must be a string, got int"


def test_parquet_and_csv_rejects(det, tmp_path: Path) -> None:  # noqa: ANN001
    df = pd.DataFrame({"id": ["a", "b", "c"], "text": ["Lowongan kasir toko, gaji UMR", None, ""]})
    df.to_parquet(tmp_path / "in.parquet")
    s = scan(det, str(tmp_path / "in.parquet"), str(tmp_path / "out.jsonl"))
    assert (s.scored, s.rejected) == (1, 2)
    assert [(r["row"], r["code"]) for r in read_jsonl(tmp_path / "out.jsonl.rejects.jsonl")] == [
        (2, "missing_text"), (3, "empty_text")]
    (tmp_path / "in.csv").write_text('id,text\na,"Lowongan kasir, gaji UMR"\nb\nc,\n', encoding="utf-8")
    s = scan(det, str(tmp_path / "in.csv"), str(tmp_path / "out2.jsonl"))
    assert (s.rows_read, s.scored, s.rejected) == (3, 1, 2)
    assert [r["code"] for r in read_jsonl(tmp_path / "out2.jsonl.rejects.jsonl")] == ["missing_text", "empty_text"]


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    (tmp / "parquet_named.jsonl").write_bytes(_parquet_bytes(tmp))
    (tmp / "plain.jsonl.gz").write_text('{"text": "x"}\n', encoding="utf-8")
    (tmp / "bin.jsonl").write_bytes(b"\x00\x01\x02binary")
    (tmp / "notparquet.parquet").write_text("hello", encoding="utf-8")
    (tmp / "nocol.csv").write_text("id,isi\n1,halo\n", encoding="utf-8")
    (tmp / "posts.txt").write_text("hello", encoding="utf-8")
    with gzip.open(tmp / "trunc.jsonl.gz", "wb") as fh:
        fh.write(b'{"text": "Lowongan kasir toko"}\n' * 5000)
    data = (tmp / "trunc.jsonl.gz").read_bytes()
    (tmp / "trunc.jsonl.gz").write_bytes(data[: len(data) // 2])
    return {
        "missing": (tmp / "nope.jsonl", "does not exist"),
        "parquet named jsonl": (tmp / "parquet_named.jsonl", "looks like Parquet"),
        "not gzip": (tmp / "plain.jsonl.gz", "not gzip-compressed"),
        "binary": (tmp / "bin.jsonl", "binary file"),
        "not parquet": (tmp / "notparquet.parquet", "not a readable Parquet file"),
        "no text column": (tmp / "nocol.csv", "no column named 'text'"),
        "unknown extension": (tmp / "posts.txt", "cannot tell the format"),
        "truncated gzip": (tmp / "trunc.jsonl.gz", "unreadable after row"),
    }


def _parquet_bytes(tmp: Path) -> bytes:
    pd.DataFrame({"text": ["x"]}).to_parquet(tmp / "tmp.parquet")
    return (tmp / "tmp.parquet").read_bytes()


@pytest.mark.parametrize("case", ["missing", "parquet named jsonl", "not gzip", "binary", "not parquet",
                                  "no text column", "unknown extension", "truncated gzip"])
def test_when_input_unreadable_then_clear_error_and_no_output(det, tmp_path: Path, case: str) -> None:  # noqa: ANN001
    path, message = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out.jsonl"
    with pytest.raises(ScanInputError, match=message):
        scan(det, str(path), str(out))
    assert not list(tmp_path.glob("out.jsonl*"))  # no partial files either (a truncated gzip left them)
    res = CliRunner().invoke(main, ["scan", str(path), "--out", str(out), "-j", "1"])
    assert res.exit_code == 1 and message in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_summary_json_and_stderr_summary(broken_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(main, ["scan", str(broken_jsonl), "--out", str(out), "-j", "1", "--max-reject-rate", "1",
                                    "--summary-json", str(tmp_path / "s.json")])
    assert res.exit_code == 0, res.output
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["rows_read"] == s["scored"] + s["rejected"] == 12 and s["rejected"] == 9
    assert "rows read 12 · scored 3 · rejected 9" in res.output and "levels:" in res.output


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_post_whose_scoring_fails_is_rejected_alone_and_the_run_goes_on(det, tmp_path: Path,  # noqa: ANN001
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          jobs: int) -> None:
    real = det.score_many

    def flaky(texts, ids=None):  # noqa: ANN001, ANN202 - a bug that only one post triggers
        if any("BOOM" in t for t in texts):
            raise RuntimeError("kaboom")
        return real(texts, ids)

    monkeypatch.setattr(det, "score_many", flaky)
    rows = [{"id": f"p{i}", "text": f"Lowongan kasir toko nomor {i}, gaji UMR"} for i in range(7)]
    rows[4]["text"] = "Lowongan BOOM"
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    s = scan(det, str(src), str(out), batch_size=3, jobs=jobs)
    assert (s.rows_read, s.scored, s.rejected) == (7, 6, 1)
    assert [r["id"] for r in read_jsonl(out)] == ["p0", "p1", "p2", "p3", "p5", "p6"]
    (rej,) = read_jsonl(Path(f"{out}.rejects.jsonl"))
    assert (rej["row"], rej["id"], rej["code"]) == (5, "p4", "scoring_error")
    assert "RuntimeError: kaboom" in rej["reason"]


def test_score_frame_rejects_a_post_whose_scoring_fails(det, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from detector.batch import score_frame

    real = det.score_many
    monkeypatch.setattr(det, "score_many", lambda texts, ids=None: (
        (_ for _ in ()).throw(ValueError("bad")) if any("BOOM" in t for t in texts) else real(texts, ids)))
    df = pd.DataFrame({"id": ["a", "b", "c"], "text": ["Lowongan kasir toko, gaji UMR", "BOOM", "Dicari sopir, SIM A"]})
    got = score_frame(df, detector=det)
    assert got["reject_code"].tolist() == [None, "scoring_error", None]
    assert got["risk_level"].notna().tolist() == [True, False, True]
