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
from detector.batch.formats import EngineError
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


def test_spark_session_leaves_stderr_to_the_scan(spark: Any) -> None:
    """Spark's console progress bar is off (a scan shows its own, only on a terminal) and, in local
    mode, the driver JVM reads our errors-only Log4j file, so pipes and CI logs stay quiet."""
    from detector.batch.engines.spark_engine import LOG4J_CONFIG

    conf = spark.sparkContext.getConf()
    assert conf.get("spark.ui.showConsoleProgress") == "false"
    assert LOG4J_CONFIG.is_file() and "rootLogger.level = error" in LOG4J_CONFIG.read_text(encoding="utf-8")
    if "PYSPARK_SUBMIT_ARGS" not in os.environ:
        assert f"-Dlog4j2.configurationFile={LOG4J_CONFIG.as_uri()}" in conf.get("spark.driver.extraJavaOptions")


def test_a_killed_spark_task_then_resume_adds_no_duplicate(tmp_path: Path, spark: Any) -> None:
    """local[2] does not retry a failed task: the job fails, and --resume redoes the partitions not
    done, each attempt from empty files of its own (before, a rerun appended to the dead one's)."""
    import threading

    rows = corpus(900, seed=32)
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    kw: dict[str, Any] = {"bundle": ShippedBundle.from_model(), "spark": spark, "chunk_size": 10,
                          "target_bytes": 100_000}
    killed: list[str] = []
    watcher = threading.Thread(target=kill_first_attempt, args=(Path(f"{out}.parts") / "_parts", killed))
    watcher.start()
    try:
        scan_engine("spark", str(inp), str(out), **kw)
    except EngineError as exc:  # the job failed with its task: one line that says what to do
        assert "Spark job failed" in str(exc) and "--resume" in str(exc)
    watcher.join()
    assert killed, "no Python worker was killed mid-partition"
    assert not out.exists()
    s = scan_engine("spark", str(inp), str(out), resume=True, **kw)
    unique_ids_equal_records(out, rows)
    assert s.scored == len(rows) and s.duplicate_ids == 0


def test_spark_repairs_surrogates_in_text_and_rejects_them_in_ids(det: Any, tmp_path: Path, spark: Any) -> None:
    from detector.batch import scan
    from tests.batch.test_faults import _surrogate_input

    inp = _surrogate_input(tmp_path, copies=3)
    s = scan_engine("spark", str(inp), str(tmp_path / "e.jsonl"), bundle=ShippedBundle.from_model(), spark=spark,
                    target_bytes=200)
    local = scan(det, str(inp), str(tmp_path / "l.jsonl"))
    assert (tmp_path / "e.jsonl").read_bytes() == (tmp_path / "l.jsonl").read_bytes()
    assert (s.rows_read, s.reject_reasons["invalid_id"], s.duplicate_ids) == (18, 6, local.duplicate_ids)
