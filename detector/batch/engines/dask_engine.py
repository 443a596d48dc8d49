"""``--engine dask``: partitions as ``dask.distributed`` tasks, on a ``LocalCluster`` (one
single-threaded worker process per job) or an existing cluster (``--scheduler tcp://host:8786``).
The bundle bytes are scattered to every worker once; each verifies their hash before loading."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from detector.batch.formats import EngineError, ScanInputError
from detector.batch.partitions import PartOptions, PartSpec, run_partition
from detector.batch.shipping import ShippedBundle
from detector.bundle import BundleError

_log = logging.getLogger("detector.batch")


def run(specs: list[PartSpec], opts: PartOptions, bundle: ShippedBundle, *, scheduler: str | None = None,
        workers: int = 2, on_done: Callable[[dict[str, Any]], None] | None = None) -> None:
    """Run every partition; re-raises the first worker error (e.g. ``BundleError``)."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        # CRITICAL: a task's error reaches the scan (re-raised below); what the local workers log
        # besides is noise on the scan's stderr, e.g. failed heartbeats while a stopped scan shuts down.
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                               silence_logs=logging.CRITICAL)
    client = Client(scheduler or cluster, timeout="30s")
    try:
        data = client.scatter(bundle.data, broadcast=True)
        futures = [client.submit(run_partition, spec, opts, data, bundle.sha256, pure=False, retries=0)
                   for spec in specs]
        for fut in as_completed(futures):
            try:
                state = fut.result()
            except (BundleError, ScanInputError, OSError):
                raise
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: said in one line, with what to do
                _log.error("dask task failed: %r", exc)
                raise EngineError(f"Dask task failed: {type(exc).__name__}: {exc}") from exc
            if on_done is not None:
                on_done(state)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
