"""What the fault-tolerance of ``detector scan`` costs per post and per chunk, measured in one
process: the lone-surrogate check of each text, the id hash and duplicate count, and the fsync of a
chunk's output before its checkpoint. Compare with scoring (~600-900 µs per post on 2026-12 hosts).

    python benchmarks/bench_fault_costs.py                 # 20,000 generated-length posts
    python benchmarks/bench_fault_costs.py --input posts.jsonl

Prints numbers; asserts nothing."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from detector.batch.dupes import IdCounter, id_hashes  # noqa: E402
from detector.validation import repair_text  # noqa: E402


def _posts(path: str | None, n: int) -> tuple[list[str], list[str]]:
    if path:
        rows = [json.loads(line) for line in open(path, encoding="utf-8")][:n]
        return [r["text"] for r in rows], [str(r.get("id")) for r in rows]
    texts = [json.loads(line)["text"] for line in open(REPO / "data" / "written_adverts.jsonl", encoding="utf-8")]
    return [texts[i % len(texts)] + f" #{i}" for i in range(n)], [f"post-{i}" for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--input", default=None, help="a JSONL file of posts (text, id)")
    ap.add_argument("--chunk", type=int, default=1024)
    args = ap.parse_args()
    texts, ids = _posts(args.input, args.n)
    t = time.perf_counter()
    for x in texts:
        repair_text(x)
    print(f"lone-surrogate check   {(time.perf_counter() - t) / len(texts) * 1e6:6.2f} µs/post")
    counter = IdCounter()
    t = time.perf_counter()
    for i in range(0, len(ids), args.chunk):
        counter.add(id_hashes(ids[i:i + args.chunk]))
    print(f"id hash + dup count    {(time.perf_counter() - t) / len(ids) * 1e6:6.2f} µs/post "
          f"({counter.duplicates} duplicates, {sum(a.nbytes for a in counter.levels) / 1e6:.1f} MB of hashes)")
    chunk_bytes = 3_000 * args.chunk  # ~3 kB per JSONL record with evidence
    times = []
    with tempfile.NamedTemporaryFile(dir=REPO) as fh:
        for _ in range(15):
            fh.write(os.urandom(chunk_bytes))
            fh.flush()
            t = time.perf_counter()
            os.fsync(fh.fileno())
            times.append(time.perf_counter() - t)
    print(f"fsync of one chunk     {statistics.median(times) * 1e3:6.2f} ms median, {max(times) * 1e3:.2f} ms max "
          f"({chunk_bytes / 1e6:.1f} MB; a scan fsyncs output, rejects, ids and checkpoint per chunk)")


if __name__ == "__main__":
    main()
