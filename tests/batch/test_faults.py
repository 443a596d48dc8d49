"""A local scan under hostile input and interruptions: every byte sequence becomes a record or a
reject, a stray CSV quote is one reject that names its lines, a resume refuses partial files that are
not the ones its checkpoint saw, and records stay bounded whatever the post."""

from __future__ import annotations

import gzip
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from detector.batch import ScanInputError, scan, score_frame
from detector.batch.dupes import IdCounter, id_hashes
from detector.batch.summary import ScanSummary
from detector.cli import main
from detector.result import MAX_EVIDENCE_PER_FLAG, MAX_EVIDENCE_PER_POST
from tests.batch.conftest import CARD, corpus, read_jsonl, write_jsonl


class Interrupt(Exception):
    pass


def _stop_after(k: int):  # noqa: ANN202
    def hook(chunk: int) -> None:
        if chunk == k:
            raise Interrupt
    return hook


# -- lone surrogates -----------------------------------------------------------------------------

#: JSONL lines with lone surrogates (a JavaScript-truncated emoji) and what becomes of each row.
SURROGATE_LINES: list[tuple[bytes, str]] = [
    (b'{"id":"ok","text":"Lowongan kasir toko, gaji UMR"}', "scored"),
    (b'{"id":"x\\ud83c","text":"gaji 15jt"}', "invalid_id"),
    (('{"id":"t1","text":"' + CARD + ' \\ud83c"}').encode(), "repaired"),
    (b'{"id":"t2","text":"\\udc00 kerja di \\ud83c\\udde8 Kamboja gaji 15jt \\ud83c"}', "repaired"),
    (b'{"id":"x\\udfff","text":"gaji \\ud83c"}', "invalid_id"),
    (b'{"id":"raw","text":"gaji ' + b"\xed\xa0\xbc" + b'"}', "invalid_utf8"),  # a surrogate as UTF-8
]


def _surrogate_input(tmp: Path, copies: int = 8) -> Path:
    p = tmp / "surrogates.jsonl"
    p.write_bytes(b"".join(line + b"\n" for _ in range(copies) for line, _ in SURROGATE_LINES))
    return p


def _check_surrogate_scan(out: Path, rejects: list[dict], copies: int) -> None:
    recs = read_jsonl(out)
    want = [what for _ in range(copies) for _, what in SURROGATE_LINES]
    assert len(recs) + len(rejects) == len(want)
    assert [r["code"] for r in rejects] == [w for w in want if w in ("invalid_id", "invalid_utf8")]
    assert [r["repaired"] > 0 for r in recs] == [w == "repaired" for w in want if w in ("scored", "repaired")]
    by_id = {r["id"]: r for r in recs}
    assert by_id["ok"]["repaired"] == 0
    assert (by_id["t1"]["repaired"], by_id["t2"]["repaired"]) == (1, 2)  # t2's valid pair is kept
    assert {r["id"] for r in rejects if r["code"] == "invalid_id"} == {"x\ufffd"}  # shown repaired, to find it


@pytest.mark.parametrize("jobs", [1, 2])
def test_lone_surrogates_are_repaired_in_text_and_rejected_in_ids(det, tmp_path: Path, jobs: int) -> None:  # noqa: ANN001
    inp = _surrogate_input(tmp_path)
    out = tmp_path / "out.jsonl"
    # small chunks: the repaired high-risk post enters the summary's top list, which every checkpoint saves
    with pytest.raises(Interrupt):
        scan(det, str(inp), str(out), batch_size=4, jobs=jobs, on_chunk=_stop_after(5))
    s = scan(det, str(inp), str(out), batch_size=4, jobs=jobs, resume=True)
    _check_surrogate_scan(out, read_jsonl(Path(f"{out}.rejects.jsonl")), 8)
    assert (s.rows_read, s.reject_reasons["invalid_id"], s.notes["text_repaired"]) == (48, 16, 16)
    assert any("\ufffd" in e["text"] for e in s.highest())  # 16 of the 24 scored are repaired: some are in it


