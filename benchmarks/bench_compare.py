"""Paired benchmark of two checkouts (code and shipped model each): is one slower than the other?

    python benchmarks/bench_compare.py --base ../old-checkout            # this checkout against it
    python benchmarks/bench_compare.py --base ../old --head ../new --n 2048 --rounds 40

On a shared or virtual machine, the speed of the same code drifts by 20 % and more from one minute to the
next, so two runs of ``bench_score.py`` one after the other compare the machine as much as the code.
Here each checkout runs in its own worker process, both score the same posts (the labelled corpus of
``--head``, with ``bench_score.py``'s suffix that defeats per-text caches), and the workers take turns
in short slices (one line of ``bench_score.py`` over the posts, in random order within each round), so
that a slow spell of the machine falls on both. Each worker first scores every post once (warm caches,
as a long scan has). Per line it prints each checkout's median µs/post and the median and quartiles of
the per-round ratio head/base. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_score import corpus_posts  # this folder is on the path when a benchmark runs as a script

REPO = Path(__file__).resolve().parent.parent
LINES = ("single", "batch", "rules", "model")


def worker(tree: str, data: str, n: int, seed: int) -> None:
    """Load ``tree``'s detector and model; answer one line name per stdin line with its seconds."""
    sys.path.insert(0, tree)
    from detector import Detector  # the checkout's own code

    det = Detector.load(None, cache_size=0)
    posts = corpus_posts(Path(data), n, seed)
    for p in posts:  # warm: every word and chunk of the posts seen once
        det.score(p)
    analyses = [det.registry.analyze(p) for p in posts]
    predict = getattr(det, "_predict_proba", det.pipeline.predict_proba)

    def run(line: str) -> None:
        if line == "single":
            for p in posts:
                det.score(p)
        elif line == "batch":
            for i in range(0, n, 512):
                det.score_many(posts[i:i + 512])
        elif line == "rules":
            for p in posts:
                det.registry.analyze(p)
        elif line == "model":
            for i in range(0, n, 512):
                predict(analyses[i:i + 512])
        else:
            raise ValueError(line)

    print(json.dumps({"ready": det.version}), flush=True)
    for cmd in sys.stdin:
        t0 = time.perf_counter()
        run(cmd.strip())
        print(json.dumps({"seconds": time.perf_counter() - t0}), flush=True)


def _ask(proc: subprocess.Popen[str], line: str) -> float:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    return float(json.loads(proc.stdout.readline())["seconds"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", help="checkout to compare against (required)")
    ap.add_argument("--head", default=str(REPO), help="checkout to measure (default: this one)")
    ap.add_argument("--n", type=int, default=2048, help="posts per slice")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.data, args.n, args.seed)
        return
    if not args.base:
        ap.error("--base is required")

    trees = {"base": str(Path(args.base).resolve()), "head": str(Path(args.head).resolve())}
    data = str(Path(trees["head"]) / "data")
    procs: dict[str, subprocess.Popen[str]] = {}
    for name, tree in trees.items():
        procs[name] = subprocess.Popen(
            [sys.executable, __file__, "--worker", tree, "--data", data, "--n", str(args.n), "--seed", str(args.seed)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tree)
    versions: dict[str, Any] = {}
    for name, proc in procs.items():  # loading and warming run side by side; timing never does
        assert proc.stdout is not None
        versions[name] = json.loads(proc.stdout.readline())["ready"]
    rng = random.Random(args.seed)
    times: dict[str, dict[str, list[float]]] = {line: {"base": [], "head": []} for line in LINES}
    for _ in range(args.rounds):
        for line in LINES:
            order = ["base", "head"]
            rng.shuffle(order)
            for name in order:
                times[line][name].append(_ask(procs[name], line) / args.n * 1e6)
    for proc in procs.values():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()

    print(f"base {trees['base']} (model {versions['base']})")
    print(f"head {trees['head']} (model {versions['head']})")
    print(f"{args.rounds} rounds of {args.n} posts per line; µs/post (median); head/base per round: median [quartiles]")
    for line in LINES:
        b, h = times[line]["base"], times[line]["head"]
        ratios = sorted(x / y for x, y in zip(h, b, strict=True))
        q1, med, q3 = statistics.quantiles(ratios, n=4)
        print(f"  {line:7s} base {statistics.median(b):7.0f}  head {statistics.median(h):7.0f}   "
              f"head/base {med:.3f} [{q1:.3f}, {q3:.3f}]")


if __name__ == "__main__":
    main()
