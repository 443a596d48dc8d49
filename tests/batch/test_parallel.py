"""``--jobs N`` writes the same bytes, in the same order, as ``--jobs 1``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from detector.batch import scan
from detector.cli import main
from tests.batch.conftest import BROKEN_LINES, REPO, corpus, write_jsonl


def test_jobs_2_output_bytes_equal_jobs_1(det, tmp_path: Path) -> None:  # noqa: ANN001
    rows = corpus(300, seed=3)
    lines = [line for line, _ in BROKEN_LINES if line]
    inp = tmp_path / "in.jsonl"
    write_jsonl(inp, rows)
    with inp.open("a", encoding="utf-8") as fh:  # rejects in the middle of chunks too
        fh.write("\n".join(lines) + "\n")
    write_jsonl(tmp_path / "more.jsonl", corpus(100, seed=4))
    inp.write_bytes(inp.read_bytes() + (tmp_path / "more.jsonl").read_bytes())
    outs = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}.jsonl"
        s = scan(det, str(inp), str(out), jobs=jobs, batch_size=37)
        assert s.rows_read == 300 + len(lines) + 100 == s.scored + s.rejected
        outs[jobs] = (out.read_bytes(), Path(f"{out}.rejects.jsonl").read_bytes(), s.to_dict())
    assert outs[1][0] == outs[2][0] and outs[1][1] == outs[2][1]
    assert {k: v for k, v in outs[1][2].items() if k not in ("seconds", "rows_per_second")} == {
        k: v for k, v in outs[2][2].items() if k not in ("seconds", "rows_per_second")}


def test_cli_jobs_2_csv_equals_jobs_1(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", corpus(120, seed=5))
    for jobs in ("1", "2"):
        res = CliRunner().invoke(main, ["scan", str(inp), "--out", str(tmp_path / f"o{jobs}.csv"), "--jobs", jobs,
                                        "--chunk-size", "25", "-q"])
        assert res.exit_code == 0, res.output
    assert (tmp_path / "o1.csv").read_bytes() == (tmp_path / "o2.csv").read_bytes()


def test_reposts_cost_one_scoring_and_change_no_byte(det, tmp_path: Path) -> None:  # noqa: ANN001
    """Scraped data repeats adverts verbatim (one recruiter, many groups): the detector's cache scores
    each text once, and the output is the bytes an uncached scan writes, ids and rows included."""
    from detector import Detector

    base = corpus(40, seed=6)
    rows = [{"id": f"p{i}", "text": base[i % 40]["text"]} for i in range(200)]  # each text 5 times
    inp = write_jsonl(tmp_path / "reposts.jsonl", rows)
    cached, uncached = Detector(det.bundle), Detector(det.bundle, cache_size=0)
    outs, counts = [], []
    for d, jobs in ((uncached, 1), (cached, 1), (cached, 2)):
        out = tmp_path / f"o-{len(outs)}.jsonl"
        assert scan(d, str(inp), str(out), jobs=jobs, batch_size=16).scored == 200
        outs.append(out.read_bytes())
        counts.append((d.cache_misses, d.cache_hits))
    assert outs[0] == outs[1] == outs[2]
    distinct = len({r["text"] for r in rows})
    assert counts[1] == (distinct, 200 - distinct)  # jobs 1, cached: each distinct text scored once
    assert counts[0][0] > distinct  # uncached: a text is scored again in every chunk it recurs in


_KILLED_MID_WRITE = """
import sys, time
import detector.batch.pool as pool

def slow_big(task, detector=None):
    if task[0][0][0] == 0:
        return [{"i": 0}]
    time.sleep(0.3)
    return [{"blob": "x" * 120_000_000}]  # takes the worker a while to write into the result pipe

pool.score_task = slow_big  # the forked workers inherit it
try:
    with pool.ChunkScorer(detector=None, jobs=2) as cs:
        for _ in cs.imap([0, 1, 2, 3], lambda i: ([(i, None, "t")], False)):
            time.sleep(float(sys.argv[1]))
            raise KeyboardInterrupt
except KeyboardInterrupt:
    print("exited")
"""


@pytest.mark.parametrize("delay", [0.65, 0.8, 1.0])
def test_an_interrupt_while_a_worker_writes_its_result_does_not_hang(delay: float) -> None:
    """Killing the workers on an interrupt may cut a result message in half; the pool's shutdown once
    waited for the rest of it for ever (seen as a hung test run). Delays chosen where it hung."""
    proc = subprocess.run([sys.executable, "-c", _KILLED_MID_WRITE, str(delay)], capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert proc.returncode == 0 and proc.stdout.strip() == "exited", proc.stderr[-2000:]
