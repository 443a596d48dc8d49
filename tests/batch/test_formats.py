"""Every input format (JSONL, CSV, TSV, Parquet, gzip, stdin) and output format (JSONL, CSV, TSV,
Parquet, gzip) gives the same records."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from detector.batch import scan
from detector.cli import main
from tests.batch.conftest import corpus, read_jsonl, write_jsonl

ROWS = corpus(40)


def _write_input(tmp: Path, kind: str) -> Path:
    df = pd.DataFrame({"post_id": [r["id"] for r in ROWS], "isi": [r["text"] for r in ROWS]})
    if kind == "jsonl":
        return write_jsonl(tmp / "in.jsonl", [{"post_id": r["id"], "isi": r["text"]} for r in ROWS])
    if kind == "jsonl.gz":
        src = _write_input(tmp, "jsonl")
        with open(src, "rb") as fi, gzip.open(tmp / "in.jsonl.gz", "wb") as fo:
            shutil.copyfileobj(fi, fo)
        return tmp / "in.jsonl.gz"
    if kind in ("csv", "tsv"):
        p = tmp / f"in.{kind}"
        df.to_csv(p, index=False, sep="," if kind == "csv" else "\t")
        return p
    if kind == "csv.gz":
        df.to_csv(tmp / "in.csv.gz", index=False, compression="gzip")
        return tmp / "in.csv.gz"
    p = tmp / "in.parquet"
    df.to_parquet(p, row_group_size=16)
    return p


@pytest.fixture(scope="module")
def reference(det, tmp_path_factory) -> list[dict]:  # noqa: ANN001
    tmp = tmp_path_factory.mktemp("ref")
    scan(det, str(_write_input(tmp, "jsonl")), str(tmp / "ref.jsonl"), text_field="isi", id_field="post_id")
    return read_jsonl(tmp / "ref.jsonl")


@pytest.mark.parametrize("kind", ["jsonl", "jsonl.gz", "csv", "csv.gz", "tsv", "parquet"])
def test_when_any_input_format_then_same_records(det, tmp_path: Path, kind: str, reference) -> None:  # noqa: ANN001
    out = tmp_path / "out.jsonl"
    summary = scan(det, str(_write_input(tmp_path, kind)), str(out), text_field="isi", id_field="post_id",
                   batch_size=16)
    assert summary.rows_read == summary.scored == len(ROWS)
    assert read_jsonl(out) == reference


def test_when_stdin_then_jsonl_or_declared_csv(tmp_path: Path, reference) -> None:  # noqa: ANN001
    data = _write_input(tmp_path, "jsonl").read_text(encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(main, ["scan", "-", "--out", str(out), "--text-field", "isi", "--id-field", "post_id",
                                    "-j", "1", "-q"], input=data)
    assert res.exit_code == 0, res.output
    assert read_jsonl(out) == reference
    csv_text = _write_input(tmp_path, "csv").read_text(encoding="utf-8")
    res = CliRunner().invoke(main, ["scan", "-", "--input-format", "csv", "--out", str(out), "--text-field", "isi",
                                    "--id-field", "post_id", "-j", "1", "-q"], input=csv_text)
    assert res.exit_code == 0, res.output
    assert read_jsonl(out) == reference


def test_csv_output_json_encodes_nested_fields(det, tmp_path: Path, reference) -> None:  # noqa: ANN001
    out = tmp_path / "out.csv"
    scan(det, str(_write_input(tmp_path, "jsonl")), str(out), text_field="isi", id_field="post_id")
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert [r["id"] for r in rows] == [r["id"] for r in reference]
    for got, want in zip(rows, reference, strict=True):
        assert json.loads(got["flags"]) == want["flags"]
        assert json.loads(got["evidence"]) == want["evidence"]
        assert float(got["risk_score"]) == want["risk_score"] and got["risk_level"] == want["risk_level"]
        assert int(got["row"]) == want["row"]


def test_tsv_and_gzip_outputs(det, tmp_path: Path, reference) -> None:  # noqa: ANN001
    inp = str(_write_input(tmp_path, "jsonl"))
    scan(det, inp, str(tmp_path / "out.jsonl.gz"), text_field="isi", id_field="post_id")
    with gzip.open(tmp_path / "out.jsonl.gz", "rt", encoding="utf-8") as fh:
        assert [json.loads(x) for x in fh] == reference
    scan(det, inp, str(tmp_path / "out.tsv"), text_field="isi", id_field="post_id")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.tsv").read_text(encoding="utf-8")), delimiter="\t"))
    assert [r["id"] for r in rows] == [r["id"] for r in reference]


def test_parquet_output_has_typed_columns_and_json_nested(det, tmp_path: Path, reference) -> None:  # noqa: ANN001
    out = tmp_path / "out.parquet"
    scan(det, str(_write_input(tmp_path, "jsonl")), str(out), text_field="isi", id_field="post_id")
    df = pd.read_parquet(out)
    assert list(df["id"]) == [r["id"] for r in reference]
    assert df["risk_score"].dtype == "float64" and df["row"].dtype == "int64"
    assert [json.loads(x) for x in df["flags"]] == [r["flags"] for r in reference]
    assert [json.loads(x) for x in df["evidence"]] == [r["evidence"] for r in reference]
    assert not list(tmp_path.glob("*.partial*")) and not list(tmp_path.glob("*.checkpoint.json"))


def test_when_nothing_scoreable_then_outputs_still_exist(det, tmp_path: Path) -> None:  # noqa: ANN001
    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": ""}])
    for ext in ("jsonl", "csv", "parquet"):
        s = scan(det, str(inp), str(tmp_path / f"out.{ext}"))
        assert (s.scored, s.rejected) == (0, 1) and (tmp_path / f"out.{ext}").exists()
    assert list(pd.read_parquet(tmp_path / "out.parquet").columns)[:6] == ["id", "risk_score", "risk_level", "label",
                                                                            "flags", "evidence"]
