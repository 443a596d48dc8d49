"""``--engine spark``: partitions as a Spark DataFrame of work units mapped with ``mapInPandas``
(``--master`` for an existing cluster, ``local[N]`` by default; needs a JRE, and the workers'
Python, PYSPARK_PYTHON, must have this package). The bundle bytes are broadcast once; each
Python worker verifies their hash before loading."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from detector.batch.formats import ScanInputError
from detector.batch.partitions import PartOptions, PartSpec, run_partition, spec_from_dict
from detector.batch.shipping import ShippedBundle
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
    try:
        sc = spark.sparkContext
        bc = sc.broadcast(bundle.data)
        rdd = sc.parallelize([(json.dumps(asdict(s)),) for s in specs], numSlices=max(1, len(specs)))
        units = spark.createDataFrame(rdd, "spec string")
        result = units.mapInPandas(partial(_map_specs, bc=bc, sha256=bundle.sha256, opts=opts), schema="state string")
        try:
            rows = result.collect()
        except Exception as exc:  # Py4J / PythonException: surface the worker's own error
            raise _worker_error(exc) from exc
        finally:
            bc.unpersist()
        for row in rows:
            if on_done is not None:
                on_done(json.loads(row["state"]))
    finally:
        if own:
            spark.stop()


def _worker_error(exc: Exception) -> Exception:
    text = str(exc)
    for cls in (BundleError, ScanInputError):
        marker = f"{cls.__name__}: "
        for line in text.splitlines():
            if marker in line:
                return cls(line.split(marker, 1)[1].strip())
    return RuntimeError(f"Spark job failed: {text.strip().splitlines()[0] if text.strip() else exc!r}")
