"""Benchmark of the detection core: bundle load time and posts/s for `score` over N posts.

    python benchmarks/bench_score.py            # 10,000 posts
    python benchmarks/bench_score.py --n 2000 --model models/ --repeat 3   # median of 3 runs per line

Posts are drawn (with replacement) from the labelled corpus in data/, so lengths are realistic.
Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def corpus_posts(data: Path, n: int, seed: int) -> list[str]:
    """``n`` posts drawn with replacement from the labelled corpus in ``data``, each with a suffix that
    defeats any per-text cache."""
    texts = []
    for name in ("seed_adverts.jsonl", "written_adverts.jsonl"):
        p = data / name
        if p.is_file():
            texts += [json.loads(line)["text"] for line in p.open(encoding="utf-8")]
    rng = random.Random(seed)
    return [rng.choice(texts) + f" #{i}" for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--model", default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1, help="time each line this many times and report the median")
    args = ap.parse_args()

    t0 = time.perf_counter()
    from detector import Detector

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    det = Detector.load(args.model, cache_size=0)  # every pass below scores the same posts: measure scoring
    t_load = time.perf_counter() - t0

    posts = corpus_posts(REPO / "data", args.n, args.seed)
    det.score(posts[0])  # warm-up (stemmer dictionary, first call)

    def timed(fn: Callable[[], object]) -> float:
        runs = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t0)
        return statistics.median(runs)

    def batches() -> Iterator[list[str]]:
        return (posts[i:i + 512] for i in range(0, len(posts), 512))

    t_single = timed(lambda: [det.score(p) for p in posts])
    t_batch = timed(lambda: [det.score_many(b) for b in batches()])
    t_json = timed(lambda: [json.dumps(r.to_dict(), ensure_ascii=False) for b in batches() for r in det.score_many(b)])
    t_rules = timed(lambda: [det.registry.analyze(p) for p in posts])
    analyses = [det.registry.analyze(p) for p in posts]
    predict = getattr(det, "_predict_proba", det.pipeline.predict_proba)  # older detectors: the pipeline
    t_model = timed(lambda: [predict(analyses[i:i + 512]) for i in range(0, len(posts), 512)])
    t_sklearn = timed(lambda: det.pipeline.predict_proba(analyses))

    print(f"model {det.version} ({det.bundle.path.name})")
    print(f"import detector:           {t_import * 1000:8.1f} ms")
    print(f"bundle load + verify:      {t_load * 1000:8.1f} ms")
    print(f"posts: {args.n}, median length {statistics.median(len(p) for p in posts):.0f} chars")
    print(f"score() one at a time:     {args.n / t_single:8.0f} posts/s  ({t_single / args.n * 1e6:.0f} µs/post)")
    print(f"score_many() batches 512:  {args.n / t_batch:8.0f} posts/s  ({t_batch / args.n * 1e6:.0f} µs/post)")
    print(f"score_many() + to_dict + JSON: {args.n / t_json:6.0f} posts/s  ({t_json / args.n * 1e6:.0f} µs/post)")
    print(f"  of which rules+parsing:  {args.n / t_rules:8.0f} posts/s  ({t_rules / args.n * 1e6:.0f} µs/post)")
    print(f"  of which model features+predict: {args.n / t_model:8.0f} posts/s  ({t_model / args.n * 1e6:.0f} µs/post)")
    print(f"  (same via pipeline.predict_proba: {args.n / t_sklearn:7.0f} posts/s  "
          f"({t_sklearn / args.n * 1e6:.0f} µs/post))")


if __name__ == "__main__":
    main()
