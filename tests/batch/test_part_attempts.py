"""Engine partitions run in this process (no cluster): an attempt never reuses what an earlier one
left, and the driver refuses a part that is not what its attempt wrote or what the plan counted."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from detector.batch.partitions import PARTS_DIR, PartCheckError, PartOptions, check_part, plan, run_partition
from detector.batch.shipping import ShippedBundle
from tests.batch.conftest import BROKEN_LINES, corpus, read_jsonl, write_jsonl


@pytest.fixture(scope="module")
def bundle() -> ShippedBundle:
    return ShippedBundle.from_model()


def _setup(tmp: Path, fmt: str = "jsonl") -> tuple[list[Any], PartOptions, list[dict[str, str]]]:
    rows = corpus(90, seed=17)
    inp = write_jsonl(tmp / "in.jsonl", rows)
    with inp.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(line for line, _ in BROKEN_LINES if line) + "\n")
    specs = plan(str(inp), target_bytes=10_000)
    opts = PartOptions(str(tmp / "parts"), fmt, chunk_size=16)
    os.makedirs(os.path.join(opts.out_dir, PARTS_DIR))
    return specs, opts, rows


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_retried_partition_never_adds_to_what_a_killed_attempt_left(tmp_path: Path, bundle: ShippedBundle,
                                                                      fmt: str) -> None:
    specs, opts, _ = _setup(tmp_path, fmt)
    spec = specs[0]
    side = Path(opts.out_dir) / PARTS_DIR
    # what a killed attempt leaves: its half-written files, under the old fixed name and a new one
    for name in (f".part-{spec.index:05d}.partial", f".part-{spec.index:05d}.999-dead.partial"):
        (side / name).write_bytes(b'{"id":"left-over"}\n' * 7)
    first = run_partition(spec, opts, bundle.data, bundle.sha256)
    again = run_partition(spec, opts, bundle.data, bundle.sha256)  # a retry, or a speculative copy, finishing later
    assert first == again
    check_part(spec, opts, again)
    if fmt == "jsonl":
        ids = [r["id"] for r in read_jsonl(Path(opts.part_path(spec.index)))]
        assert len(ids) == len(set(ids)) == first["records"] and "left-over" not in ids
    assert not [p for p in side.iterdir() if p.name.startswith(".part-") and "dead" not in p.name
                and p.name != f".part-{spec.index:05d}.partial"]  # the attempts cleaned up after themselves


def _append_a_record(opts: PartOptions, i: int) -> None:
    with open(opts.part_path(i), "ab") as fh:
        fh.write(b'{"id":"again"}\n')


def _drop_a_reject(opts: PartOptions, i: int) -> None:
    p = Path(opts.sidecar(i, "rejects.jsonl"))
    p.write_bytes(b"".join(p.read_bytes().splitlines(keepends=True)[1:]))


#: Ways a finished partition can disagree with its sidecar or the plan, and what the check says.
TAMPERING = {
    "a record appended to the part": (_append_a_record, "not the .* bytes written"),
    "a reject line lost": (_drop_a_reject, "its rejects file holds"),
    "the part file gone": (lambda opts, i: os.unlink(opts.part_path(i)), "is missing"),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_a_part_that_is_not_what_its_attempt_wrote_is_refused_and_redone_on_resume(
        tmp_path: Path, bundle: ShippedBundle, case: str) -> None:
    specs, opts, _ = _setup(tmp_path)
    spec = specs[-1]  # the partition with the broken rows
    state = run_partition(spec, opts, bundle.data, bundle.sha256)
    assert state["summary"]["rejected"] > 0
    tamper, message = TAMPERING[case]
    tamper(opts, spec.index)
    with pytest.raises(PartCheckError, match=f"{message}.*--resume to redo it"):
        check_part(spec, opts, state)
    assert not os.path.exists(opts.sidecar(spec.index, "json"))  # so a resume runs it again


def test_a_partition_that_read_other_rows_than_planned_is_refused(tmp_path: Path, bundle: ShippedBundle) -> None:
    specs, opts, _ = _setup(tmp_path)
    spec = specs[0]
    state = run_partition(spec, opts, bundle.data, bundle.sha256)
    check_part(spec, opts, state)
    assert spec.span.lines is not None
    wrong = replace(spec, span=replace(spec.span, lines=spec.span.lines + 1))
    with pytest.raises(PartCheckError, match="lines where the plan counted"):
        check_part(wrong, opts, json.loads(json.dumps(state)))


def test_engine_resume_without_an_interrupted_run_is_refused(tmp_path: Path, bundle: ShippedBundle) -> None:
    from detector.batch.engines.driver import scan_engine
    from detector.batch.formats import ScanInputError

    inp = write_jsonl(tmp_path / "in.jsonl", corpus(5))
    with pytest.raises(ScanInputError, match="no interrupted run to resume"):
        scan_engine("dask", str(inp), str(tmp_path / "out"), bundle=bundle, resume=True)
