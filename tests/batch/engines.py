"""Shared checks for the engine tests: an engine scan equals the local scan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from detector.batch import scan
from detector.batch.engines.driver import scan_engine
from detector.batch.shipping import ShippedBundle
from tests.batch.conftest import BROKEN_LINES, corpus, read_jsonl, write_jsonl


def engine_inputs(tmp: Path) -> Path:
    """A folder with a JSONL file (broken rows included) and a Parquet file of several row groups."""
    d = tmp / "in"
    d.mkdir()
    p = write_jsonl(d / "a.jsonl", corpus(150, seed=21))
    with p.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(line for line, _ in BROKEN_LINES if line) + "\n")
    pd.DataFrame(corpus(120, seed=22)).to_parquet(d / "b.parquet", row_group_size=40)
    return d


def check_same_as_local(det: Any, tmp: Path, engine: str, **kw: Any) -> None:
    d = engine_inputs(tmp)
    bundle = ShippedBundle.from_model()
    # one file, single-file output: byte-identical to the local scan, even split in 3 partitions
    single = tmp / "single.jsonl"
    s = scan_engine(engine, str(d / "a.jsonl"), str(single), bundle=bundle, chunk_size=32, target_bytes=20_000, **kw)
    scan(det, str(d / "a.jsonl"), str(tmp / "local.jsonl"))
    assert single.read_bytes() == (tmp / "local.jsonl").read_bytes()
    assert Path(f"{single}.rejects.jsonl").read_bytes() == Path(f"{tmp}/local.jsonl.rejects.jsonl").read_bytes()
    assert s.rows_read == s.scored + s.rejected == 150 + 11 and s.rejected == 8
    # a glob of two files into a folder of Parquet parts: the same records, with their source
    out = tmp / "outdir"
    s = scan_engine(engine, str(d / "*"), str(out), bundle=bundle, target_rows=40, **kw)
    assert (out / "_SUCCESS").exists() and not (out / "_parts").exists()
    parts = sorted(out.glob("part-*.parquet"))
    assert len(parts) == 4  # the JSONL file + 3 Parquet row-group partitions
    got = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    scan(det, str(d / "b.parquet"), str(tmp / "local_b.jsonl"))
    want = read_jsonl(tmp / "local.jsonl") + read_jsonl(tmp / "local_b.jsonl")
    assert len(got) == len(want) == s.scored
    assert list(got["source"].map(lambda p: Path(p).name).unique()) == ["a.jsonl", "b.parquet"]
    for g, w in zip(got.to_dict("records"), want, strict=True):
        assert (g["id"], g["row"], g["risk_score"], g["risk_level"], json.loads(g["flags"]),
                json.loads(g["evidence"])) == (w["id"], w["row"], w["risk_score"], w["risk_level"], w["flags"],
                                               w["evidence"])
    assert len(read_jsonl(out / "rejects.jsonl")) == s.rejected == 8


def corrupted_bundle() -> ShippedBundle:
    good = ShippedBundle.from_model()
    data = bytearray(good.data)
    data[len(data) // 2] ^= 0xFF
    return ShippedBundle(bytes(data), good.sha256, good.name)


def kill_first_attempt(side: Path, killed: list[str], limit_s: float = 120) -> None:
    """Watch the engine's ``_parts`` folder and SIGKILL the process of the first attempt seen writing
    a part (its pid is in the temporary file's name) before that partition is done."""
    import os
    import signal
    import time

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        for p in side.glob(".part-*.partial") if side.is_dir() else []:
            index = p.name.split(".")[1]
            try:
                started = p.stat().st_size > 0
            except OSError:
                continue
            if started and not (side / f"{index}.json").exists():
                os.kill(int(p.name.split(".")[2].split("-")[0]), signal.SIGKILL)
                killed.append(p.name)
                return
        time.sleep(0.01)


def unique_ids_equal_records(out: Path, rows: list[dict[str, str]]) -> None:
    ids = [r["id"] for r in read_jsonl(out)]
    assert len(ids) == len(set(ids)) == len(rows)
    assert ids == [r["id"] for r in rows]
