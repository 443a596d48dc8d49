"""Benchmark of ``detector scan`` end to end: posts/s and peak memory (RSS of the command and all
its child processes, sampled every 0.1 s; PSS too, which counts pages shared by forked workers once).

    python benchmarks/bench_scan.py                       # 100,000 posts; jobs 1, jobs 2, dask, spark
    python benchmarks/bench_scan.py --n 1000000 --modes jobs2
    python benchmarks/bench_scan.py --n 20000 --modes jobs1,dask --keep /tmp/bench

Posts are drawn from data/seed_adverts.jsonl and data/written_adverts.jsonl and perturbed (a
sentence dropped or repeated, numbers changed, a suffix), so lengths and content are realistic and
no two posts are equal; ``--reposts 0.3`` makes that share of posts verbatim copies of one of the
previous 10,000 (recruiters spam one advert across groups), which the detector's cache scores once.
Each mode runs the real CLI in a subprocess on a JSONL input (the engines read the same file, split
into byte-range partitions) and writes JSONL. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
MODES = {
    "jobs1": ["--jobs", "1"],
    "jobs2": ["--jobs", "2"],
    "dask": ["--engine", "dask", "--jobs", "2"],
    "spark": ["--engine", "spark", "--jobs", "2"],
}


def corpus() -> list[str]:
    texts = []
    for name in ("seed_adverts.jsonl", "written_adverts.jsonl"):
        with (REPO / "data" / name).open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh]
    return texts


def perturb(text: str, rng: random.Random, i: int) -> str:
    parts = re.split(r"(?<=[.!?\n])\s+", text)
    if len(parts) > 2 and rng.random() < 0.3:
        parts.pop(rng.randrange(len(parts)))
    if rng.random() < 0.2:
        parts.append(rng.choice(parts))
    out = " ".join(parts)
    if rng.random() < 0.5:
        out = re.sub(r"\d+", lambda m: str(max(1, int(m.group()) + rng.randint(-2, 2))), out, count=1)
    return f"{out} #{i}"


REPOST_WINDOW = 10_000


def generate(path: Path, n: int, seed: int, reposts: float = 0.0) -> None:
    texts = corpus()
    rng = random.Random(seed)
    recent: list[str] = []
    tmp = path.with_name(path.name + ".partial")  # renamed when complete: an interrupted run leaves no short file
    with tmp.open("w", encoding="utf-8") as fh:
        for i in range(n):
            if reposts and recent and rng.random() < reposts:
                text = rng.choice(recent)
            else:
                text = perturb(rng.choice(texts), rng, i)
                recent.append(text)
                if len(recent) > REPOST_WINDOW:
                    recent.pop(0)
            fh.write(json.dumps({"id": f"b{i}", "text": text}, ensure_ascii=False) + "\n")
    tmp.replace(path)


class PeakMemory:
    """Peak summed RSS and PSS of a process tree, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.rss = self.pss = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = pss = 0
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                procs = []
            for p in procs:
                try:
                    info = p.memory_full_info()
                    rss += info.rss
                    pss += getattr(info, "pss", info.rss)
                except psutil.Error:
                    pass
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            self._stop.wait(0.1)

    def stop(self) -> None:
        self._stop.set()
        self._t.join()


def run_mode(mode: str, inp: Path, work: Path, n: int) -> None:
    out = work / f"out-{mode}.jsonl"
    cmd = [sys.executable, "-m", "detector.cli", "scan", str(inp), "--out", str(out), "-q",
           "--summary-json", str(work / f"summary-{mode}.json"), *MODES[mode]]
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    mem = PeakMemory(proc.pid)
    _, err = proc.communicate()
    mem.stop()
    secs = time.perf_counter() - t0
    if proc.returncode:
        print(f"{mode:6s} FAILED ({proc.returncode}): {err.decode(errors='replace').strip()[-500:]}")
        return
    summary = json.loads((work / f"summary-{mode}.json").read_text())
    cores = 1 if mode == "jobs1" else 2
    rows = summary["rows_read"]
    if rows != n:
        print(f"{mode:6s} read {rows} rows, not {n}: is {inp} complete? (delete it to regenerate)")
        n = rows
    print(f"{mode:6s} {n / secs:8.0f} posts/s end to end ({n / secs / cores:6.0f} per core; {secs:7.1f} s) "
          f"peak RSS {mem.rss / 2**20:7.0f} MB, PSS {mem.pss / 2**20:7.0f} MB; "
          f"scored {summary['scored']}, rejected {summary['rejected']}")
    out.unlink(missing_ok=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--modes", default="jobs1,jobs2,dask,spark", help=f"comma-separated, of {', '.join(MODES)}")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reposts", type=float, default=0.0, help="share of posts that repeat an earlier one verbatim")
    ap.add_argument("--keep", default=None, help="work folder to keep (default: a temporary one)")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-scan-"))
    work.mkdir(parents=True, exist_ok=True)
    inp = work / (f"posts-{args.n}.jsonl" if not args.reposts else f"posts-{args.n}-reposts-{args.reposts:g}.jsonl")
    if not inp.exists():
        generate(inp, args.n, args.seed, args.reposts)
    lengths = [len(json.loads(line)["text"]) for _, line in zip(range(2000), inp.open(encoding="utf-8"), strict=False)]
    print(f"{args.n} posts, {inp.stat().st_size / 2**20:.0f} MB, median length {sorted(lengths)[len(lengths) // 2]} "
          f"chars; {os.cpu_count()} cores" + (f"; {args.reposts:.0%} reposts" if args.reposts else ""))
    for mode in args.modes.split(","):
        run_mode(mode.strip(), inp, work, args.n)


if __name__ == "__main__":
    main()
