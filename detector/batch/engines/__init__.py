"""Engines beyond one machine (Dask, Spark): thin adapters that run
:func:`detector.batch.partitions.run_partition` (which maps :func:`detector.batch.frame.score_frame`
over a partition) on workers, driven by :func:`detector.batch.engines.driver.scan_engine`."""