def test_cli_scan_of_the_reported_surrogate_row_rejects_it_with_a_reason(tmp_path: Path) -> None:
    inp = tmp_path / "s.jsonl"
    inp.write_bytes(b'{"id":"x\\ud83c","text":"gaji 15jt"}\n{"id":"y","text":"gaji 15jt \\ud83c"}\n')
    res = CliRunner().invoke(main, ["scan", str(inp), "--out", str(tmp_path / "o.csv"), "-j", "1"])
    assert res.exit_code == 0, res.output
    assert "rejected: invalid_id 1" in res.output and "Traceback" not in res.output
    (rec,) = pd.read_csv(tmp_path / "o.csv").to_dict("records")
    assert (rec["id"], rec["repaired"]) == ("y", 1)


@pytest.mark.parametrize("jobs", [1, 2])
def test_csv_bytes_that_are_not_utf8_are_repaired_in_text_and_rejected_in_ids(det, tmp_path: Path,  # noqa: ANN001
                                                                             jobs: int) -> None:
    inp = tmp_path / "in.csv"
    inp.write_bytes(b"id,text\na\xffb,gaji 15jt kerja \xe2\x82\nok,kasir gaji UMR\nc,kasir \xc3 gaji \xff\xfe\n")
    out = tmp_path / "o.jsonl"
    s = scan(det, str(inp), str(out), jobs=jobs)
    assert [(r["row"], r["code"]) for r in read_jsonl(Path(f"{out}.rejects.jsonl"))] == [(1, "invalid_id")]
    assert [(r["id"], r["repaired"]) for r in read_jsonl(out)] == [("ok", 0), ("c", 3)]
    assert s.notes["text_repaired"] == 1


def test_score_frame_repairs_text_and_rejects_ids_with_lone_surrogates(det) -> None:  # noqa: ANN001
    df = pd.DataFrame({"id": ["a", "b\ud83c"], "text": ["gaji 15jt \ud83c", "gaji 15jt"]})
    got = score_frame(df, detector=det)
    assert got["reject_code"].tolist() == [None, "invalid_id"]
    assert got["repaired"].tolist()[0] == 1 and got["id"].tolist() == ["a", "b\ufffd"]


# -- CSV -----------------------------------------------------------------------------------------

def _csv_rows(n: int) -> list[str]:
    return [f"p{i},Lowongan kasir toko nomor {i} gaji UMR" for i in range(n)]


#: CSV bodies (after the header) with a stray quote: (rows, rows read, malformed row, its lines).
STRAY_QUOTES = {
    "quote swallowing to the end": (["p0,ok gaji UMR", 'p1,"stray quote, gaji 15jt', *_csv_rows(2000)],
                                    2, 2, "lines 3–2003"),
    "quote closed by a later field": (["p0,ok gaji UMR", 'p1,"stray, gaji', "p2,sopir", 'p3,"kasir" toko',
                                       "p4,satpam gaji UMR"], 3, 2, "lines 3–5"),
    "text after a closing quote": (['p0,"kasir" toko gaji UMR', "p1,sopir gaji UMR"], 2, 1, "line 2"),
}


