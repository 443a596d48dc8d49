"""``--engine dask`` on a LocalCluster: the same results as the local scan; a corrupted bundle is
refused on the worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from detector.batch import scan
from detector.batch.engines.driver import scan_engine
from detector.batch.shipping import ShippedBundle
from detector.bundle import BundleError
from tests.batch.conftest import corpus, write_jsonl
from tests.batch.engines import (
    check_same_as_local,
    corrupted_bundle,
    engine_inputs,
    kill_first_attempt,
    unique_ids_equal_records,
)

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
pytestmark = [pytest.mark.dask, pytest.mark.slow]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


def test_dask_engine_equals_local(det: Any, tmp_path: Path, scheduler: str) -> None:
    check_same_as_local(det, tmp_path, "dask", scheduler=scheduler)


def test_dask_worker_refuses_corrupted_bundle(tmp_path: Path, scheduler: str) -> None:
    d = engine_inputs(tmp_path)
    with pytest.raises(BundleError, match="failed verification on this worker"):
        scan_engine("dask", str(d / "a.jsonl"), str(tmp_path / "o.jsonl"), bundle=corrupted_bundle(),
                    scheduler=scheduler)
    assert not (tmp_path / "o.jsonl").exists()


def test_cli_dask_local_cluster(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from detector.cli import main

    d = engine_inputs(tmp_path)
    res = CliRunner().invoke(main, ["scan", str(d / "b.parquet"), "--engine", "dask", "--jobs", "1",
                                    "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 0, res.output
    assert "rows read 120 · scored 120 · rejected 0" in res.output
    assert len((tmp_path / "o.csv").read_text(encoding="utf-8").splitlines()) == 121


def test_a_dask_worker_killed_mid_partition_adds_no_duplicate(tmp_path: Path, scheduler: str) -> None:
    """Dask reruns the task of a dead worker elsewhere; the rerun starts from empty files of its own."""
    import threading

    rows = corpus(900, seed=31)
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    killed: list[str] = []
    watcher = threading.Thread(target=kill_first_attempt, args=(Path(f"{out}.parts") / "_parts", killed))
    watcher.start()
    s = scan_engine("dask", str(inp), str(out), bundle=ShippedBundle.from_model(), scheduler=scheduler,
                    chunk_size=10, target_bytes=100_000)
    watcher.join()
    assert killed, "no worker was killed mid-partition"
    unique_ids_equal_records(out, rows)
    assert s.scored == len(rows) and s.duplicate_ids == 0


def test_dask_repairs_surrogates_in_text_and_rejects_them_in_ids(det: Any, tmp_path: Path, scheduler: str) -> None:
    from tests.batch.test_faults import _surrogate_input

    inp = _surrogate_input(tmp_path, copies=3)
    s = scan_engine("dask", str(inp), str(tmp_path / "e.jsonl"), bundle=ShippedBundle.from_model(),
                    scheduler=scheduler, target_bytes=200)
    local = scan(det, str(inp), str(tmp_path / "l.jsonl"))
    assert (tmp_path / "e.jsonl").read_bytes() == (tmp_path / "l.jsonl").read_bytes()
    assert s.duplicate_ids == local.duplicate_ids == 6  # ids repeated across partitions are counted too
    rejects = [Path(f"{tmp_path}/{name}.jsonl.rejects.jsonl").read_bytes() for name in ("e", "l")]
    assert rejects[0] == rejects[1]
    assert (s.rows_read, s.reject_reasons["invalid_id"], s.notes["text_repaired"]) == (18, 6, 6)
