"""Benchmark of reading poster adverts: how well Tesseract reads the rendered posters of ``posters.py``
and what that does to the score, per pre-processing mode, screens and photographed screens apart.

    python benchmarks/bench_ocr.py                        # 48 posters in out/posters, modes none, grey, full
    python benchmarks/bench_ocr.py --modes none,grey,full,best   # best reads each image twice
    python benchmarks/bench_ocr.py --n 16 --modes full    # quicker
    python benchmarks/bench_ocr.py --jsonl out/ocr.jsonl  # also every poster's numbers

Per set and mode it prints:
- CER: character error rate, edit distance / length of the drawn text, both with whitespace runs as
  one space (mean and median over posters);
- flags: the share of the red flags the detector finds on the SOURCE advert that it also finds on the
  image's text (the same with the DRAWN text as reference: the poster leaves out emoji such as 🇰🇭, so
  this isolates what reading loses), and the flags found on the image but not in the source;
- level: the share of posters whose risk level from the image equals the level from the source text;
- conf: Tesseract's mean word confidence;
- img/s/core: images read per CPU-second (this process and its Tesseract children), decode,
  pre-processing and reading included; Tesseract runs on one thread (OMP_THREAD_LIMIT=1).
Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from posters import REPO, make_set  # noqa: E402


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cer(read: str, truth: str) -> float:
    read, truth = (re.sub(r"\s+", " ", s).strip() for s in (read, truth))
    return edit_distance(read, truth) / max(1, len(truth))


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measure(det: Any, folder: Path, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
    from detector.ocr import ImageError, read_image

    out = []
    for r in rows:
        src, drawn = det.score(r["source_text"]), det.score(r["text"])
        t0 = _cpu()
        try:
            reading = read_image(folder / r["file"], mode)  # type: ignore[arg-type]
            text, conf = reading.text, reading.mean_confidence
        except ImageError as exc:
            text, conf = "", 0.0
            print(f"  {r['id']}: {exc.code}: {exc}", file=sys.stderr)
        cpu = _cpu() - t0
        img = det.score(text) if text.strip() else None
        img_flags = set(img.flags) if img else set()
        out.append({"id": r["id"], "mode": mode, "photographed": r["photographed"], "cer": cer(text, r["text"]),
                    "conf": conf, "cpu_s": cpu, "source_flags": sorted(src.flags), "drawn_flags": sorted(drawn.flags),
                    "image_flags": sorted(img_flags), "source_level": src.risk_level,
                    "image_level": img.risk_level if img else "rendah", "text": text})
    return out


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def share(key: str) -> float:
        ref = sum(len(r[key]) for r in rows)
        found = sum(len(set(r[key]) & set(r["image_flags"])) for r in rows)
        return found / ref if ref else float("nan")

    return {"n": len(rows), "cer_mean": statistics.fmean(r["cer"] for r in rows),
            "cer_median": statistics.median(r["cer"] for r in rows),
            "flags_vs_source": share("source_flags"), "flags_vs_drawn": share("drawn_flags"),
            "extra_flags": sum(len(set(r["image_flags"]) - set(r["source_flags"])) for r in rows),
            "level_agreement": sum(r["image_level"] == r["source_level"] for r in rows) / len(rows),
            "conf": statistics.fmean(r["conf"] for r in rows),
            "img_per_s_core": len(rows) / max(1e-9, sum(r["cpu_s"] for r in rows))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", type=Path, default=REPO / "out" / "posters")
    ap.add_argument("--n", type=int, default=48)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--modes", default="none,grey,full")
    ap.add_argument("--model", default=None)
    ap.add_argument("--jsonl", type=Path, default=None, help="write every poster's numbers here")
    args = ap.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    from detector import Detector
    from detector.ocr import tesseract_problem

    if (problem := tesseract_problem()) is not None:
        sys.exit(problem)
    manifest = args.dir / "posters.jsonl"
    if not manifest.is_file() or sum(1 for _ in manifest.open()) != args.n:
        make_set(args.dir, args.n, args.seed)
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()]
    det = Detector.load(args.model)
    everything = []
    print(f"{len(rows)} posters ({sum(r['photographed'] for r in rows)} photographed screens), model {det.version}")
    print(f"{'set':<13}{'mode':<6}{'n':>4}{'CER mean':>10}{'median':>8}{'flags/src':>11}{'flags/drawn':>12}"
          f"{'extra':>7}{'level':>7}{'conf':>6}{'img/s/core':>12}")
    for mode in args.modes.split(","):
        measured = measure(det, args.dir, rows, mode)
        everything += measured
        for name, subset in (("screens", [m for m in measured if not m["photographed"]]),
                             ("photographed", [m for m in measured if m["photographed"]]), ("all", measured)):
            if not subset:
                continue
            s = summarise(subset)
            print(f"{name:<13}{mode:<6}{s['n']:>4}{s['cer_mean']:>10.3f}{s['cer_median']:>8.3f}"
                  f"{s['flags_vs_source']:>11.2f}{s['flags_vs_drawn']:>12.2f}{s['extra_flags']:>7}"
                  f"{s['level_agreement']:>7.2f}{s['conf']:>6.1f}{s['img_per_s_core']:>12.2f}", flush=True)
    if args.jsonl:
        with args.jsonl.open("w", encoding="utf-8") as fh:
            for m in everything:
                fh.write(json.dumps(m, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
