"""``--engine dask`` on a LocalCluster: the same results as the local scan; a corrupted bundle is
refused on the worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from detector.batch.engines.driver import scan_engine
from detector.bundle import BundleError
from tests.batch.engines import check_same_as_local, corrupted_bundle, engine_inputs

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
