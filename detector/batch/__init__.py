"""Batch scans: ``detector scan`` on one machine (streaming, ``--jobs N`` processes, rejects,
``--resume``) and on Dask or Spark clusters, all built on :func:`score_frame`."""

from detector.batch.formats import ScanInputError
from detector.batch.frame import score_frame
from detector.batch.local import scan
from detector.batch.readers import Row
from detector.batch.records import row_problem as check_row
from detector.batch.signals import ScanInterrupted
from detector.batch.summary import ScanSummary

__all__ = ["Row", "ScanInputError", "ScanInterrupted", "ScanSummary", "check_row", "scan", "score_frame"]
