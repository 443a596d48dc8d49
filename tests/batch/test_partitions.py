"""Engine partition plans: line-exact byte ranges, enough partitions to keep a few workers busy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detector.batch.formats import input_source
from detector.batch.partitions import MIN_PART_BYTES, MIN_PARTS, plan
from detector.batch.readers import RowReader


def _jsonl(path: Path, n_bytes: int) -> Path:
    line = json.dumps({"id": "x", "text": "Lowongan kasir toko, gaji UMR " + "a" * 200}) + "\n"
    path.write_text(line * (n_bytes // len(line) + 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("n_bytes", "expected"),
    [(200_000, 1), (int(2.5 * MIN_PART_BYTES), 3), (40 * MIN_PART_BYTES, MIN_PARTS)],
    ids=["small-file-one-partition", "medium-file-1mb-partitions", "large-file-min-parts"],
)
def test_jsonl_files_are_cut_into_enough_partitions(tmp_path: Path, n_bytes: int, expected: int) -> None:
    specs = plan(str(_jsonl(tmp_path / "in.jsonl", n_bytes)))
    assert len(specs) == expected


def test_partitions_cover_every_line_once_with_their_line_numbers(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "in.jsonl", int(2.5 * MIN_PART_BYTES))
    n_lines = path.read_bytes().count(b"\n")
    seen: list[int] = []
    for spec in plan(str(path)):
        reader = RowReader(input_source(str(path), None), "text", span=spec.span)
        seen.extend(row.n for row in reader.rows())
        reader.close()
    assert seen == list(range(1, n_lines + 1))


def test_an_engine_driver_does_not_load_the_model_stack() -> None:
    """The driver only plans partitions, ships bundle bytes and merges parts: importing what it uses
    must not pull in scikit-learn or the stemmer (seconds of start-up before the cluster even starts)."""
    import subprocess
    import sys

    code = ("import sys, detector.batch.engines.driver, detector.batch.shipping, detector.batch.partitions; "
            "print(sorted(m for m in ('sklearn', 'scipy', 'Sastrawi', 'detector.detector') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
