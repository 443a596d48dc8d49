"""``--resume`` after an interruption: no row scored twice, none lost, and the final output is the
same as an uninterrupted run's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from detector.batch import ScanInputError, scan
from tests.batch.conftest import BROKEN_LINES, REPO, corpus, write_jsonl


class Interrupt(Exception):
    pass


def _stop_after(k: int):  # noqa: ANN202
    def hook(chunk: int) -> None:
        if chunk == k:
            raise Interrupt
    return hook


@pytest.fixture()
def inp(tmp_path: Path) -> Path:
    p = write_jsonl(tmp_path / "in.jsonl", corpus(200, seed=7))
    with p.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(line for line, _ in BROKEN_LINES if line) + "\n")
    return p


@pytest.mark.parametrize("ext", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_interrupted_then_resumed_equals_uninterrupted(det, inp: Path, tmp_path: Path, ext: str,  # noqa: ANN001
                                                       jobs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("detector.batch.sinks.PARQUET_ROWS_PER_PART", 40)  # a durable Parquet part every 2 chunks
    ref = tmp_path / f"ref.{ext}"
    ref_summary = scan(det, str(inp), str(ref), batch_size=20)
    out = tmp_path / f"out.{ext}"
    # Interrupted after the 4th chunk was written but before it was checkpointed.
    with pytest.raises(Interrupt):
        scan(det, str(inp), str(out), batch_size=20, jobs=jobs, on_chunk=_stop_after(4))
    assert not out.exists() and Path(f"{out}.checkpoint.json").exists()
    ckpt = json.loads(Path(f"{out}.checkpoint.json").read_text())
    assert ckpt["rows_done"] == (40 if ext == "parquet" else 60)
    calls: list[int] = []
    s = scan(det, str(inp), str(out), batch_size=20, jobs=jobs, resume=True, on_chunk=calls.append)
    done = 40 if ext == "parquet" else 60
    assert len(calls) == len(range(done, 211, 20))  # only the rows not done before were read and scored
    if ext == "parquet":
        assert pd.read_parquet(out).equals(pd.read_parquet(ref))
    else:
        assert out.read_bytes() == ref.read_bytes()
    assert Path(f"{out}.rejects.jsonl").read_bytes() == Path(f"{ref}.rejects.jsonl").read_bytes()
    assert (s.rows_read, s.scored, s.rejected, s.levels, s.flags) == (
        ref_summary.rows_read, ref_summary.scored, ref_summary.rejected, ref_summary.levels, ref_summary.flags)
    assert not Path(f"{out}.checkpoint.json").exists() and not Path(f"{out}.partial").exists()


def test_resume_refuses_a_checkpoint_of_another_run(det, inp: Path, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "out.jsonl"
    with pytest.raises(Interrupt):
        scan(det, str(inp), str(out), batch_size=20, on_chunk=_stop_after(2))
    with pytest.raises(ScanInputError, match="different run.*text_field"):
        scan(det, str(inp), str(out), batch_size=20, text_field="isi", resume=True)


def test_resume_without_checkpoint_is_refused_and_overwrites_nothing(det, inp: Path,  # noqa: ANN001
                                                                     tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("a finished run's output\n", encoding="utf-8")
    with pytest.raises(ScanInputError, match="no checkpoint .* run without --resume"):
        scan(det, str(inp), str(out), resume=True)
    assert out.read_text(encoding="utf-8") == "a finished run's output\n"


def test_killed_cli_run_resumes_exactly(tmp_path: Path) -> None:
    """SIGKILL a real `detector scan` mid-run, then --resume: ids are exactly the input's, once each."""
    rows = corpus(3000, seed=11)
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "detector.cli", "scan", str(inp), "--out", str(out), "-j", "1",
           "--chunk-size", "50", "-q"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ckpt = Path(f"{out}.checkpoint.json")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if ckpt.exists() and json.loads(ckpt.read_text() or "{}").get("rows_done", 0) >= 300:
            break
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail(f"scan ended before it could be killed: {proc.stderr.read().decode()}")  # type: ignore[union-attr]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not out.exists()
    res = subprocess.run(cmd + ["--resume"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == [r["id"] for r in rows]
