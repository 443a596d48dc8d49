"""Stopping a real ``detector scan --jobs 2``: SIGTERM and SIGINT end it with a message and the
shell's exit code, SIGKILL takes the workers down with it, and no worker is left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.batch.conftest import REPO, corpus, write_jsonl

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its new parent to reap it holds no memory and counts as gone)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_gone(pids: list[int], limit_s: float = 30) -> list[int]:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if _alive(p)]


def _start_and_wait_for_a_checkpoint(cmd: list[str], out: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ckpt = Path(f"{out}.checkpoint.json")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if json.loads(ckpt.read_text() or "{}").get("rows_done", 0) >= 100:
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    if proc.poll() is not None:
        pytest.fail(f"scan ended before it could be stopped: {proc.stderr.read().decode()}")  # type: ignore[union-attr]
    workers = _children(proc.pid)
    assert len(workers) == 2
    return proc, workers


@pytest.mark.parametrize(("sig", "exit_code", "message"), [
    (signal.SIGTERM, 143, "interrupted by SIGTERM after"),   # timeout, systemd, docker stop
    (signal.SIGINT, 130, "interrupted by SIGINT after"),     # Ctrl-C
    (signal.SIGKILL, -9, None),                              # nothing runs in the parent: the workers notice
])
def test_a_stopped_jobs_2_scan_leaves_no_worker_behind(tmp_path: Path, sig: signal.Signals, exit_code: int,
                                                       message: str | None) -> None:
    rows = corpus(4000, seed=12)
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "detector.cli", "scan", str(inp), "--out", str(out), "-j", "2",
           "--chunk-size", "20", "-q"]
    proc, workers = _start_and_wait_for_a_checkpoint(cmd, out)
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == exit_code, err.decode()
    if message is not None:
        assert message in err.decode() and "--resume" in err.decode() and "Traceback" not in err.decode()
    assert _wait_gone(workers) == []
    assert not out.exists()
    if sig == signal.SIGTERM:
        res = subprocess.run(cmd + ["--resume"], cwd=REPO, capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stderr
        assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == [
            r["id"] for r in rows]


def test_a_signal_during_a_critical_step_stops_the_scan_only_after_it() -> None:
    from detector.batch.signals import ScanInterrupted, critical, interrupt_on_signals

    steps: list[str] = []
    with pytest.raises(ScanInterrupted) as info, interrupt_on_signals():
        with critical():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.01)  # the handler runs here, between two bytecodes of this thread
            steps.append("renamed outputs")  # not cut in two
        steps.append("after")  # never reached: the pending signal is raised as the step ends
    assert steps == ["renamed outputs"] and info.value.exit_code == 143
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # the handlers are put back


def test_a_sigterm_during_scoring_stops_a_jobs_1_scan_and_it_resumes(det, tmp_path: Path,  # noqa: ANN001
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """With --jobs 1 the signal arrives inside the model call, whose failures the scan isolates post by
    post: the interruption must not be taken for one (the run went on, the signal lost)."""
    from detector.batch import ScanInterrupted, scan
    from tests.batch.conftest import read_jsonl

    rows = corpus(100, seed=13)
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    real, calls = det.score_many, []

    def signalled(texts, ids=None):  # noqa: ANN001, ANN202
        calls.append(len(texts))
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)  # the handler runs here
        return real(texts, ids)

    monkeypatch.setattr(det, "score_many", signalled)
    with pytest.raises(ScanInterrupted) as info:
        scan(det, str(inp), str(out), batch_size=20)
    assert info.value.rows_done == 40 and len(calls) == 3
    monkeypatch.undo()
    s = scan(det, str(inp), str(out), batch_size=20, resume=True)
    assert (s.scored, s.rejected) == (100, 0)
    assert [r["id"] for r in read_jsonl(out)] == [r["id"] for r in rows]


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        kids = _children(todo.pop())
        out += kids
        todo += kids
    return out


def _writing(side: Path) -> bool:
    """A partition is being written (an attempt's temporary part file has bytes)."""
    for p in side.glob(".part-*.partial"):
        try:
            if p.stat().st_size:
                return True
        except OSError:  # renamed meanwhile
            continue
    return False


@pytest.mark.slow
@pytest.mark.dask
def test_a_sigterm_stops_a_dask_scan_with_its_cluster_and_it_resumes(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="dask.distributed is not installed")
    rows = corpus(3000, seed=14)
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "detector.cli", "scan", str(inp), "--out", str(out), "--engine", "dask", "-j", "2",
           "--chunk-size", "20", "-q"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    side = Path(f"{out}.parts") / "_parts"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None and not _writing(side):
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail(f"scan ended before it could be stopped: {proc.stderr.read().decode()}")  # type: ignore[union-attr]
    family = _descendants(proc.pid)
    os.kill(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err.decode()
    assert err.decode().strip() == "interrupted by SIGTERM; run the same command with --resume to continue"
    assert _wait_gone(family) == []
    res = subprocess.run(cmd + ["--resume"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == [
        r["id"] for r in rows]
