"""``--engine spark``: partitions as a Spark DataFrame of work units mapped with ``mapInPandas``
(``--master`` for an existing cluster, ``local[N]`` by default; needs a JRE, and the workers'
Python, PYSPARK_PYTHON, must have this package). The bundle bytes are broadcast once; each
Python worker verifies their hash before loading."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from detector.batch.formats import EngineError, ScanInputError
from detector.batch.partitions import PartOptions, PartSpec, run_partition, spec_from_dict
from detector.batch.shipping import ShippedBundle
from detector.batch.signals import ScanInterrupted, received
from detector.bundle import BundleError


def _map_specs(frames: Iterator[pd.DataFrame], *, bc: Any, sha256: str, opts: PartOptions) -> Iterator[pd.DataFrame]:
    for frame in frames:
        for spec_json in frame["spec"]:
            state = run_partition(spec_from_dict(json.loads(spec_json)), opts, bc.value, sha256)
            yield pd.DataFrame({"state": [json.dumps(state, ensure_ascii=False)]})


#: Log4j 2 settings for a driver JVM this module starts in local mode (errors only).
LOG4J_CONFIG = Path(__file__).resolve().parent.parent.parent / "resources" / "spark-log4j2.properties"


def session(master: str | None = None, workers: int = 2) -> Any:
    """A SparkSession for a scan: ``local[workers]`` unless ``--master`` names a cluster. Spark's own
    console progress bar is off (the scan shows its own, only on a terminal); in local mode the
    driver JVM logs errors only (unless ``PYSPARK_SUBMIT_ARGS`` is set: then its options rule)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    master = master or f"local[{workers}]"
    builder = (SparkSession.builder.master(master).appName("tppo-detector-scan")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.python.worker.reuse", "true"))
    if master.startswith("local") and "PYSPARK_SUBMIT_ARGS" not in os.environ:
        builder = builder.config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={LOG4J_CONFIG.as_uri()}")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def run(specs: list[PartSpec], opts: PartOptions, bundle: ShippedBundle, *, master: str | None = None,
        workers: int = 2, spark: Any = None, on_done: Callable[[dict[str, Any]], None] | None = None) -> None:
    """Run every partition (one Spark task each); a worker's BundleError is re-raised here."""
    own = spark is None
    spark = spark or session(master, workers)
    quiet = _quiet_root_logging()
    try:
        sc = spark.sparkContext
        bc = sc.broadcast(bundle.data)
        rdd = sc.parallelize([(json.dumps(asdict(s)),) for s in specs], numSlices=max(1, len(specs)))
        units = spark.createDataFrame(rdd, "spec string")
        result = units.mapInPandas(partial(_map_specs, bc=bc, sha256=bundle.sha256, opts=opts), schema="state string")
        try:
            rows = _collect(spark, result)
        except Exception as exc:  # Py4J / PythonException: surface the worker's own error
            raise _worker_error(exc) from exc
        finally:
            bc.unpersist()
        for row in rows:
            if on_done is not None:
                on_done(json.loads(row["state"]))
    finally:
        if own:
            _stop(spark)
        if quiet is not None:
            logging.getLogger().removeHandler(quiet)


#: Seconds between two looks of the main thread at a pending signal while Spark runs the job.
SIGNAL_POLL_S = 0.2


def _collect(spark: Any, result: Any) -> list[Any]:
    """``result.collect()`` in a helper thread: the main thread, which alone runs Python's signal
    handlers, would otherwise wait in a socket read that a signal delivered to another thread does
    not interrupt (a SIGTERM waited there for the job's end, 23 s in a 20,000-post scan). On
    :class:`ScanInterrupted` the job is cancelled before the session is stopped."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["rows"] = result.collect()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread, raised there
            box["error"] = exc

    thread = threading.Thread(target=work, name="spark-collect", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(SIGNAL_POLL_S)
    except ScanInterrupted:
        spark.sparkContext.cancelAllJobs()
        raise
    if "error" in box:
        raise box["error"]
    return box["rows"]  # type: ignore[no-any-return]


def _stop(spark: Any) -> None:
    """Stop the session; after a signal cut a Py4J call in two the gateway may not answer, and that
    must not hide the interruption (the JVM ends with this process anyway)."""
    try:
        spark.stop()
    except Exception as exc:  # noqa: BLE001 - shutting down: say it, keep the error that brought us here
        if received() is None:
            raise
        logging.getLogger("detector.batch").warning("spark session did not stop cleanly: %r", exc)


def _quiet_root_logging() -> logging.Handler | None:
    """Py4J reports a call cut by a signal with ``logging.exception`` on the root logger, which
    prints a traceback to stderr when logging is not configured; the scan says it in one line."""
    root = logging.getLogger()
    if root.handlers:
        return None
    handler = logging.NullHandler()
    root.addHandler(handler)
    return handler


def _worker_error(exc: Exception) -> Exception:
    text = str(exc)
    for cls in (BundleError, ScanInputError):
        marker = f"{cls.__name__}: "
        for line in text.splitlines():
            if marker in line:
                return cls(line.split(marker, 1)[1].strip())
    return EngineError(f"Spark job failed: {text.strip().splitlines()[0] if text.strip() else exc!r}")