@pytest.mark.parametrize("case", list(STRAY_QUOTES))
def test_a_stray_csv_quote_is_one_malformed_csv_reject_naming_its_lines(det, tmp_path: Path, case: str) -> None:  # noqa: ANN001
    body, rows_read, bad_row, lines = STRAY_QUOTES[case]
    inp = tmp_path / "in.csv"
    inp.write_text("id,text\n" + "\n".join(body) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    s = scan(det, str(inp), str(out))
    rejects = read_jsonl(Path(f"{out}.rejects.jsonl"))
    assert (s.rows_read, s.rejected) == (rows_read, 1)
    assert (rejects[0]["row"], rejects[0]["code"]) == (bad_row, "malformed_csv")
    assert lines in rejects[0]["reason"]
    assert len(read_jsonl(out)) == rows_read - 1


@pytest.fixture()
def small_csv_field_limit() -> Iterator[int]:
    """The reader's limit is 2**20 characters; the same logic on a smaller file (process-wide: restored)."""
    import csv

    old = csv.field_size_limit(2_000)
    yield 2_000
    csv.field_size_limit(old)


def test_a_stray_quote_in_a_big_csv_costs_at_most_one_field_limit_of_rows(det, tmp_path: Path,  # noqa: ANN001
                                                                          small_csv_field_limit: int) -> None:
    body = ["p0,ok gaji UMR", 'p1,"stray quote, gaji 15jt', *_csv_rows(300)]
    inp = tmp_path / "in.csv"
    inp.write_text("id,text\n" + "\n".join(body) + "\n", encoding="utf-8")
    assert len(inp.read_text(encoding="utf-8")) > 4 * small_csv_field_limit
    s = scan(det, str(inp), str(tmp_path / "o.jsonl"))
    (reject,) = read_jsonl(tmp_path / "o.jsonl.rejects.jsonl")
    assert reject["code"] == "malformed_csv" and "field larger than field limit" in reject["reason"]
    ids = [r["id"] for r in read_jsonl(tmp_path / "o.jsonl")]
    assert s.rows_read == s.scored + 1 and ids[0] == "p0" and ids[-1] == "p299"
    assert 250 < len(ids) < 300  # the rows after the swallowed lines are scored again


def test_csv_rows_with_extra_fields_are_scored_and_noted(det, tmp_path: Path) -> None:  # noqa: ANN001
    inp = tmp_path / "in.csv"
    inp.write_text("id,text\na,kasir gaji UMR\nb,sopir gaji UMR,extra,more\nc,satpam,x\n", encoding="utf-8")
    s = scan(det, str(inp), str(tmp_path / "o.jsonl"))
    assert (s.scored, s.notes["csv_extra_fields"]) == (3, 2)
    assert any("more fields than the header" in line for line in s.lines())


# -- reject rate, id field, resume without checkpoint ----------------------------------------------

@pytest.mark.parametrize(("args", "exit_code"), [
    (["--text-field", "isi"], 1),                                  # every row rejected: a wrong field
    (["--text-field", "isi", "--max-reject-rate", "1"], 0),
    ([], 0),
])
def test_when_more_rows_than_max_reject_rate_are_rejected_then_the_run_fails(tmp_path: Path, args: list[str],
                                                                             exit_code: int) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", corpus(10))
    out = tmp_path / "o.jsonl"
    res = CliRunner().invoke(main, ["scan", str(inp), "--out", str(out), "-j", "1", *args])
    assert res.exit_code == exit_code, res.output
    assert out.exists()  # the outputs are kept, to look at the rejects
    if exit_code:
        assert "10 of 10 rows (100%) were rejected, more than --max-reject-rate 0.5" in res.output


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_wrong_id_field_is_an_error_not_row_numbers(det, tmp_path: Path, fmt: str) -> None:  # noqa: ANN001
    df = pd.DataFrame(corpus(5))
    inp = tmp_path / f"in.{fmt}"
    {"jsonl": lambda: df.to_json(inp, orient="records", lines=True), "csv": lambda: df.to_csv(inp, index=False),
     "parquet": lambda: df.to_parquet(inp)}[fmt]()
    out = tmp_path / "o.jsonl"
    with pytest.raises(ScanInputError, match="'post_id'.*--id-field"):
        scan(det, str(inp), str(out), id_field="post_id")
    assert not list(tmp_path.glob("o.jsonl*"))
    scan(det, str(inp), str(out), id_field="id")
    assert [r["id"] for r in read_jsonl(out)] == [f"p{i}" for i in range(5)]


# -- durable resume -------------------------------------------------------------------------------

def _cut(path: Path, n: int) -> None:
    os.truncate(path, path.stat().st_size - n)


def _zero_tail(path: Path, n: int) -> None:
    data = bytearray(path.read_bytes())
    data[-n:] = bytes(n)
    path.write_bytes(bytes(data))


#: Damage done to a partial after its checkpoint, and what --resume says.
DAMAGE = {
    "cut short (truncate -s -5000)": (lambda p: _cut(p, 5000), "was cut short or lost"),
    "tail zeroed (a crash without fsync)": (lambda p: _zero_tail(p, 100), "changed or damaged"),
}


@pytest.mark.parametrize("ext", ["jsonl", "csv", "jsonl.gz"])
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_resume_refuses_a_partial_that_is_not_what_its_checkpoint_saw(det, tmp_path: Path, ext: str,  # noqa: ANN001
                                                                     damage: str) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", corpus(120, seed=9))
    out = tmp_path / f"out.{ext}"
    with pytest.raises(Interrupt):
        scan(det, str(inp), str(out), batch_size=20, on_chunk=_stop_after(4))
    partial = Path(f"{out}.partial")
    ckpt = json.loads(Path(f"{out}.checkpoint.json").read_text(encoding="utf-8"))
    os.truncate(partial, ckpt["sink"]["bytes"])  # what was written after the checkpoint is not the point here
    do, message = DAMAGE[damage]
    do(partial)
    with pytest.raises(ScanInputError, match=message):
        scan(det, str(inp), str(out), batch_size=20, resume=True)
    res = CliRunner().invoke(main, ["scan", str(inp), "--out", str(out), "-j", "1", "--chunk-size", "20", "--resume"])
    assert res.exit_code == 1 and message in res.output and len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_resume_refuses_a_missing_parquet_part(det, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setattr("detector.batch.sinks.PARQUET_ROWS_PER_PART", 20)
    inp = write_jsonl(tmp_path / "in.jsonl", corpus(100, seed=9))
    out = tmp_path / "out.parquet"
    with pytest.raises(Interrupt):
        scan(det, str(inp), str(out), batch_size=20, on_chunk=_stop_after(3))
    (Path(f"{out}.partial") / "part-00001.parquet").unlink()
    with pytest.raises(ScanInputError, match="part-00001.parquet is missing"):
        scan(det, str(inp), str(out), batch_size=20, resume=True)


def test_gzip_partial_is_compressed_and_output_has_the_usual_mode(det, tmp_path: Path) -> None:  # noqa: ANN001
    inp = write_jsonl(tmp_path / "in.jsonl", corpus(200, seed=2))
    with pytest.raises(Interrupt):
        scan(det, str(inp), str(tmp_path / "o.jsonl.gz"), batch_size=50, on_chunk=_stop_after(2))
    partial = tmp_path / "o.jsonl.gz.partial"
    lines = gzip.decompress(partial.read_bytes()).splitlines()
    assert len(lines) == 100 and partial.stat().st_size < sum(map(len, lines)) / 3
    scan(det, str(inp), str(tmp_path / "o.jsonl.gz"), batch_size=50, resume=True)
    scan(det, str(inp), str(tmp_path / "o.jsonl"), batch_size=50)
    assert gzip.decompress((tmp_path / "o.jsonl.gz").read_bytes()) == (tmp_path / "o.jsonl").read_bytes()
    modes = {stat.S_IMODE((tmp_path / n).stat().st_mode) for n in ("o.jsonl.gz", "o.jsonl", "o.jsonl.rejects.jsonl")}
    assert len(modes) == 1


# -- bounded records, compact records, duplicates, counts ------------------------------------------

@pytest.mark.parametrize("ext", ["jsonl", "csv"])
def test_a_post_of_twenty_thousand_flag_emoji_gives_a_bounded_record(det, tmp_path: Path, ext: str) -> None:  # noqa: ANN001
    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": "flags", "text": "🇰🇭" * 10_000}, *corpus(3)])
    out = tmp_path / f"o.{ext}"
    assert scan(det, str(inp), str(out)).scored == 4
    if ext == "jsonl":
        rec = read_jsonl(out)[0]
        assert len(out.read_text(encoding="utf-8").splitlines()[0]) < 50_000
    else:
        rec = pd.read_csv(out).to_dict("records")[0]
        assert max(len(str(v)) for v in rec.values()) < 50_000
        rec["evidence"] = json.loads(rec["evidence"])
    per_flag: dict[str, int] = {}
    for e in rec["evidence"]:
        per_flag[e["flag"]] = per_flag.get(e["flag"], 0) + 1
    assert 0 < len(rec["evidence"]) <= MAX_EVIDENCE_PER_POST and max(per_flag.values()) <= MAX_EVIDENCE_PER_FLAG
    assert rec["truncated"] > 0


def test_compact_records_keep_the_summary_field(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", corpus(5))
    res = CliRunner().invoke(main, ["scan", str(inp), "--out", str(tmp_path / "o.jsonl"), "-j", "1", "--compact"])
    assert res.exit_code == 0, res.output
    recs = read_jsonl(tmp_path / "o.jsonl")
    assert all(r["summary"] for r in recs) and all("reason_en" not in e for r in recs for e in r["evidence"])


@pytest.mark.parametrize("jobs", [1, 2])
def test_duplicate_ids_are_scored_and_counted_across_a_resume(det, tmp_path: Path, jobs: int) -> None:  # noqa: ANN001
    rows = corpus(60, seed=4)
    for i in (10, 30, 31, 59):
        rows[i]["id"] = "p0"
    rows[45]["id"] = "p20"
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "o.jsonl"
    with pytest.raises(Interrupt):
        scan(det, str(inp), str(out), batch_size=10, jobs=jobs, on_chunk=_stop_after(4))
    s = scan(det, str(inp), str(out), batch_size=10, jobs=jobs, resume=True)
    assert (s.scored, s.duplicate_ids) == (60, 5) and s.to_dict()["duplicate_ids"] == 5
    assert any(line.startswith("duplicate ids: 5") for line in s.lines())


def test_id_counter_counts_what_a_set_counts(det) -> None:  # noqa: ANN001
    import random

    rng = random.Random(5)
    ids = [f"id{rng.randrange(3000)}" for _ in range(5000)]
    counter, seen, dups = IdCounter(), set(), 0
    for i in range(0, len(ids), 97):
        block = ids[i:i + 97]
        counter.add(id_hashes(block))
        for x in block:
            dups += x in seen
            seen.add(x)
    assert counter.duplicates == dups == len(ids) - len(seen)


def test_summary_counts_every_categorical_field_a_record_has() -> None:
    s = ScanSummary()
    for kind in ("offer", "offer", "question", None):
        rec = {"id": "a", "row": 1, "risk_score": 0.1, "risk_level": "rendah", "label": "low", "flags": [],
               "evidence": [], **({"kind": kind} if kind else {})}
        s.add_record(rec)
    counts = ScanSummary.from_state(json.loads(json.dumps(s.state()))).to_dict()["counts"]
    assert counts == {"label": {"low": 4}, "kind": {"offer": 2, "question": 1}}


def test_a_full_disk_is_a_one_line_error_and_the_run_resumes_once_space_is_freed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from detector.batch.sinks import _FileSink

    rows = corpus(100, seed=8)
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "o.jsonl"
    real, writes = _FileSink._append, []

    def disk_fills_up(self: _FileSink, data: bytes) -> None:
        if data:
            writes.append(len(data))
            if len(writes) == 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.partial)
        real(self, data)

    monkeypatch.setattr(_FileSink, "_append", disk_fills_up)
    cmd = ["scan", str(inp), "--out", str(out), "-j", "1", "--chunk-size", "20"]
    res = CliRunner().invoke(main, cmd)
    assert res.exit_code == 1 and "No space left on device" in res.output
    assert len(res.output.strip().splitlines()) == 1 and not out.exists()
    monkeypatch.undo()
    res = CliRunner().invoke(main, [*cmd, "--resume"])
    assert res.exit_code == 0, res.output
    assert [r["id"] for r in read_jsonl(out)] == [r["id"] for r in rows]
