"""The command line as a user runs it: clear errors, JSON records, scan accounting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from detector.cli import main

CARD = "Dibutuhkan admin CS, gaji 15jt, tanpa pengalaman, kerja di 🇰🇭, tiket & visa ditanggung, info japri"


def test_score_prints_the_contract_record() -> None:
    res = CliRunner().invoke(main, ["score", CARD])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert rec["risk_level"] == "tinggi" and "overseas" in rec["flags"]
    assert all(CARD[e["start"]:e["end"]] == e["text"] for e in rec["evidence"])


def test_score_reads_stdin_with_dash() -> None:
    res = CliRunner().invoke(main, ["score", "-", "--compact"], input=CARD)
    assert res.exit_code == 0
    assert json.loads(res.output)["label"] == "high"


def test_score_of_empty_text_is_a_clear_error_not_a_traceback() -> None:
    res = CliRunner().invoke(main, ["score", "  "])
    assert res.exit_code == 1
    assert "text is empty" in res.output and "Traceback" not in res.output


def test_explain_highlights_evidence() -> None:
    res = CliRunner().invoke(main, ["explain", CARD, "--lang", "en"], color=True)
    assert res.exit_code == 0
    assert "TINGGI" in res.output and "\x1b[" in res.output and "overseas" in res.output


@pytest.mark.parametrize(
    ("post", "line"),
    [
        ("gaji 15jt", "«15jt» → IDR 15.000.000 per month"),
        ("gaji 8-12jt", "«8-12jt» → IDR 8.000.000–12.000.000 per month"),
        ("gaji 1.200 USD", "«1.200 USD» → USD 1.200 per month ≈ Rp "),
        ("gaji RM 3.500", "«RM 3.500» → MYR 3.500 per month ≈ Rp "),
        ("RM 3.500", "«RM 3.500» → MYR 3.500 ≈ Rp "),
        ("35rb/hari", "«35rb/hari» → IDR 35.000 per day ≈ Rp "),
    ],
)
def test_explain_shows_salaries_in_rupiah_per_month(post: str, line: str) -> None:
    res = CliRunner().invoke(main, ["explain", post])
    assert res.exit_code == 0 and line in res.output and "e+" not in res.output


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["score", CARD, "--model", str(tmp_path)])
    assert res.exit_code == 1 and "no model manifest" in res.output


def test_scan_accounts_for_every_row(tmp_path: Path) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_text("\n".join([
        json.dumps({"id": "a", "text": CARD}),
        "{not json",
        json.dumps({"id": "c", "text": ""}),
        json.dumps({"id": "d", "text": 42}),
        json.dumps({"id": "e", "isi": "no text field"}),
        json.dumps({"id": "f", "text": "Lowongan kasir toko, gaji UMR, lamaran langsung ke toko"}),
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    # 4 of 6 rows rejected on purpose: above the default --max-reject-rate, which would fail the run
    res = CliRunner().invoke(main, ["scan", str(inp), "--out", str(out), "--max-reject-rate", "1"])
    assert res.exit_code == 0, res.output
    scored = [json.loads(x) for x in out.read_text().splitlines()]
    rejects = [json.loads(x) for x in Path(f"{out}.rejects.jsonl").read_text().splitlines()]
    assert [r["id"] for r in scored] == ["a", "f"]
    assert sorted(r["row"] for r in rejects) == [2, 3, 4, 5]
    assert len(scored) + len(rejects) == 6
    for r in scored:
        assert {"id", "risk_score", "risk_level", "label", "flags", "evidence"} <= set(r)


def test_scan_of_missing_file_fails_without_output(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(main, ["scan", str(tmp_path / "nope.jsonl"), "--out", str(out)])
    assert res.exit_code != 0 and "does not exist" in res.output
    assert not out.exists()


def test_assess_reports_a_labelled_file_with_the_shipped_model(tmp_path: Path) -> None:
    rows = [{"id": "a", "text": CARD, "label": "high", "category": "scam_compound"},
            {"id": "b", "text": "Dicari kasir minimarket di Sleman, gaji UMR, kirim CV ke hrd@tokomaju.co.id",
             "label": "low", "category": "legit_domestic"}]
    f = tmp_path / "labelled.jsonl"
    f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    res = CliRunner().invoke(main, ["assess", str(f), "--json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.output)
    assert rep["n"] == 2 and rep["tinggi"]["recall"] == 1.0 and rep["tinggi"]["precision"] == 1.0
    assert rep["per_category"]["legit_domestic"]["rate_tinggi"] == 0.0
    md = CliRunner().invoke(main, ["assess", str(f)])
    assert md.exit_code == 0 and "| precision at tinggi | 1.000 |" in md.output


@pytest.mark.parametrize(("content", "message"), [
    ('{"id": 1, "text": "x"}\n', "labelled.jsonl:1: missing field(s) label"),
    ('{"id": 1, "text": "x", "label": "maybe"}\n', "label must be one of"),
    ("not json\n", "labelled.jsonl:1: invalid JSON"),
    ("[1, 2]\n", "expected a JSON object"),
    ("\n", "no labelled rows"),
])
def test_assess_of_a_bad_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "labelled.jsonl"
    f.write_text(content, encoding="utf-8")
    res = CliRunner().invoke(main, ["assess", str(f)])
    assert res.exit_code == 1
    assert message in res.output and "Traceback" not in res.output
