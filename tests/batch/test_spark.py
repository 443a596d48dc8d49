"""``--engine spark`` in local mode: the same results as the local scan; a corrupted bundle is
refused on the worker."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from detector.batch.engines.driver import scan_engine
from detector.bundle import BundleError
from tests.batch.engines import check_same_as_local, corrupted_bundle, engine_inputs

pytest.importorskip("pyspark", reason="pyspark is not installed")
if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java runtime for Spark (java on PATH or JAVA_HOME)", allow_module_level=True)
pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from detector.batch.engines.spark_engine import session

    s = session("local[2]")
    yield s
    s.stop()


def test_spark_engine_equals_local(det: Any, tmp_path: Path, spark: Any) -> None:
    check_same_as_local(det, tmp_path, "spark", spark=spark)


def test_spark_worker_refuses_corrupted_bundle(tmp_path: Path, spark: Any) -> None:
    d = engine_inputs(tmp_path)
    with pytest.raises(BundleError, match="failed verification on this worker"):
        scan_engine("spark", str(d / "a.jsonl"), str(tmp_path / "o.jsonl"), bundle=corrupted_bundle(), spark=spark)
    assert not (tmp_path / "o.jsonl").exists()
